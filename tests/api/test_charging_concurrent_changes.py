"""Two changes to one person's charge at the same moment, on PostgreSQL: RAS's budget and health's
decision come on their own topics and are handled side by side, and the assessor may record the first
assessment while a budget is being handled. Whatever runs together, the charge is the one the two
changes give in either order (charging takes the person's lock first: charging.adapters.charge_locks).

Without the lock each read the person's assessments before the other committed: the NHS decision was
worked out at the old cost of care, and a budget was kept for an assessment already recorded."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from charging.adapters.pending_budgets_repository import PendingBudgetsRepository
from pbshared.testing.budgets import agreed_budget
from tests.api.test_charging_assessments import person_in, record
from tests.api.test_charging_health import ASSESSED, Inbox, assessed, funding

pytestmark = pytest.mark.integration
ROUNDS = 6  # without the lock, every round of 6 went wrong


async def test_a_budget_and_an_nhs_decision_handled_at_once_give_the_council_part_of_the_budget(api):
    charging = await api("charging")
    for _ in range(ROUNDS):
        budgets, health = Inbox(charging), Inbox(charging)
        _, person_id = await assessed(charging)
        decision = funding(person_id, "joint_funding", "started", "2025-08-04", uuid.uuid4(), nhs_weekly_pence=25000)
        handled = await asyncio.gather(
            budgets.send(agreed_budget(person_id, 27000, "2025-07-07"), "ras"), health.send(decision, "health")
        )
        assert handled == ["handled", "handled"]
        # The budget (270.00) is the cost of care; the NHS pays 250.00 of it from 4 August.
        assert [await health.charge(person_id, day) for day in ("2025-07-07", "2025-08-04")] == [ASSESSED, 2000]


async def test_a_budget_handled_while_the_first_assessment_is_recorded_is_applied_to_it(api, monkeypatch):
    # The budget's handler finds no assessment and keeps the budget for the first one, slowly (as
    # under load); the assessor records the first assessment meanwhile.
    keep = PendingBudgetsRepository.keep

    async def slow_keep(self, *args):
        await asyncio.sleep(0.2)
        await keep(self, *args)

    monkeypatch.setattr(PendingBudgetsRepository, "keep", slow_keep)
    charging = await api("charging")
    budgets = Inbox(charging)
    person_id = await person_in(charging)

    async def record_meanwhile():
        await asyncio.sleep(0.05)
        return await record(charging, person_id)

    handled, recorded = await asyncio.gather(
        budgets.send(agreed_budget(person_id, 5000, "2025-06-02"), "ras"), record_meanwhile()
    )
    assert (handled, recorded.status_code) == ("handled", 201)
    # Kept and then applied to the assessment, or applied to it at once: the budget of 50.00 caps the charge.
    assert await budgets.charge(person_id, "2025-06-02") == 5000
