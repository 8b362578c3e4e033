"""An assessment older than the council's limit is overdue, by the days past its due date."""

from __future__ import annotations

from datetime import date

from charging.domain.reassessment import days_overdue, reassessment_due


def test_an_assessment_is_due_on_the_same_day_after_the_limit():
    assert reassessment_due(date(2023, 6, 5), 2) == date(2025, 6, 5)
    assert reassessment_due(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_days_overdue_counts_from_the_due_date():
    assert days_overdue(date(2023, 6, 5), date(2025, 6, 5), 2) == 0
    assert days_overdue(date(2023, 6, 5), date(2025, 6, 6), 2) == 1
    assert days_overdue(date(2023, 6, 5), date(2024, 1, 1), 2) == 0
