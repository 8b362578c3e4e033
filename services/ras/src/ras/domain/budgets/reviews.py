"""When a personal budget is next reviewed, which reviews are due, and how far it may fall at one.

Statutory guidance (chapter 13) asks for a review at least every 12 months; councils also review a
new package soon after it starts (commonly 6 to 8 weeks). Both figures are the council's rules.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from pbshared.contract.money import as_pounds, pence_half_up
from ras.domain.reference.budget_rules import BudgetRules


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_date(start_date: date, last_review: date | None, rules: BudgetRules) -> date:
    """The first review N weeks after the start; after each review, M months after it."""
    if last_review is None:
        return start_date + timedelta(weeks=rules.reviews.first_review_after_weeks)
    return add_months(last_review, rules.reviews.then_every_months)


class ReviewStatus(StrEnum):
    not_due = "not_due"
    due = "due"
    overdue = "overdue"


def review_status(next_review: date, today: date, rules: BudgetRules) -> ReviewStatus:
    """Overdue after its date; due from `due_soon_days` before it, so it can be booked in time."""
    if today > next_review:
        return ReviewStatus.overdue
    if today >= next_review - timedelta(days=rules.reviews.due_soon_days):
        return ReviewStatus.due
    return ReviewStatus.not_due


def reviews_due(next_reviews: Mapping[Hashable, date], today: date, rules: BudgetRules) -> dict[ReviewStatus, list]:
    """Budgets (by any key) whose review is due or overdue, each list earliest review first."""
    listed: dict[ReviewStatus, list] = {ReviewStatus.due: [], ReviewStatus.overdue: []}
    for key, review in sorted(next_reviews.items(), key=lambda item: item[1]):
        status = review_status(review, today, rules)
        if status in listed:
            listed[status].append(key)
    return listed


@dataclass(frozen=True)
class Protected:
    weekly_pence: int
    protection_pence: int
    explanation: str


def transitional_protection(previous_weekly_pence: int, assessed_weekly_pence: int, rules: BudgetRules) -> Protected:
    """The weekly budget after a review: the assessed figure, but never more than the council's cap below
    the previous one (the cap is a share of the previous budget, half up to the penny). Rises are untouched."""
    protection = rules.transitional_protection
    if protection is None or assessed_weekly_pence >= previous_weekly_pence:
        return Protected(assessed_weekly_pence, 0, "no transitional protection applies")
    largest_fall = pence_half_up(Decimal(previous_weekly_pence) * protection.max_fall_percent / 100)
    floor = previous_weekly_pence - largest_fall
    if assessed_weekly_pence >= floor:
        return Protected(assessed_weekly_pence, 0, f"the fall is within the {protection.max_fall_percent}% cap")
    return Protected(
        floor,
        floor - assessed_weekly_pence,
        f"assessed at {as_pounds(assessed_weekly_pence)} a week; transitional protection limits the fall to "
        f"{protection.max_fall_percent}% of {as_pounds(previous_weekly_pence)}: {as_pounds(floor)} a week",
    )


class ReviewReason(StrEnum):
    planned = "planned"
    unplanned = "unplanned"


class ReviewOutcome(StrEnum):
    """Client Level Data review outcomes, as far as they change the budget."""

    no_change = "no_change"
    more_support = "more_support"
    less_support = "less_support"
    moved_to_residential_care = "moved_to_residential_care"
    support_ended = "support_ended"


CHANGES_THE_PLAN = {ReviewOutcome.more_support, ReviewOutcome.less_support}
ENDS_THE_BUDGET = {ReviewOutcome.moved_to_residential_care, ReviewOutcome.support_ended}
