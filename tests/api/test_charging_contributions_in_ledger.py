"""What the ledger holds of a person's contribution once charging's changes reach it. The ledger takes,
on each day, the latest-dated change in force (ledger.domain.schedule): so charging's changes must say
the contribution from each date, and nothing is collected after a budget's end whichever of the end
and a later-dated NHS decision came first."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ledger.adapters.agreements_repository import AgreementsRepository
from ledger.bootstrap import SERVICE as LEDGER
from pbshared.contract.events.charging import ContributionChanged
from tests.api.test_charging_health import ASSESSED, Inbox, agreed_budget, assessed, budget_ended, funding

pytestmark = pytest.mark.integration


class Ledger(Inbox):
    """The ledger's consumer, sent RAS's budget events and charging's contribution changes."""

    def __init__(self, ledger):
        super().__init__(ledger, "ledger", LEDGER.all_subscriptions())
        self.ledger = ledger

    async def contribution(self, budget_id: uuid.UUID, days: tuple[str, ...]) -> list[int]:
        """The weekly contribution the schedule of the budget's agreement reads on each day."""
        async with self.ledger.sessions() as session:
            repo = AgreementsRepository(session)
            agreement = await repo.of_budget("wyvernshire", budget_id)
            assert agreement is not None
            schedule = (await repo.schedules([agreement]))[agreement.agreement_id]
        return [schedule.terms_on(date.fromisoformat(day)).contribution for day in days]


@pytest.mark.parametrize("end_first", [True, False], ids=["end_first", "nhs_decision_first"])
async def test_the_ledger_holds_no_contribution_after_the_budgets_end_in_either_order(api, end_first):
    # A direct payment of 270.00 a week from 7 July ends on 31 July; the NHS's joint funding from
    # 4 August (which the end makes moot) reaches charging before or after the end.
    charging, ledger = await api("charging"), Ledger(await api("ledger"))
    inbox, person_id = await assessed(charging)
    budget = agreed_budget(person_id, 27000, "2025-07-07")
    assert await inbox.send(budget, "ras") == "handled"
    assert await ledger.send(budget, "ras") == "handled"
    decision = funding(person_id, "joint_funding", "started", "2025-08-04", uuid.uuid4(), nhs_weekly_pence=25000)
    events = [(budget_ended(person_id, "2025-07-31", budget.budget_id), "ras"), (decision, "health")]
    for payload, producer in events if end_first else reversed(events):
        assert await inbox.send(payload, producer) == "handled"

    for change in await inbox.contributions(person_id):  # in the order charging published them
        assert await ledger.send(ContributionChanged.model_validate(change), "charging") == "handled"
    days = ("2025-07-31", "2025-08-01", "2025-08-04", "2025-12-01")
    assert await ledger.contribution(budget.budget_id, days) == [ASSESSED, 0, 0, 0]
