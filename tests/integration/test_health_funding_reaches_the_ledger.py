"""Each NHS funding decision recorded at the health service reaches the ledger through the real broker
and changes who funds the person's direct payment (the ledger's own API says so)."""

from __future__ import annotations

import uuid

import pytest

from pbshared.contract.envelope import new_envelope
from pbshared.platform.auth import Role
from pbshared.testing.harness import auth, wait_for
from tests.api.health_support import decided_and_ended
from tests.integration.support import person_registered, publish_raw
from tests.integration.test_charging_follows_budgets import agreed

pytestmark = pytest.mark.integration

WORKER = auth(Role.social_worker)


async def terms_on(ledger, person_id: uuid.UUID, day: str) -> tuple[str, int]:
    response = await ledger.client.get(
        f"/people/{person_id}/direct-payments", params={"on": day}, headers=auth(Role.finance_officer)
    )
    assert response.status_code == 200, response.text
    agreements = response.json()
    return (agreements[0]["funder"], agreements[0]["nhs_weekly_pence"]) if agreements else ("none", 0)


async def test_each_funding_decision_changes_who_funds_the_direct_payment(start_service, broker):
    health = await start_service("health")
    ledger = await start_service("ledger")
    await health.consumer_ready()
    await ledger.consumer_ready()
    registered = person_registered()
    person_id = uuid.UUID(registered.subject_id)
    key = registered.subject_id.encode()
    # A budget of 245.00 a week, all of it a direct payment, from 7 July 2025.
    budget = new_envelope(
        payload=agreed(person_id, uuid.uuid4(), 24500),
        producer="ras",
        council_id="wyvernshire",
        subject_id=str(person_id),
        correlation_id=str(uuid.uuid4()),
    )
    await publish_raw(
        broker.bootstrap_servers, [("ras.events", key, registered.to_bytes()), ("ras.events", key, budget.to_bytes())]
    )

    async def set_up() -> bool:
        copied = (await health.client.get(f"/people/{person_id}", headers=WORKER)).status_code == 200
        return copied and await terms_on(ledger, person_id, "2025-07-07") == ("council", 0)

    await wait_for(set_up, 30, "health's copy of the person and the ledger's agreement")

    decisions = [
        # (basis, share, start, end, the funder and NHS part while it lasts)
        ("joint_funding", {"nhs_weekly_pence": 10000}, "2025-08-04", "2025-09-01", ("joint", 10000)),
        ("personal_health_budget", {}, "2025-09-08", "2025-10-06", ("nhs", 24500)),
        ("continuing_healthcare", {}, "2025-10-13", "2025-11-10", ("nhs", 24500)),
    ]
    for basis, share, start, end, during in decisions:
        await decided_and_ended(health, person_id, basis, share, start, end)

        async def followed(start=start, end=end, during=during) -> bool:
            return (await terms_on(ledger, person_id, start), await terms_on(ledger, person_id, end)) == (
                during,
                ("council", 0),
            )

        await wait_for(followed, 30, f"the ledger following {basis}")
