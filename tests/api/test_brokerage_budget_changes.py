"""A revised or ended budget reaches its packages in every state, through the consumer: new hours
while bidding start a fresh round, a live placement changes, an end withdraws an open package or
ends the placement, and a replayed or late event changes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from brokerage.bootstrap import SERVICE
from pbshared.contract.events.budgets import PersonalBudgetAgreed, PersonalBudgetEnded, PersonalBudgetRevised
from pbshared.platform.consumer import EventConsumer
from tests.api.brokerage_support import BROKER, Brokerage, planned, provider, record

pytestmark = pytest.mark.integration

START = date.today() + timedelta(days=14)  # the handlers judge by the real clock


class Budget:
    """One person's budget as RAS would send it, revision by revision."""

    def __init__(self, b: Brokerage, person_id: uuid.UUID):
        self.b = b
        self.person_id = person_id
        self.budget_id = uuid.uuid4()
        self.revision = 0
        self.offset = 0
        self.consumer = EventConsumer(
            service="brokerage",
            sessions=b.service.sessions,
            bootstrap_servers="127.0.0.1:1",
            subscriptions=SERVICE.all_subscriptions(),
        )

    def _details(self, home_care_units: str | None, carers: int, effective_from: date) -> dict[str, Any]:
        services = [planned("personal_assistant", "direct_payment", "3", 1850)]
        if home_care_units is not None:
            services.append(planned("home_care", "council_managed", home_care_units, 2450, carers=carers))
        weekly = sum(s.weekly_cost_pence for s in services)
        council = sum(s.weekly_cost_pence for s in services if s.delivery == "council_managed")
        return dict(
            person_id=self.person_id,
            budget_id=self.budget_id,
            client_group="older_people",
            funder="council",
            weekly_pence=weekly,
            one_off_pence=0,
            annual_pence=weekly * 52,
            delivery={"council_managed_weekly_pence": council, "direct_payment_weekly_pence": weekly - council},
            services=services,
            start_date=START,
            effective_from=effective_from,
            next_review_date="2027-12-01",
            reason="new_assessment" if self.revision == 0 else "planned_review",
        )

    async def _send(self, payload) -> str:
        self.offset += 1
        return await self.consumer.process(record(payload, self.offset))

    async def agreed(self, units: str = "7") -> str:
        self.revision = 1
        return await self._send(PersonalBudgetAgreed(**self._details(units, 2, START), budget_revision=1))

    def revised_event(self, units: str | None, carers: int = 2, effective_from: date = START) -> PersonalBudgetRevised:
        self.revision += 1
        return PersonalBudgetRevised(
            **self._details(units, carers, effective_from),
            budget_revision=self.revision,
            supersedes_revision=self.revision - 1,
        )

    async def revised(self, units: str | None, carers: int = 2, effective_from: date = START) -> str:
        return await self._send(self.revised_event(units, carers, effective_from))

    async def ended(self, end_date: date) -> str:
        self.revision += 1
        event = PersonalBudgetEnded(
            person_id=self.person_id,
            budget_id=self.budget_id,
            budget_revision=self.revision,
            end_date=end_date,
            reason="support_ended_as_planned",
        )
        return await self._send(event)


@pytest.fixture
async def brokerage(api) -> Brokerage:
    b = Brokerage(await api("brokerage"))
    b.move_to(datetime.now(UTC))
    await b.admitted_provider("acorn")
    return b


async def _package(b: Brokerage) -> dict[str, Any]:
    [package] = (await b.client.get("/packages", headers=BROKER)).json()
    return package


async def _placed(b: Brokerage) -> tuple[Budget, dict[str, Any]]:
    budget = Budget(b, await b.person())
    assert await budget.agreed() == "handled"
    package_id = (await _package(b))["package_id"]
    assert (await b.bid(package_id, "acorn", 2000, start_days=15)).status_code == 201
    b.move_to(b.now + timedelta(hours=25))
    assert await b.fire_timers() == 1
    accepted = await b.client.post(f"/adverts/{package_id}/acceptance", headers=provider("acorn"))
    assert accepted.status_code == 200, accepted.text
    person = (await b.client.get(f"/adverts/{package_id}/person", headers=provider("acorn"))).json()
    return budget, (await b.client.get(f"/placements/{person['placement_id']}", headers=BROKER)).json()


async def test_new_hours_while_bidding_start_a_fresh_round_and_a_replay_changes_nothing(brokerage) -> None:
    b = brokerage
    budget = Budget(b, await b.person())
    await budget.agreed("7")
    first = await _package(b)
    bid = (await b.bid(first["package_id"], "acorn", 2000, start_days=15)).json()

    same_needs = budget.revised_event("7")  # only the direct payment part could have changed
    assert await budget._send(same_needs) == "handled"
    assert (await _package(b))["round"] == 1

    changed = budget.revised_event("10", carers=1)
    assert await budget._send(changed) == "handled"
    package = await _package(b)
    assert package["round"] == 2 and package["status"] == "advertised"
    assert (package["needs"]["units_per_week"], package["needs"]["carers_per_visit"]) == ("10.00", 1)
    own = (await b.client.get(f"/adverts/{first['package_id']}/bids", headers=provider("acorn"))).json()
    assert own[0]["bid_id"] == bid["bid_id"] and own[0]["status"] == "withdrawn"
    assert await b.events() == ["package.requested", "package.advertised", "package.advertised"]

    # Both deadlines pass (the handler judged by the real clock, so they are a moment apart): the old
    # round's timer finds nothing to do, and the fresh round, counted from its own start, is
    # re-advertised rather than escalated. A late copy of the revision then changes nothing.
    b.move_to(datetime.fromisoformat(package["deadline"]) + timedelta(seconds=1))
    assert await b.fire_timers() == 2
    readvertised = await _package(b)
    assert (readvertised["status"], readvertised["round"]) == ("advertised", 3)
    assert await budget._send(changed) == "handled"  # a new envelope: only the budget revision guards
    assert (await _package(b))["round"] == 3


