"""Charging follows the NHS's decisions (health events through the consumer): continuing healthcare,
section 117 aftercare and personal health budgets make care free, joint funding makes the NHS share
free, reablement is free up to the council's limit; each end restores the council's charge."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import select

from charging.adapters.tables import financial_assessments
from charging.bootstrap import SERVICE
from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.events.budgets import PersonalBudgetEnded
from pbshared.contract.events.health import (
    FundingResponsibilityChanged,
    ReablementEpisodeEnded,
    ReablementEpisodeStarted,
)
from pbshared.platform.auth import Role
from pbshared.platform.consumer import EventConsumer
from pbshared.platform.tables import outbox
from pbshared.testing.budgets import agreed_budget
from pbshared.testing.harness import auth
from pbshared.testing.records import consumer_record
from tests.api.test_charging_assessments import person_in, record

pytestmark = pytest.mark.integration

READER = auth(Role.finance_officer)
ASSESSED = 23000 - 11250 - 2000  # pension less MIG and the standard DRE, as in test_charging_assessments


class Inbox:
    """Sends events to charging's consumer (or another service's), as the broker would, and reads
    charges back."""

    def __init__(self, charging, service: str = "charging", subscriptions=None):
        self.charging = charging
        self.offset = 0
        self.last: ConsumerRecord | None = None
        self.consumer = EventConsumer(
            service=service,
            sessions=charging.sessions,
            bootstrap_servers="127.0.0.1:1",
            subscriptions=SERVICE.all_subscriptions() if subscriptions is None else subscriptions,
        )

    async def send(self, payload, producer: str = "health") -> str:
        envelope = new_envelope(
            payload=payload,
            producer=producer,
            council_id="wyvernshire",
            subject_id=str(payload.person_id),
            correlation_id="c",
        )
        self.offset += 1
        message = consumer_record(envelope, f"{producer}.events", self.offset)
        self.last = message
        return await self.consumer.process(message)

    async def send_again(self) -> str:
        assert self.last is not None
        return await self.consumer.process(self.last)

    async def charge(self, person_id: uuid.UUID, on: str) -> int:
        response = await self.charging.client.get(f"/people/{person_id}/charge", params={"on": on}, headers=READER)
        return response.json()["weekly_charge_pence"]

    async def current(self, person_id: uuid.UUID, on: str) -> dict:
        url = f"/people/{person_id}/financial-assessments/current"
        return (await self.charging.client.get(url, params={"on": on}, headers=READER)).json()

    async def outbox(self, event_type: str) -> list[dict]:
        async with self.charging.sessions() as session:
            rows = await session.execute(
                select(outbox.c.message).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
            )
            envelopes = [Envelope.from_bytes(m if isinstance(m, bytes) else m.encode()) for m in rows.scalars()]
        return [{"subject_id": e.subject_id, "payload": e.payload} for e in envelopes]

    async def contributions(self, person_id: uuid.UUID) -> list[dict]:
        changes = await self.outbox("contribution.changed")
        return [c["payload"] for c in changes if c["subject_id"] == str(person_id)]


def funding(person_id: uuid.UUID, basis: str, change: str, effective: str, decision_id: uuid.UUID, **share):
    return FundingResponsibilityChanged(
        person_id=person_id,
        decision_id=decision_id,
        basis=basis,
        change=change,
        effective_date=effective,
        **share,
    )


async def assessed(charging) -> tuple[Inbox, uuid.UUID]:
    person_id = await person_in(charging)
    assert (await record(charging, person_id)).json()["weekly_charge_pence"] == ASSESSED
    return Inbox(charging), person_id


async def test_continuing_healthcare_is_free_while_it_lasts_and_its_end_restores_the_charge(api):
    health, person_id = await assessed(await api("charging"))
    decision = uuid.uuid4()
    started = funding(person_id, "continuing_healthcare", "started", "2025-08-04", decision)
    assert await health.send(started) == "handled"
    assert await health.send_again() == "duplicate"
    assert await health.charge(person_id, "2025-08-03") == ASSESSED
    assert await health.charge(person_id, "2025-08-04") == 0
    result = (await health.current(person_id, "2025-08-04"))["result"]
    assert "continuing healthcare" in result["free_reason"] and result["free"]

    assert await health.send(funding(person_id, "continuing_healthcare", "ended", "2025-10-06", decision)) == "handled"
    assert await health.charge(person_id, "2025-10-05") == 0
    assert await health.charge(person_id, "2025-10-06") == ASSESSED
    contributions = await health.contributions(person_id)
    changes = [(c["weekly_charge_pence"], c["effective_date"], c["reason"]) for c in contributions]
    assert changes == [
        (ASSESSED, "2025-06-02", "assessment"),
        (0, "2025-08-04", "nhs_funding_changed"),
        (ASSESSED, "2025-10-06", "nhs_funding_changed"),
    ]


@pytest.mark.parametrize(
    ("share", "council_part"),
    [
        ({"nhs_weekly_pence": 25000}, 30000 - 25000),
        # 83.33% of 300.00 is 249.99; the NHS share's fraction of a penny goes the person's way.
        ({"nhs_share_percent": Decimal("83.33")}, 30000 - 24999),
    ],
)
async def test_joint_funding_charges_only_the_council_funded_part(api, share, council_part):
    health, person_id = await assessed(await api("charging"))
    decision = uuid.uuid4()
    await health.send(funding(person_id, "joint_funding", "started", "2025-07-07", decision, **share))
    assert await health.charge(person_id, "2025-07-07") == council_part
    result = (await health.current(person_id, "2025-07-07"))["result"]
    assert result["free_reason"] is None and "joint funding" in result["part_free_reason"]
    completed = [m for m in await health.outbox("financial_assessment.completed") if m["subject_id"] == str(person_id)]
    assert "joint funding" in completed[-1]["payload"]["part_free_reason"]
    nhs_part = next(s for s in result["steps"] if s["label"] == "NHS-funded part")
    assert (nhs_part["pence"], nhs_part["treatment"]) == (30000 - council_part, "disregarded")
    await health.send(funding(person_id, "joint_funding", "ended", "2025-09-01", decision))
    assert await health.charge(person_id, "2025-09-01") == ASSESSED


@pytest.mark.parametrize("budget_first", [True, False], ids=["budget_first", "nhs_decision_first"])
async def test_joint_funding_and_the_agreed_budget_give_one_charge_whichever_event_comes_first(api, budget_first):
    # The NHS pays 250.00 a week from 4 August; the agreed budget (270.00 from 7 July) is the cost of
    # care, so the council's part from 4 August is 20.00. RAS's and health's events travel on different
    # topics: charging must reach the same charge in either order.
    health, person_id = await assessed(await api("charging"))
    decision = funding(person_id, "joint_funding", "started", "2025-08-04", uuid.uuid4(), nhs_weekly_pence=25000)
    events = [(agreed_budget(person_id, 27000, "2025-07-07"), "ras"), (decision, "health")]
    for payload, producer in events if budget_first else reversed(events):
        assert await health.send(payload, producer) == "handled"
    assert [await health.charge(person_id, day) for day in ("2025-07-07", "2025-08-04")] == [ASSESSED, 2000]
    current = await health.current(person_id, "2025-08-04")
    assert current["circumstances"]["weekly_cost_of_care_pence"] == 27000


def budget_ended(person_id: uuid.UUID, end: str, budget_id: uuid.UUID | None = None) -> PersonalBudgetEnded:
    return PersonalBudgetEnded(
        person_id=person_id,
        budget_id=budget_id or uuid.uuid4(),
        budget_revision=2,
        end_date=date.fromisoformat(end),
        reason="support_ended_as_planned",
    )


@pytest.mark.parametrize("budget_end_first", [True, False], ids=["budget_end_first", "nhs_decision_first"])
async def test_a_budget_that_ends_before_a_later_nhs_decision_stops_every_later_charge(api, budget_end_first):
    # The budget ends on 31 July; the NHS's joint funding from 4 August may arrive before the end
    # (charging has then already recorded an assessment from 4 August, and published its charge from
    # then) or after it: nothing is charged from 1 August either way, and the contribution falls to
    # zero from each date a charge was published for.
    health, person_id = await assessed(await api("charging"))
    decision = funding(person_id, "joint_funding", "started", "2025-08-04", uuid.uuid4(), nhs_weekly_pence=25000)
    events = [(budget_ended(person_id, "2025-07-31"), "ras"), (decision, "health")]
    for payload, producer in events if budget_end_first else reversed(events):
        assert await health.send(payload, producer) == "handled"
    days = ("2025-07-31", "2025-08-01", "2025-08-04", "2025-12-01")
    assert [await health.charge(person_id, day) for day in days] == [ASSESSED, 0, 0, 0]
    stopped = [c for c in await health.contributions(person_id) if c["weekly_charge_pence"] == 0]
    published_later = [] if budget_end_first else [(30000 - 25000, "2025-08-04", "care_ended")]
    assert [(c["previous_weekly_charge_pence"], c["effective_date"], c["reason"]) for c in stopped] == [
        (ASSESSED, "2025-08-01", "care_ended"),
        *published_later,
    ]


async def test_a_recalculation_from_before_a_budgets_end_keeps_the_end(api):
    # The budget has ended on 31 July; joint funding from 14 July comes afterwards: the charge from
    # 14 July is the council's part, and still nothing from 1 August.
    health, person_id = await assessed(await api("charging"))
    await health.send(budget_ended(person_id, "2025-07-31"), "ras")
    decision = funding(person_id, "joint_funding", "started", "2025-07-14", uuid.uuid4(), nhs_weekly_pence=25000)
    assert await health.send(decision) == "handled"
    days = ("2025-07-13", "2025-07-14", "2025-07-31", "2025-08-01")
    assert [await health.charge(person_id, day) for day in days] == [ASSESSED, 30000 - 25000, 30000 - 25000, 0]


async def test_section_117_aftercare_and_a_personal_health_budget_are_free(api):
    charging = await api("charging")
    for basis in ("section_117_aftercare", "personal_health_budget"):
        health, person_id = await assessed(charging)
        await health.send(funding(person_id, basis, "started", "2025-07-07", uuid.uuid4()))
        assert await health.charge(person_id, "2025-07-07") == 0, basis
        assert (await health.current(person_id, "2025-07-07"))["result"]["free_reason"], basis


async def test_a_personal_health_budget_for_another_budget_leaves_this_charge_alone(api):
    health, person_id = await assessed(await api("charging"))
    phb = funding(person_id, "personal_health_budget", "started", "2025-07-07", uuid.uuid4(), budget_id=uuid.uuid4())
    async with health.charging.sessions() as session, session.begin():
        await session.execute(financial_assessments.update().values(budget_id=uuid.uuid4()))
    await health.send(phb)
    assert await health.charge(person_id, "2025-07-07") == ASSESSED


async def test_reablement_before_the_assessment_is_free_up_to_the_councils_limit(api):
    charging = await api("charging")
    health, person_id = Inbox(charging), await person_in(charging)
    # The health service offers ten weeks; Wyvernshire's policy makes six free (to 2025-07-13).
    started = ReablementEpisodeStarted(
        person_id=person_id,
        episode_id=uuid.uuid4(),
        start_date=date(2025, 6, 2),
        free_until=date(2025, 8, 10),
        assessment_due_date=date(2025, 8, 11),
    )
    assert await health.send(started) == "handled"
    response = await record(charging, person_id)
    assert response.status_code == 201, response.text
    assert response.json()["weekly_charge_pence"] == 0
    assert "reablement is free until 2025-07-13" in response.json()["result"]["free_reason"]
    assert await health.charge(person_id, "2025-07-13") == 0
    assert await health.charge(person_id, "2025-07-14") == ASSESSED


async def test_reablement_that_ends_early_is_charged_from_the_day_after(api):
    health, person_id = await assessed(await api("charging"))
    episode = uuid.uuid4()
    await health.send(
        ReablementEpisodeStarted(
            person_id=person_id,
            episode_id=episode,
            start_date=date(2025, 6, 9),
            free_until=date(2025, 7, 20),
            assessment_due_date=date(2025, 7, 21),
        )
    )
    assert await health.charge(person_id, "2025-06-09") == 0
    await health.send(
        ReablementEpisodeEnded(
            person_id=person_id,
            episode_id=episode,
            end_date=date(2025, 6, 27),
            reason="no_longer_needed",
            assessment_due_date=date(2025, 7, 4),
        )
    )
    assert await health.charge(person_id, "2025-06-27") == 0
    assert await health.charge(person_id, "2025-06-28") == ASSESSED
    assert await health.charge(person_id, "2025-07-21") == ASSESSED


async def test_an_assessor_cannot_say_what_the_nhs_or_brokerage_decided_and_hears_every_other_problem(api):
    charging = await api("charging")
    person_id = await person_in(charging)
    response = await record(
        charging,
        person_id,
        health={"basis": "continuing_healthcare", "starts_on": "2025-06-02"},
        placed={"weekly_pence": 100},
        housing_costs_pence=-1,
    )
    assert response.status_code == 422
    assert sorted(e["loc"][-1] for e in response.json()["errors"]) == ["health", "housing_costs_pence", "placed"]
