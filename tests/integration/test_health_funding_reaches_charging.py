"""Each NHS funding decision recorded at the health service reaches charging through the real broker
and changes what the person is charged (charging's own API says so)."""

from __future__ import annotations

import uuid

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth, wait_for
from tests.api.health_support import decided_and_ended
from tests.integration.support import person_registered, publish_raw
from tests.integration.test_charging_follows_budgets import AT_HOME

pytestmark = pytest.mark.integration

WORKER = auth(Role.social_worker)


async def charge_on(charging, person_id: uuid.UUID, day: str) -> int:
    response = await charging.client.get(f"/people/{person_id}/charge", params={"on": day}, headers=auth(Role.auditor))
    assert response.status_code == 200, response.text
    return response.json()["weekly_charge_pence"]


async def test_each_funding_decision_changes_the_charge_and_each_end_restores_it(start_service, broker):
    health = await start_service("health")
    charging = await start_service("charging")
    await health.consumer_ready()
    await charging.consumer_ready()
    registered = person_registered()
    person_id = uuid.UUID(registered.subject_id)
    await publish_raw(broker.bootstrap_servers, [("ras.events", registered.subject_id.encode(), registered.to_bytes())])

    async def both_copied() -> bool:
        answers = [await service.client.get(f"/people/{person_id}", headers=WORKER) for service in (health, charging)]
        return all(a.status_code == 200 for a in answers)

    await wait_for(both_copied, 30, "the person in health's and charging's copies")
    body = {"person_id": str(person_id), "circumstances": AT_HOME}
    recorded = await charging.client.post("/financial-assessments", json=body, headers=WORKER)
    assert recorded.json()["weekly_charge_pence"] == 9750  # the cost of care is 300.00 a week

    decisions = [
        # (basis, share, start, end, the charge while it lasts)
        ("continuing_healthcare", {}, "2025-08-04", "2025-09-01", 0),
        ("section_117_aftercare", {}, "2025-09-08", "2025-10-06", 0),
        ("personal_health_budget", {}, "2025-10-13", "2025-11-10", 0),
        # The NHS pays 250.00 of the 300.00: only the council's 50.00 can be charged.
        ("joint_funding", {"nhs_weekly_pence": 25000}, "2025-11-17", "2025-12-15", 5000),
    ]
    for basis, share, start, end, during in decisions:
        await decided_and_ended(health, person_id, basis, share, start, end)

        async def applied(start=start, end=end, during=during) -> bool:
            return (await charge_on(charging, person_id, start), await charge_on(charging, person_id, end)) == (
                during,
                9750,
            )

        await wait_for(applied, 30, f"charging following {basis}")
