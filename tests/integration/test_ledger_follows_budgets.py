"""The ledger through the real broker: an agreed budget with a direct payment part sets up an agreement,
charging's contribution changes it, the budget's end ends it; each answered on ledger.events."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.events.budgets import PersonalBudgetEnded
from pbshared.contract.events.charging import CollectedBy, ContributionChanged, ContributionReason
from pbshared.platform.kafka import read_topic
from pbshared.testing.harness import wait_for
from tests.integration.support import publish_raw
from tests.integration.test_charging_follows_budgets import agreed

pytestmark = pytest.mark.integration


def envelope(payload, producer: str, person_id: uuid.UUID) -> Envelope:
    return new_envelope(
        payload=payload,
        producer=producer,
        council_id="wyvernshire",
        subject_id=str(person_id),
        correlation_id=str(uuid.uuid4()),
    )


async def ledger_events(bootstrap: str, person_id: uuid.UUID) -> list[Envelope]:
    found = []
    for record in await read_topic(bootstrap, "ledger.events"):
        env = Envelope.from_bytes(record.value)
        if env.subject_id == str(person_id):
            found.append(env)
    return found


async def test_an_agreement_follows_the_budget_and_the_contribution(start_service, broker):
    ledger = await start_service("ledger")
    await ledger.consumer_ready()
    person_id, budget_id = uuid.uuid4(), uuid.uuid4()
    key = str(person_id).encode()
    budget = envelope(agreed(person_id, budget_id, 14_000), "ras", person_id)
    await publish_raw(broker.bootstrap_servers, [("ras.events", key, budget.to_bytes())])

    def seen(count: int):
        async def enough() -> bool:
            return len(await ledger_events(broker.bootstrap_servers, person_id)) >= count

        return enough

    await wait_for(seen(1), 30, "direct_payment.set_up on ledger.events")
    contribution = ContributionChanged(
        person_id=person_id,
        budget_id=budget_id,
        assessment_id=uuid.uuid4(),
        weekly_charge_pence=2_000,
        previous_weekly_charge_pence=0,
        effective_date=date(2025, 7, 7),
        collected_by=CollectedBy.council,
        reason=ContributionReason.assessment,
    )
    ended = PersonalBudgetEnded(
        person_id=person_id, budget_id=budget_id, budget_revision=2, end_date=date(2025, 9, 30), reason="deceased"
    )
    await publish_raw(
        broker.bootstrap_servers,
        [("charging.events", key, envelope(contribution, "charging", person_id).to_bytes())],
    )
    await wait_for(seen(2), 30, "direct_payment.changed on ledger.events")
    await publish_raw(broker.bootstrap_servers, [("ras.events", key, envelope(ended, "ras", person_id).to_bytes())])
    await wait_for(seen(3), 30, "direct_payment.ended on ledger.events")

    set_up, changed, ended_event = await ledger_events(broker.bootstrap_servers, person_id)
    assert set_up.event_type == "direct_payment.set_up" and set_up.payload["weekly_payable_pence"] == 14_000
    assert changed.event_type == "direct_payment.changed"
    assert (changed.payload["weekly_payable_pence"], changed.payload["reason"]) == (12_000, "contribution_changed")
    assert ended_event.event_type == "direct_payment.ended" and ended_event.payload["reason"] == "deceased"
    assert ended_event.payload["end_date"] == "2025-09-30"
