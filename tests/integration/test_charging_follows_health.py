"""Charging through the real broker: an NHS funding decision from the health service changes what the
person is charged."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from pbshared.contract.envelope import new_envelope
from pbshared.contract.events.health import FundingResponsibilityChanged
from pbshared.platform.auth import Role
from pbshared.testing.harness import auth, wait_for
from tests.integration.support import publish_raw
from tests.integration.test_charging_follows_budgets import assessed_person, contributions

pytestmark = pytest.mark.integration


async def test_continuing_healthcare_from_the_health_service_stops_the_charge(start_service, broker):
    charging, registered = await assessed_person(start_service, broker)
    person_id = uuid.UUID(registered.subject_id)
    key = registered.subject_id.encode()

    decision = FundingResponsibilityChanged(
        person_id=person_id,
        decision_id=uuid.uuid4(),
        basis="continuing_healthcare",
        change="started",
        effective_date=date(2025, 8, 4),
        icb_code="QWU",
    )
    envelope = new_envelope(
        payload=decision,
        producer="health",
        council_id="wyvernshire",
        subject_id=str(person_id),
        correlation_id=str(uuid.uuid4()),
    )
    await publish_raw(broker.bootstrap_servers, [("health.events", key, envelope.to_bytes())])

    async def two_changes() -> bool:
        return len(await contributions(broker.bootstrap_servers, person_id)) >= 2

    await wait_for(two_changes, 30, "the contribution change the NHS decision causes")
    first, free = await contributions(broker.bootstrap_servers, person_id)
    assert (first["weekly_charge_pence"], first["reason"]) == (9750, "assessment")
    assert (free["weekly_charge_pence"], free["previous_weekly_charge_pence"]) == (0, 9750)
    assert (free["effective_date"], free["reason"]) == ("2025-08-04", "nhs_funding_changed")
    charge = await charging.client.get(
        f"/people/{person_id}/charge", params={"on": "2025-08-04"}, headers=auth(Role.auditor)
    )
    assert charge.json()["weekly_charge_pence"] == 0