async def test_new_hours_while_awaiting_acceptance_withdraw_the_award(brokerage) -> None:
    b = brokerage
    budget = Budget(b, await b.person())
    await budget.agreed("7")
    package_id = (await _package(b))["package_id"]
    await b.bid(package_id, "acorn", 2000, start_days=15)
    b.move_to(b.now + timedelta(hours=25))
    assert await b.fire_timers() == 1
    assert (await _package(b))["status"] == "awarded"
    await budget.revised("9")
    package = await _package(b)
    assert package["status"] == "advertised" and package["round"] == 2 and package["awarded_bid_id"] is None
    refused = await b.client.post(f"/adverts/{package_id}/acceptance", headers=provider("acorn"))
    assert refused.status_code == 404
    # The old acceptance window lapses harmlessly (the new round, set by the real clock, closes
    # unfilled by then and is re-advertised): nothing is awarded again.
    b.move_to(b.now + timedelta(hours=5))
    await b.fire_timers()
    assert (await _package(b))["status"] == "advertised"
    assert (await b.events()).count("package.awarded") == 1


async def test_a_revision_changes_a_live_placements_hours(brokerage) -> None:
    b = brokerage
    budget, placement = await _placed(b)
    later = START + timedelta(days=30)
    assert await budget.revised("12", effective_from=later) == "handled"
    changed = (await b.client.get(f"/placements/{placement['placement_id']}", headers=BROKER)).json()
    assert changed["units_per_week"] == "12.00" and changed["revision"] == placement["revision"] + 1
    acorn = (await b.client.get("/providers/acorn", headers=BROKER)).json()
    assert acorn["committed_hours_per_week"] == "24.00"  # 12 hours x 2 carers
    assert (await b.events())[-1] == "placement.changed"


async def test_an_end_ends_a_live_placement_and_a_late_revision_is_ignored(brokerage) -> None:
    b = brokerage
    budget, placement = await _placed(b)
    late_revision = budget.revised_event("20")
    last_day = START + timedelta(days=60)
    assert await budget.ended(last_day) == "handled"
    ended = (await b.client.get(f"/placements/{placement['placement_id']}", headers=BROKER)).json()
    assert (ended["end_date"], ended["end_reason"]) == (last_day.isoformat(), "budget_ended")
    acorn = (await b.client.get("/providers/acorn", headers=BROKER)).json()
    assert acorn["committed_hours_per_week"] == "0.00"
    # The revision before the end arrives after it: a lower revision changes nothing.
    assert await budget._send(late_revision) == "handled"
    assert (await b.client.get(f"/placements/{placement['placement_id']}", headers=BROKER)).json() == ended
    assert (await b.events())[-1] == "placement.ended"


async def test_an_end_withdraws_an_open_package_and_its_bids(brokerage) -> None:
    b = brokerage
    budget = Budget(b, await b.person())
    await budget.agreed()
    package_id = (await _package(b))["package_id"]
    await b.bid(package_id, "acorn", 2000, start_days=15)
    assert await budget.ended(START + timedelta(days=1)) == "handled"
    package = await _package(b)
    assert package["status"] == "withdrawn"
    assert (await b.client.get("/adverts", headers=provider("acorn"))).json() == []
    [bid] = (await b.client.get(f"/adverts/{package_id}/bids", headers=provider("acorn"))).json()
    assert bid["status"] == "withdrawn"
    b.move_to(b.now + timedelta(hours=25))
    await b.fire_timers()  # the deadline of a withdrawn package awards nothing
    assert (await _package(b))["status"] == "withdrawn"
    assert (await b.events())[-1] == "package.withdrawn"


async def test_a_revision_dropping_the_service_withdraws_an_escalated_package(brokerage) -> None:
    b = brokerage
    budget = Budget(b, await b.person())
    await budget.agreed()
    for _ in range(2):  # no bids: re-advertised once, then escalated
        b.move_to(datetime.fromisoformat((await _package(b))["deadline"]) + timedelta(seconds=1))
        await b.fire_timers()
    assert (await _package(b))["status"] == "escalated"
    assert await budget.revised(None) == "handled"
    package = await _package(b)
    assert (package["status"], package["withdrawal_reason"]) == ("withdrawn", "no_longer_in_budget")


async def test_a_revision_dropping_the_service_ends_the_placement_the_day_before(brokerage) -> None:
    b = brokerage
    budget, placement = await _placed(b)
    from_day = START + timedelta(days=40)
    await budget.revised(None, effective_from=from_day)
    ended = (await b.client.get(f"/placements/{placement['placement_id']}", headers=BROKER)).json()
    assert (ended["end_date"], ended["end_reason"]) == ((from_day - timedelta(days=1)).isoformat(), "needs_changed")
