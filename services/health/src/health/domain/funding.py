"""Funding decisions: what the NHS has decided to pay for a person's care, from a date until its end.

The health service records the decision and tells charging and the ledger; it decides nothing about
charges or payments itself (docs/domain/health.md).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pbshared.contract.events.health import FundingBasis
from pbshared.errors import Issue


@dataclass(frozen=True)
class FundingDecision:
    decision_id: uuid.UUID
    council_id: str
    person_id: uuid.UUID
    basis: FundingBasis
    start_date: date
    nhs_share_percent: Decimal | None
    nhs_weekly_pence: int | None
    budget_id: uuid.UUID | None
    icb_code: str | None
    end_date: date | None  # the first day the NHS no longer funds
    revision: int
    recorded_by: str

    def share_problems(self) -> list[Issue]:
        """Joint funding names the NHS share, one way; every other basis is funded in full."""
        has_percent, has_amount = self.nhs_share_percent is not None, self.nhs_weekly_pence is not None
        if self.basis is FundingBasis.joint_funding:
            if has_percent and has_amount:
                return [Issue("nhs_weekly_pence", "give the NHS share as a percentage or a weekly amount, not both")]
            if not (has_percent or has_amount):
                return [Issue("nhs_share_percent", "joint funding needs the NHS share (or nhs_weekly_pence)")]
            return []
        return [
            Issue(name, f"{self.basis.value} is funded in full by the NHS: it takes no share")
            for name, present in (("nhs_share_percent", has_percent), ("nhs_weekly_pence", has_amount))
            if present
        ]

    def ended_on(self, end_date: date) -> FundingDecision:
        return dataclasses.replace(self, end_date=end_date, revision=self.revision + 1)

    def end_problems(self, end_date: date) -> list[Issue]:
        if self.end_date is not None:
            return [Issue("end_date", "the decision has already ended")]
        if end_date <= self.start_date:
            return [Issue("end_date", "must be after the decision's start_date")]
        return []

    def in_force_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day < self.end_date)
