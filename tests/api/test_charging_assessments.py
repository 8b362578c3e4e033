"""Charging's financial assessments through its API: recorded, superseded, corrected and read back."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, select

from charging.adapters.tables import financial_assessments
from pbshared.platform.auth import Role
from pbshared.platform.tables import outbox, person_copies
from pbshared.testing.harness import auth

pytestmark = pytest.mark.integration

AT_HOME = {
    "assessed_on": "2025-06-02",
    "setting": "at_home",
    "weekly_cost_of_care_pence": 30000,
    "minimum_income_guarantee_allowance": "single_25_to_pension_credit_age",
    "income": [{"kind": "state_pension", "weekly_pence": 23000}],
}


async def person_in(service, council_id: str = "wyvernshire") -> uuid.UUID:
    person_id = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(person_copies).values(
                person_id=person_id,
                council_id=council_id,
                council_person_id=f"WY-{person_id.hex[:6]}",
                given_name="Ada",
                family_name="Lovelace",
                date_of_birth=date(1950, 12, 10),
                postcode="SK1 3XE",
                client_group="older_people",
                revision=1,
                updated_at=datetime.now(UTC),
            )
        )
    return person_id


async def record(service, person_id: uuid.UUID, role: Role = Role.social_worker, **changes):
    body = {"person_id": str(person_id), "circumstances": {**AT_HOME, **changes}}
    return await service.client.post("/financial-assessments", json=body, headers=auth(role))


async def count(service, table) -> int:
    async with service.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)))


async def test_an_assessment_stores_every_step_and_the_figures_used(api):
    charging = await api("charging")
    person_id = await person_in(charging)
    response = await record(charging, person_id)
    assert response.status_code == 201, response.text
    body = response.json()
    # 2025/26: pension 230.00 less MIG 112.50 (single, 25 to pension credit age) and Wyvernshire's DRE 20.00.
    assert body["weekly_charge_pence"] == 23000 - 11250 - 2000
    assert body["effective_date"] == "2025-06-02"
    assert body["result"]["figures_year"] == "2025/26"
    assert body["result"]["policy_version"] == 1
    assert {s["label"] for s in body["result"]["steps"]} >= {"state_pension"}
    assert body["collected_by"] == "council"
    assert response.headers["ETag"] == '"1"'


async def test_a_new_assessment_supersedes_the_old_from_its_effective_date_and_history_is_kept(api):
    charging = await api("charging")
    person_id = await person_in(charging)
    first = (await record(charging, person_id)).json()
    second = (await record(charging, person_id, assessed_on="2025-09-01", income=[])).json()
    assert second["weekly_charge_pence"] == 0
    headers = auth(Role.auditor)
    history = (await charging.client.get(f"/people/{person_id}/financial-assessments", headers=headers)).json()
    assert [a["assessment_id"] for a in history] == [first["assessment_id"], second["assessment_id"]]
    for on, expected in (
        ("2025-06-01", 0),
        ("2025-06-02", first["weekly_charge_pence"]),
        ("2025-08-31", 9750),
        ("2025-09-01", 0),
    ):
        charge = await charging.client.get(f"/people/{person_id}/charge", params={"on": on}, headers=headers)
        assert charge.json()["weekly_charge_pence"] == expected, on
    current = await charging.client.get(
        f"/people/{person_id}/financial-assessments/current", params={"on": "2025-10-01"}, headers=headers
    )
    assert current.json()["assessment_id"] == second["assessment_id"]


async def test_bad_input_lists_each_problem_without_echoing_values_and_stores_nothing(api):
    charging = await api("charging")
    before = await count(charging, outbox)
    response = await record(
        charging,
        uuid.uuid4(),
        assessed_on="2019-06-03",
        own_capital_pence=-5,
        income=[{"kind": "lottery_win", "weekly_pence": 100}],
    )
    assert response.status_code == 422
    locations = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert {
        ("body", "person_id"),
        ("body", "circumstances", "own_capital_pence"),
        ("body", "circumstances", "income", 0, "kind"),
        ("body", "circumstances", "assessed_on"),
    } <= locations
    assert "lottery_win" not in response.text
    assert await count(charging, financial_assessments) == 0
    assert await count(charging, outbox) == before


async def test_a_person_of_another_council_is_unknown(api):
    charging = await api("charging")
    elsewhere = await person_in(charging, council_id="eastmere")
    response = await record(charging, elsewhere)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "person_id"]]


async def test_a_correction_is_guarded_by_the_revision_read(api):
    charging = await api("charging")
    person_id = await person_in(charging)
    first = (await record(charging, person_id, role=Role.finance_officer)).json()
    url = f"/financial-assessments/{first['assessment_id']}"
    corrected = {**AT_HOME, "housing_costs_pence": 1000}
    headers = auth(Role.finance_officer)
    ok = await charging.client.patch(url, json={"revision": 1, "circumstances": corrected}, headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["weekly_charge_pence"] == first["weekly_charge_pence"] - 1000
    assert ok.json()["revision"] == 2
    stale = await charging.client.patch(url, json={"revision": 1, "circumstances": AT_HOME}, headers=headers)
    assert stale.status_code == 409
    assert (await charging.client.get(url, headers=headers)).json()["weekly_charge_pence"] == ok.json()[
        "weekly_charge_pence"
    ]


async def test_recording_publishes_completed_and_contribution_changed(api):
    charging = await api("charging")
    person_id = await person_in(charging)
    await record(charging, person_id)
    async with charging.sessions() as session:
        types = (await session.execute(select(outbox.c.event_type).order_by(outbox.c.id))).scalars().all()
    assert types[-2:] == ["financial_assessment.completed", "contribution.changed"]


async def test_overdue_reassessments_list_how_long_each_is_past_the_policy_limit(api):
    charging = await api("charging")
    old, recent = await person_in(charging), await person_in(charging)
    for person_id, assessed_on in ((old, "2025-04-07"), (recent, "2025-06-02")):
        assert (await record(charging, person_id, assessed_on=assessed_on)).status_code == 201
    url = "/reassessments/overdue"
    response = await charging.client.get(url, params={"on": "2027-04-17"}, headers=auth(Role.auditor))
    assert response.status_code == 200, response.text
    assert [(o["person_id"], o["due_on"], o["days_overdue"]) for o in response.json()] == [(str(old), "2027-04-07", 10)]
    csv_text = (
        await charging.client.get(url, params={"on": "2027-04-17", "format": "csv"}, headers=auth(Role.auditor))
    ).text
    header, row = csv_text.splitlines()
    assert header.startswith("person_id,assessment_id,assessed_on,due_on,days_overdue")
    assert row.startswith(str(old)) and ",2027-04-07,10," in row
