"""Review dates, reviews due and overdue, and transitional protection at a review."""

from __future__ import annotations

from datetime import date

from ras.domain.budgets.reviews import (
    ReviewStatus,
    add_months,
    next_review_date,
    review_status,
    reviews_due,
    transitional_protection,
)
from ras.domain.reference.budget_rules import BudgetRules


def test_the_first_review_is_the_councils_weeks_after_the_start(budget_rules) -> None:
    assert next_review_date(date(2026, 5, 4), None, budget_rules) == date(2026, 6, 15)  # 6 weeks


def test_after_a_review_the_next_is_the_councils_months_later(budget_rules) -> None:
    assert next_review_date(date(2026, 5, 4), date(2026, 6, 17), budget_rules) == date(2027, 6, 17)


def test_a_month_later_than_the_31st_is_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 12) == date(2027, 11, 15)


def test_a_review_is_due_from_the_notice_period_and_overdue_after_its_date(budget_rules) -> None:
    review = date(2026, 6, 15)  # 28 days' notice
    assert review_status(review, date(2026, 5, 17), budget_rules) is ReviewStatus.not_due
    assert review_status(review, date(2026, 5, 18), budget_rules) is ReviewStatus.due
    assert review_status(review, review, budget_rules) is ReviewStatus.due
    assert review_status(review, date(2026, 6, 16), budget_rules) is ReviewStatus.overdue


def test_the_list_of_reviews_due_and_overdue_leaves_out_those_not_due(budget_rules) -> None:
    listed = reviews_due(
        {"late": date(2026, 5, 1), "later": date(2026, 3, 1), "soon": date(2026, 6, 1), "far": date(2026, 9, 1)},
        date(2026, 5, 20),
        budget_rules,
    )
    assert listed == {ReviewStatus.due: ["soon"], ReviewStatus.overdue: ["later", "late"]}


def test_transitional_protection_limits_a_fall_to_the_councils_share_of_the_budget_before(budget_rules) -> None:
    protected = transitional_protection(20000, 15000, budget_rules)  # at most 10% down
    assert (protected.weekly_pence, protected.protection_pence) == (18000, 3000)
    assert "limits the fall to 10% of GBP 200.00" in protected.explanation
    assert transitional_protection(12345, 10000, budget_rules).weekly_pence == 11110  # 1,234.5p -> 1,235p


def test_a_fall_within_the_cap_and_any_rise_are_left_alone(budget_rules) -> None:
    assert transitional_protection(20000, 19000, budget_rules).weekly_pence == 19000
    assert transitional_protection(20000, 25000, budget_rules).weekly_pence == 25000


def test_without_transitional_protection_the_assessed_budget_stands(budget_rules_payload) -> None:
    rules = BudgetRules.model_validate({**budget_rules_payload, "transitional_protection": None})
    assert transitional_protection(20000, 15000, rules).weekly_pence == 15000
