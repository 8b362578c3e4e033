"""A direct payment agreement: who is paid, onto which card account, from when, on what cycle.

Its amounts are not fields: they come from effective-dated series (ledger.domain.schedule), so the
agreement itself changes only in status, end, card account and the budget revision it follows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from ledger.domain.schedule import ScheduleInputs
from pbshared.contract.events.ledger import AgreementEndReason, AgreementStatus
from pbshared.errors import RuleBroken

GROSS = "gross"
SUSPENDED = "suspended"


@dataclass(frozen=True)
class Agreement:
    agreement_id: uuid.UUID
    council_id: str
    person_id: uuid.UUID
    budget_id: uuid.UUID
    budget_revision: int
    status: AgreementStatus
    start_date: date
    end_date: date | None
    end_reason: AgreementEndReason | None
    first_payment_date: date
    cycle_weeks: int
    contribution_paid_in: bool
    set_up_costs_pence: int
    opening_float_pence: int
    card_account_ref: str
    revision: int
    created_at: datetime
    updated_at: datetime

    def changed(self, now: datetime, **values: object) -> Agreement:
        return replace(self, **values, revision=self.revision + 1, updated_at=now)

    def suspend(self, now: datetime) -> Agreement:
        if self.status is not AgreementStatus.active:
            raise RuleBroken.about("status", "only an active agreement can be suspended")
        return self.changed(now, status=AgreementStatus.suspended)

    def resume(self, now: datetime) -> Agreement:
        if self.status is not AgreementStatus.suspended:
            raise RuleBroken.about("status", "only a suspended agreement can be resumed")
        return self.changed(now, status=AgreementStatus.active)

    def end(self, now: datetime, end_date: date, reason: AgreementEndReason) -> Agreement:
        if self.status is AgreementStatus.ended:
            raise RuleBroken.about("status", "the agreement has already ended")
        if end_date < self.start_date - _ONE_DAY:
            raise RuleBroken.about("end_date", "cannot be before the day before the agreement starts")
        return self.changed(now, status=AgreementStatus.ended, end_date=end_date, end_reason=reason)


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)


def placeholder_card_account(agreement_id: uuid.UUID) -> str:
    """Until finance records the card provider's reference, the account is known by the agreement."""
    return f"DP-{agreement_id.hex[:16].upper()}"


def opening_float(weeks: int, schedule: ScheduleInputs) -> int:
    """The opening float: weeks of what the council pays a week at the start (net, or gross when the
    contribution is paid in)."""
    terms = schedule.terms_on(schedule.start_date)
    return weeks * (terms.gross if schedule.contribution_paid_in else terms.net)
