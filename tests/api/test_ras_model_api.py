"""The questionnaire the front-end renders: the RAS model in force on the assessment date."""

from __future__ import annotations

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth

pytestmark = pytest.mark.integration

SW = auth(Role.social_worker)


async def test_the_model_in_force_on_a_date_has_its_questions_options_help_and_version(api):
    ras = await api("ras")
    before = await ras.client.get("/ras-model?on=2026-04-05", headers=SW)
    first_day = await ras.client.get("/ras-model?on=2026-04-06", headers=SW)
    assert (before.status_code, first_day.status_code) == (200, 200), before.text
    assert (before.json()["version"], first_day.json()["version"]) == (1, 2)
    model = first_day.json()
    assert model["effective_from"] == "2026-04-06"
    personal_care = model["domains"][0]
    assert personal_care["title"] == "Personal care"
    washing = personal_care["questions"][0]
    assert washing["help"].startswith("Think about a usual week")
    assert washing["mandatory"] is True
    assert washing["options"][-1] == {"id": "every_day", "text": "I need hands-on help every day", "points": 9}
    optional = [q["id"] for d in model["domains"] for q in d["questions"] if not q["mandatory"]]
    assert optional == ["work_volunteering"]


async def test_before_any_model_is_in_force_the_answer_is_404_naming_the_date(api):
    ras = await api("ras")
    response = await ras.client.get("/ras-model?on=1999-01-01", headers=SW)
    assert response.status_code == 404, response.text
    assert response.json()["errors"][0]["loc"] == ["query", "on"]
