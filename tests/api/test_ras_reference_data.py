"""RAS's reference kinds through the shared admin endpoints: the sample council's model versions are
found by the assessment date, and a broken model is refused with each problem at its place."""

from __future__ import annotations

from datetime import date

import pytest

from pbshared.contract.events.people import ClientGroup
from pbshared.platform.auth import Role
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.testing.harness import auth
from ras.domain.assessments.scoring import Answers, ModelVersion, score
from ras.domain.reference.ras_model import RasModel
from tests.councils import SAMPLE_COUNCIL

pytestmark = pytest.mark.integration

SOCIAL_WORKER = auth(Role.social_worker)


async def model_in_force(service, on: str) -> ModelVersion:
    response = await service.client.get(f"/reference-datasets/ras_model/effective?on={on}", headers=SOCIAL_WORKER)
    assert response.status_code == 200, response.text
    dataset = response.json()
    return ModelVersion(
        dataset["version"], date.fromisoformat(dataset["effective_from"]), RasModel.model_validate(dataset["payload"])
    )


async def test_an_assessment_the_day_before_a_new_model_uses_the_old_one_and_on_its_first_day_the_new(api):
    service = await api("ras")
    day_before, first_day = await model_in_force(service, "2026-04-05"), await model_in_force(service, "2026-04-06")
    assert (day_before.version, first_day.version) == (1, 2)
    questions = [q for d in first_day.model.domains for q in d.questions if q.mandatory]
    answers = {q.id: q.options[-1].id for q in questions}  # the most support on every mandatory question
    older = ClientGroup.older_people
    before = score(day_before, Answers(1, older, answers)).indicative_annual_pence
    after = score(first_day, Answers(2, older, answers)).indicative_annual_pence
    assert (before, after) == (57 * 22000, 57 * 23000)


async def test_a_broken_ras_model_is_refused_with_every_problem_and_nothing_stored(api):
    service = await api("ras")
    [model] = [d for d in read_council_directory(SAMPLE_COUNCIL) if d["kind"] == "ras_model" and d["version"] == 2]
    payload = model["payload"]
    payload["domains"][1]["id"] = payload["domains"][0]["id"]
    payload["carer_reduction"]["domains"].append("gardening")
    broken = {**model, "version": 3, "payload": payload}
    response = await service.client.post("/reference-datasets", json=broken, headers=auth(Role.admin))
    assert response.status_code == 422, response.text
    locations = {tuple(p["loc"]) for p in response.json()["errors"]}
    assert {("body", "payload", "domains", 1, "id"), ("body", "payload", "carer_reduction", "domains", 4)} <= locations
    assert (await model_in_force(service, "2030-01-01")).version == 2
