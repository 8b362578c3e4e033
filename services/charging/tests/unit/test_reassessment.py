"""An assessment older than the council's limit is overdue, by the days past its due date."""

from __future__ import annotations

import uuid
from datetime import date

from charging.domain.reassessment import days_overdue, overdue, reassessment_due
from charging.domain.recorded import FinancialAssessment


def test_an_assessment_is_due_on_the_same_day_after_the_limit():
    assert reassessment_due(date(2023, 6, 5), 2) == date(2025, 6, 5)
    assert reassessment_due(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_days_overdue_counts_from_the_due_date():
    assert days_overdue(date(2023, 6, 5), date(2025, 6, 5), 2) == 0
    assert days_overdue(date(2023, 6, 5), date(2025, 6, 6), 2) == 1
    assert days_overdue(date(2023, 6, 5), date(2024, 1, 1), 2) == 0


def test_only_current_care_past_its_limit_is_overdue_with_its_days():
    def assessment(assessed_on: date, ended_on: date | None = None) -> FinancialAssessment:
        return FinancialAssessment(
            assessment_id=uuid.uuid4(),
            council_id="wyvernshire",
            person_id=uuid.uuid4(),
            revision=1,
            effective_date=assessed_on,
            assessed_on=assessed_on,
            weekly_charge_pence=1000,
            circumstances={},
            result={},
            ended_on=ended_on,
        )

    due, not_yet, ended = (
        assessment(date(2023, 3, 1)),
        assessment(date(2023, 3, 20)),
        assessment(date(2022, 1, 1), ended_on=date(2025, 3, 1)),
    )
    found = list(overdue([due, not_yet, ended], date(2025, 3, 11), limit_years=2))
    assert [(o.assessment, o.due_on, o.days_overdue) for o in found] == [(due, date(2025, 3, 1), 10)]
