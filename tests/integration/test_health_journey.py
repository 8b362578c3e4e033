"""The journey from hospital to a personal budget, through the real broker and four services' APIs:
a discharge notification, free reablement, the needs assessment RAS shows as due when reablement
ends, an agreed budget, and a charge that is nil during reablement and for what the NHS funds."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from health.service_layer.reablement import end_lapsed
from pbshared.platform.auth import Role
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import auth, wait_for
from tests.api.health_support import FHIR_JSON, discharge
from tests.api.test_assessments_api import _assessment, _full_answers
from tests.api.test_support_plans_api import _plan
from tests.integration.test_charging_follows_budgets import AT_HOME
from tests.integration.test_health_funding_reaches_charging import charge_on

pytestmark = pytest.mark.integration

WORKER = auth(Role.social_worker)
PARTNER = {**auth(Role.health_partner, subject="QWN"), **FHIR_JSON}


async def test_from_hospital_discharge_to_a_charged_budget(start_service, broker):
    # The worker's own loop would end episodes by today's date: here the test moves the clock.
    health = await start_service("health", reablement_poll_seconds=3600)
    ras = await start_service("ras")
    charging = await start_service("charging")
    for service in (health, ras, charging):
        await service.consumer_ready()

    # 1. The hospital says Ada went home on 16 March 2026: six weeks' free reablement start.
    response = await health.client.post(
        "/fhir/Bundle", json=discharge(discharged="2026-03-16T15:00:00+00:00"), headers=PARTNER
    )
    assert response.status_code == 201, response.text
    episode = response.json()
    person_id = episode["person_id"]
    assert (episode["free_until"], episode["assessment_due_date"]) == ("2026-04-26", "2026-04-19")

    # 2. RAS registers her with the id health proposed; every service learns of her.
    async def known_everywhere() -> bool:
        answers = [await s.client.get(f"/people/{person_id}", headers=WORKER) for s in (ras, health, charging)]
        return all(a.status_code == 200 for a in answers)

    await wait_for(known_everywhere, 30, "the referred person registered by RAS and copied")
    assessed = await charging.client.post(
        "/financial-assessments",
        json={"person_id": person_id, "circumstances": {**AT_HOME, "assessed_on": "2026-03-16"}},
        headers=WORKER,
    )
    assert assessed.status_code == 201, assessed.text

    # 3. Reablement is free: nothing to pay while it lasts, the assessed charge from the day after.
    assert assessed.json()["weekly_charge_pence"] == 0
    assert await charge_on(charging, uuid.UUID(person_id), "2026-04-26") == 0
    charge = await charge_on(charging, uuid.UUID(person_id), "2026-04-27")
    assert charge > 0

    # 4. The free period runs out (the durable timer, driven by the test's clock): RAS shows the
    # needs assessment as due, by the route of a hospital discharge.
    def new_uow() -> UnitOfWork:
        return UnitOfWork(health.sessions, "health", health.app.state.outbox_signal)

    assert await end_lapsed(new_uow, date(2026, 4, 27)) == 1

    async def assessment_due() -> bool:
        requests = (await ras.client.get("/requests?outcome=progress_to_assessment", headers=WORKER)).json()
        return [(r["person_id"], r["route_of_access"], r["request_date"]) for r in requests] == [
            (person_id, "hospital_discharge", "2026-04-19")
        ]

    await wait_for(assessment_due, 30, "RAS showing the assessment as due")

    # 5. The assessment and an agreed budget (10 hours of home care, 245.00 a week, from 4 May).
    answers = await _full_answers(ras, "2026-05-01")
    done = await ras.client.post("/assessments", json=_assessment(person_id, answers), headers=WORKER)
    assert done.status_code == 201, done.text
    agreed = await ras.client.post("/support-plans", json=_plan(done.json()["assessment_id"], "10"), headers=WORKER)
    assert agreed.status_code == 201, agreed.text
    assert agreed.json()["weekly_pence"] == 24500

    async def charged_after_reablement() -> bool:
        return await charge_on(charging, uuid.UUID(person_id), "2026-05-04") == min(charge, 24500)

    await wait_for(charged_after_reablement, 30, "the charge once reablement is over")

    # 6. The NHS funds 220.00 of the 245.00 from June: only the council's 25.00 is charged; then
    # continuing healthcare from July: nothing.
    for basis, share, start, expected in (
        ("joint_funding", {"nhs_weekly_pence": 22000}, "2026-06-01", min(charge, 2500)),
        ("continuing_healthcare", {}, "2026-07-06", 0),
    ):
        body = {"person_id": person_id, "basis": basis, "start_date": start, **share}
        assert (await health.client.post("/funding-decisions", json=body, headers=WORKER)).status_code == 201

        async def follows(start=start, expected=expected) -> bool:
            return await charge_on(charging, uuid.UUID(person_id), start) == expected

        await wait_for(follows, 30, f"charging following {basis}")

    # 7. The health partner for her area reads the plan and who funds it.
    search = "/fhir/CarePlan?patient.identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919"

    async def plan_readable() -> bool:
        bundle = (await health.client.get(search, headers=auth(Role.health_partner, subject="QWN"))).json()
        return bundle["total"] == 1

    await wait_for(plan_readable, 30, "health's copy of the budget")
