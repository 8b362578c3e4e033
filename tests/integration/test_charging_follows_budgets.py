"""Charging through the real broker: a budget event from RAS in, a contribution change out."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.events.budgets import PersonalBudgetAgreed, PersonalBudgetEnded
from pbshared.platform.auth import Role
from pbshared.platform.kafka import read_topic
from pbshared.testing.budgets import agreed_budget
from pbshared.testing.harness import RunningService, auth, wait_for
from tests.integration.support import person_registered, publish_raw

pytestmark = pytest.mark.integration

AT_HOME = {
    "assessed_on": "2025-06-02",
    "setting": "at_home",
    "weekly_cost_of_care_pence": 30000,
    "minimum_income_guarantee_allowance": "single_25_to_pension_credit_age",
    "income": [{"kind": "state_pension", "weekly_pence": 23000}],
}


def from_ras(payload, person_id: uuid.UUID) -> Envelope:
    return new_envelope(
        payload=payload,
        producer="ras",
        council_id="wyvernshire",
        subject_id=str(person_id),
        correlation_id=str(uuid.uuid4()),
    )


def agreed(
    person_id: uuid.UUID, budget_id: uuid.UUID, weekly_pence: int, start: date = date(2025, 7, 7)
) -> PersonalBudgetAgreed:
    return agreed_budget(person_id, weekly_pence, start, budget_id=budget_id, next_review_date=date(2026, 7, 6))


async def contributions(bootstrap: str, person_id: uuid.UUID) -> list[dict]:
    found = []
    for record in await read_topic(bootstrap, "charging.events"):
        envelope = Envelope.from_bytes(record.value)
        if envelope.event_type == "contribution.changed" and envelope.subject_id == str(person_id):
            found.append(envelope.payload)
    return found


async def assessed_person(start_service, broker) -> tuple[RunningService, Envelope]:
    """Charging running, a person registered through RAS's topic and assessed at 97.50 a week."""
    charging = await start_service("charging")
    await charging.consumer_ready()
    registered = person_registered()
    person_id = uuid.UUID(registered.subject_id)
    await publish_raw(broker.bootstrap_servers, [("ras.events", registered.subject_id.encode(), registered.to_bytes())])

    async def copied() -> bool:
        response = await charging.client.get(f"/people/{person_id}", headers=auth(Role.finance_officer))
        return response.status_code == 200

    await wait_for(copied, 30, "charging's copy of the person")
    body = {"person_id": str(person_id), "circumstances": AT_HOME}
    recorded = await charging.client.post("/financial-assessments", json=body, headers=auth(Role.social_worker))
    assert recorded.json()["weekly_charge_pence"] == 9750
    return charging, registered


async def test_a_budget_below_the_charge_caps_it_and_its_end_stops_it(start_service, broker):
    charging, registered = await assessed_person(start_service, broker)
    person_id = uuid.UUID(registered.subject_id)

    # The agreed budget (50.00 a week) is below the assessed charge (97.50): the charge follows it down.
    budget_id = uuid.uuid4()
    ended = PersonalBudgetEnded(
        person_id=person_id, budget_id=budget_id, budget_revision=2, end_date=date(2025, 9, 30), reason="deceased"
    )
    key = registered.subject_id.encode()
    await publish_raw(
        broker.bootstrap_servers,
        [
            ("ras.events", key, from_ras(agreed(person_id, budget_id, 5000), person_id).to_bytes()),
            ("ras.events", key, from_ras(ended, person_id).to_bytes()),
        ],
    )

    async def three_changes() -> bool:
        return len(await contributions(broker.bootstrap_servers, person_id)) >= 3

    await wait_for(three_changes, 30, "contribution changes on charging.events")
    first, capped, stopped = await contributions(broker.bootstrap_servers, person_id)
    assert (first["weekly_charge_pence"], first["reason"]) == (9750, "assessment")
    assert capped["weekly_charge_pence"] == 5000
    assert (capped["effective_date"], capped["reason"]) == ("2025-07-07", "cost_of_care_changed")
    assert (capped["budget_id"], capped["collected_by"]) == (str(budget_id), "council")
    assert (stopped["weekly_charge_pence"], stopped["effective_date"]) == (0, "2025-10-01")
    assert stopped["reason"] == "care_ended"
