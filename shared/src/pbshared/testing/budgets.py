"""RAS's budget events as tests of the services that follow them build them: one agreed budget,
plain and valid, with what a test cares about as arguments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from pbshared.contract.events.budgets import DeliverySplit, PersonalBudgetAgreed, PlannedService


def agreed_budget(
    person_id: uuid.UUID,
    weekly_pence: int,
    start: date | str,
    *,
    budget_id: uuid.UUID | None = None,
    council_managed_weekly_pence: int = 0,
    services: Sequence[PlannedService] = (),
    next_review_date: date | None = None,
) -> PersonalBudgetAgreed:
    """An older person's council-funded budget from `start`: a direct payment, less any part the
    council manages; with the services planned, if given (they cost `weekly_pence` between them);
    reviewed a year on unless said otherwise."""
    first_day = date.fromisoformat(start) if isinstance(start, str) else start
    return PersonalBudgetAgreed(
        person_id=person_id,
        budget_id=budget_id or uuid.uuid4(),
        budget_revision=1,
        client_group="older_people",
        funder="council",
        weekly_pence=weekly_pence,
        one_off_pence=0,
        annual_pence=weekly_pence * 52,
        delivery=DeliverySplit(
            direct_payment_weekly_pence=weekly_pence - council_managed_weekly_pence,
            council_managed_weekly_pence=council_managed_weekly_pence,
        ),
        services=list(services),
        start_date=first_day,
        effective_from=first_day,
        next_review_date=next_review_date or first_day + timedelta(days=364),
        reason="new_assessment",
    )
