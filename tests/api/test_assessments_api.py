"""Assessments: a scoring preview stores nothing; a recorded assessment is scored with the model in
force on its date and publishes assessment.completed; bad answers are a 422 naming each problem."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pbshared.platform.auth import Role
from pbshared.platform.tables import outbox
from pbshared.testing.harness import auth
from ras.entrypoints.assessments_api import ScoreOut

pytestmark = pytest.mark.integration

SW = auth(Role.social_worker)
PERSON = {
    "council_person_id": "WY-3001",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": "1940-12-10",
    "postcode": "SK1 3XE",
    "client_group": "older_people",
}


async def _full_answers(ras, on: str) -> dict[str, str]:
    model = (await ras.client.get(f"/ras-model?on={on}", headers=SW)).json()
    return {q["id"]: q["options"][-1]["id"] for d in model["domains"] for q in d["questions"] if q["mandatory"]}


def _assessment(person_id: str, answers: dict[str, str], **changes) -> dict:
    return {
        "person_id": person_id,
        "assessment_date": "2026-05-01",
        "model_version": 2,
        "answers": answers,
        "assessment_type": "long_term",
        "method": "face_to_face",
        "start_date": "2026-04-28",
        "end_date": "2026-05-01",
        "outcome": "progress_to_support_planning",
        "eligible_needs": True,
        "outcomes_not_achieved": ["maintaining_personal_hygiene", "managing_toilet_needs"],
        "primary_support_reason": "physical_support_personal_care",
        "accommodation_status": "owner_occupier_or_shared_ownership",
        "has_unpaid_carer": True,
        **changes,
    }


async def _counts(ras) -> tuple[int, int]:
    from ras.adapters.tables import assessments

    async with ras.sessions() as session:
        stored = (await session.execute(select(func.count()).select_from(assessments))).scalar_one()
        events = (await session.execute(select(func.count()).select_from(outbox))).scalar_one()
    return stored, events


async def _person(ras, council_person_id: str = "WY-3001") -> str:
    response = await ras.client.post("/people", json={**PERSON, "council_person_id": council_person_id}, headers=SW)
    assert response.status_code == 201, response.text
    return response.json()["person_id"]


async def test_a_preview_scores_with_the_model_of_its_date_explains_and_stores_nothing(api):
    ras = await api("ras")
    answers = await _full_answers(ras, "2026-05-01")
    body = {
        "assessment_date": "2026-05-01",
        "model_version": 2,
        "client_group": "older_people",
        "answers": answers,
        "carer_support": {"personal_care": "most"},
    }
    response = await ras.client.post("/assessments/preview", json=body, headers=SW)
    assert response.status_code == 200, response.text
    scored = response.json()
    # Written without the response model: every field it documents, typed as it says, nothing more.
    assert ScoreOut.model_validate_json(response.content, strict=True).model_dump(mode="json") == scored
    personal_care = scored["domains"][0]
    # 9 + 8 points; a carer meeting most of these needs takes 50%, half up: 9 (8.5 rounds up).
    assert (personal_care["points_before_carer"], personal_care["carer_reduction"], personal_care["points"]) == (
        17,
        9,
        8,
    )
    assert scored["total_points"] == 57 - 9
    assert scored["indicative_annual_pence"] == 48 * 23000
    assert scored["indicative_weekly_pence"] == 21231  # 11040.00 / 52 = 212.3077 -> 212.31
    assert any("Unpaid carer" in line for line in scored["explanation"])
    assert scored["explanation"][-1].startswith("A week: ")
    assert await _counts(ras) == (0, 0)


async def test_a_recorded_assessment_is_stored_with_its_model_version_and_publishes_its_event(api):
    ras = await api("ras")
    person_id = await _person(ras)
    answers = await _full_answers(ras, "2026-04-05")
    day_before = _assessment(person_id, answers, assessment_date="2026-04-05", model_version=1)
    day_before |= {"start_date": "2026-04-01", "end_date": "2026-04-05"}
    response = await ras.client.post("/assessments", json=day_before, headers=SW)
    assert response.status_code == 201, response.text
    assert (response.json()["ras_model_version"], response.json()["indicative_annual_pence"]) == (1, 57 * 22000)
    first_day = _assessment(person_id, answers, assessment_date="2026-04-06", start_date="2026-04-06")
    first_day["end_date"] = "2026-04-06"
    response = await ras.client.post("/assessments", json=first_day, headers=SW)
    assert response.status_code == 201, response.text
    assert (response.json()["ras_model_version"], response.json()["indicative_annual_pence"]) == (2, 57 * 23000)
    async with ras.sessions() as session:
        types = (await session.execute(select(outbox.c.event_type).order_by(outbox.c.id))).scalars().all()
    assert types == ["person.registered", "assessment.completed", "assessment.completed"]


async def test_bad_answers_are_a_422_naming_each_problem_without_values_and_nothing_is_stored(api):
    ras = await api("ras")
    person_id = await _person(ras)
    answers = await _full_answers(ras, "2026-05-01")
    answers |= {"washing_and_dressing": "sky_diving", "favourite_colour": "blue"}
    del answers["meals"]
    body = _assessment(
        person_id,
        answers,
        model_version=1,
        carer_support={"staying_safe": "most"},
        end_date="2026-04-01",
        outcomes_not_achieved=["juggling"],
        accommodation_status="castle",
    )
    response = await ras.client.post("/assessments", json=body, headers=SW)
    assert response.status_code == 422, response.text
    problems = {tuple(p["loc"]): p["msg"] for p in response.json()["errors"]}
    assert set(problems) == {
        ("body", "model_version"),
        ("body", "answers", "washing_and_dressing"),
        ("body", "answers", "favourite_colour"),
        ("body", "answers", "meals"),
        ("body", "carer_support", "staying_safe"),
        ("body", "end_date"),
        ("body", "outcomes_not_achieved"),
        ("body", "outcomes_not_achieved", 0),
        ("body", "accommodation_status"),
    }
    assert problems[("body", "accommodation_status")] == "not a code of accommodation_status in force on 2026-05-01"
    for value in ("sky_diving", "blue", "juggling", "castle"):
        assert value not in response.text
    assert await _counts(ras) == (0, 1)  # only the person's registration


async def test_an_assessment_for_a_person_of_another_council_is_not_found(api):
    ras = await api("ras")
    person_id = await _person(ras)
    from tests.councils import load_second_council

    await load_second_council(ras)
    body = _assessment(person_id, await _full_answers(ras, "2026-05-01"))
    response = await ras.client.post("/assessments", json=body, headers=auth(Role.social_worker, "eastmere"))
    assert response.status_code == 404, response.text
    assert await _counts(ras) == (0, 1)
