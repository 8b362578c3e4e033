"""When a financial assessment is due for review: the council's limit in years (`reassessment_limit_years`).

Contributions left unreviewed for years are what the councils' papers say hurts most; the list of
overdue assessments is built from this rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from charging.domain.recorded import FinancialAssessment


def reassessment_due(assessed_on: date, limit_years: int) -> date:
    """The same day `limit_years` later (29 February falls back to 28 February)."""
    year = assessed_on.year + limit_years
    try:
        return assessed_on.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def days_overdue(assessed_on: date, today: date, limit_years: int) -> int:
    """How many days past its due date an assessment is on `today`; 0 if it is not yet due."""
    return max(0, (today - reassessment_due(assessed_on, limit_years)).days)


@dataclass(frozen=True)
class Overdue:
    assessment: FinancialAssessment
    due_on: date
    days_overdue: int


def overdue(assessments: Iterable[FinancialAssessment], today: date, limit_years: int) -> Iterator[Overdue]:
    """The current assessments past their review date on `today`, as they stream by; ended care is never due."""
    for assessment in assessments:
        if assessment.ended_on is not None and assessment.ended_on < today:
            continue
        days = days_overdue(assessment.assessed_on, today, limit_years)
        if days:
            yield Overdue(assessment, reassessment_due(assessment.assessed_on, limit_years), days)
