"""What the NHS decided about a person's care, as the health service's events tell charging.

Continuing healthcare, section 117 aftercare and a personal health budget make care free while they
last; joint funding makes the NHS share free; reablement is free up to the council's limit
(docs/domain/charging.md, "Free by law or policy"). Charging keeps each decision as a period and
works the charge out again at every date where what applies changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class HealthBasis(StrEnum):
    continuing_healthcare = "continuing_healthcare"
    joint_funding = "joint_funding"
    section_117_aftercare = "section_117_aftercare"
    personal_health_budget = "personal_health_budget"
    reablement = "reablement"


FREE_IN_FULL = {
    HealthBasis.continuing_healthcare: "NHS continuing healthcare: the NHS pays the whole package",
    HealthBasis.section_117_aftercare: "section 117 aftercare (Mental Health Act 1983) is free",
    HealthBasis.personal_health_budget: "a personal health budget: the NHS pays for this care",
}

# Of two decisions in force on one day, the one that leaves the person less to pay applies.
_PRECEDENCE = (
    HealthBasis.section_117_aftercare,
    HealthBasis.continuing_healthcare,
    HealthBasis.personal_health_budget,
    HealthBasis.reablement,
    HealthBasis.joint_funding,
)


class HealthDecision(BaseModel):
    """The NHS decision that applies on an assessment's date; charging sets it, never the assessor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    basis: HealthBasis
    starts_on: date
    last_free_day: date | None = Field(default=None, description="reablement: free up to and including this day")
    nhs_share_percent: Decimal | None = Field(default=None, gt=0, le=100)
    nhs_weekly_pence: int | None = Field(default=None, gt=0)


@dataclass(frozen=True)
class HealthPeriod:
    """One decision or reablement episode: from `starts_on` until the day before `ends_on` (open if None)."""

    source_id: uuid.UUID
    basis: HealthBasis
    starts_on: date
    ends_on: date | None = None
    free_until: date | None = None  # reablement: the last free day the health service gave
    nhs_share_percent: Decimal | None = None
    nhs_weekly_pence: int | None = None
    budget_id: uuid.UUID | None = None

    def applies_on(self, day: date, budget_id: uuid.UUID | None) -> bool:
        if day < self.starts_on or (self.ends_on is not None and day >= self.ends_on):
            return False
        # A personal health budget named for another budget does not pay for this one.
        return self.budget_id is None or budget_id is None or self.budget_id == budget_id

    def last_free_day(self, free_weeks: int) -> date | None:
        """Reablement is free to the earlier of the health service's date and the council's limit."""
        if self.basis is not HealthBasis.reablement:
            return None
        limit = self.starts_on + timedelta(weeks=free_weeks, days=-1)
        return min(self.free_until or limit, limit)

    def decision(self, free_weeks_on: Callable[[date], int]) -> HealthDecision:
        return HealthDecision(
            basis=self.basis,
            starts_on=self.starts_on,
            last_free_day=self.last_free_day(free_weeks_on(self.starts_on)),
            nhs_share_percent=self.nhs_share_percent,
            nhs_weekly_pence=self.nhs_weekly_pence,
        )


def decision_on(
    periods: Iterable[HealthPeriod], day: date, budget_id: uuid.UUID | None, free_weeks_on: Callable[[date], int]
) -> HealthDecision | None:
    """The decision that applies on `day` (the most favourable to the person; of equals, the latest)."""
    applying = [p for p in periods if p.applies_on(day, budget_id)]
    if not applying:
        return None
    chosen = min(applying, key=lambda p: (_PRECEDENCE.index(p.basis), -p.starts_on.toordinal()))
    return chosen.decision(free_weeks_on)


def change_points(periods: Iterable[HealthPeriod], after: date, free_weeks_on: Callable[[date], int]) -> list[date]:
    """Every day after `after` on which what applies may change: starts, ends, and the day after
    reablement's last free day (the council's limit read from the policy in force when it started)."""
    days: set[date] = set()
    for p in periods:
        days.add(p.starts_on)
        if p.ends_on is not None:
            days.add(p.ends_on)
        last_free = p.last_free_day(free_weeks_on(p.starts_on))
        if last_free is not None:
            days.add(last_free + timedelta(days=1))
    return sorted(d for d in days if d > after)


def free_reason_on(decision: HealthDecision, day: date) -> str | None:
    if decision.basis in FREE_IN_FULL:
        return FREE_IN_FULL[decision.basis]
    if decision.basis is HealthBasis.reablement and decision.last_free_day and day <= decision.last_free_day:
        return (
            f"reablement is free until {decision.last_free_day.isoformat()} "
            "(regulation 3 and the council's reablement limit)"
        )
    return None
