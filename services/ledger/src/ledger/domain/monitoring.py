"""Monitoring a direct payment account: arrears of contributions, surplus to recover, audits due.

Council policy sets the figures (docs/domain/direct-payments.md, "Monitoring"): the recovery
threshold in weeks of net payments (8 by default), and the audit schedule (a first check some weeks
after the start, then every 12 months: Direct Payments Regulations 2014, reg 7, is the legal floor).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Arrears:
    expected_pence: int  # contributions due up to the date
    paid_pence: int  # contributions paid into the card account up to the date
    oldest_unpaid_due: date | None  # the first due date the payments have not covered

    @property
    def arrears_pence(self) -> int:
        return max(0, self.expected_pence - self.paid_pence)


def arrears(due: Iterable[tuple[date, int]], paid: Iterable[tuple[date, int]], as_of: date) -> Arrears:
    """Contributions due against contributions paid in, up to `as_of`.

    Payments settle the oldest dues first, so the oldest unpaid due date says how long the person
    has been behind (what a finance officer chases by)."""
    dues = sorted((d, p) for d, p in due if d <= as_of)
    paid_total = sum(p for d, p in paid if d <= as_of)
    covered = paid_total
    oldest = None
    for due_date, pence in dues:
        if covered >= pence:
            covered -= pence
        else:
            oldest = due_date
            break
    return Arrears(sum(p for _, p in dues), paid_total, oldest)


def surplus_to_recover(balance_pence: int, weekly_net_pence: int, threshold_weeks: int) -> int:
    """What an account holds above `threshold_weeks` of net payments: proposed for recovery (0 if none).

    The threshold lets a person keep a buffer for irregular costs (holiday pay, an annual bill);
    only what is above it is proposed, and a finance officer decides."""
    return max(0, balance_pence - weekly_net_pence * threshold_weeks)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def audit_dates(start: date, first_after_weeks: int, then_every_months: int, until: date) -> list[date]:
    """When an agreement's account is audited: the first check, then every `then_every_months`."""
    first = start + timedelta(weeks=first_after_weeks)
    dates = []
    step = 0
    while (due := add_months(first, step * then_every_months)) <= until:
        dates.append(due)
        step += 1
    return dates


def audits_due(schedule: Iterable[date], done: Iterable[date], as_of: date) -> list[date]:
    """Scheduled audits on or before `as_of` not yet done: each audit done covers the earliest due one."""
    pending = sorted(d for d in schedule if d <= as_of)
    for _ in sorted(done):
        if pending:
            pending.pop(0)
    return pending
