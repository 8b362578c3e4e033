"""The council's budget rules (kind `budget_rules`): when a support plan is agreed at once, who may
approve it otherwise, when it is reviewed, how far it may fall at a review, and the envelope it must
fit. Format and sources: docs/domain/ras.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Self

from pydantic import Field, model_validator

from pbshared.contract.events.people import ClientGroup
from ras.domain.problems import Problem, ReferenceModel, reject_dataset

Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Pence = Annotated[int, Field(ge=0)]


class ApprovalLimits(ReferenceModel):
    """The highest estimated yearly cost a team manager may approve, by grade or by default."""

    default_annual_pence: Pence | None = None
    by_grade: dict[str, Pence] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _some_limit(self) -> Self:
        if self.default_annual_pence is None and not self.by_grade:
            reject_dataset(
                "ApprovalLimits", [Problem(("default_annual_pence",), "give a default limit or at least one grade's")]
            )
        return self

    def limit_for(self, grade: str | None) -> int | None:
        if grade is not None and grade in self.by_grade:
            return self.by_grade[grade]
        return self.default_annual_pence


class ReviewSchedule(ReferenceModel):
    first_review_after_weeks: int = Field(ge=1, le=52)
    then_every_months: int = Field(ge=1, le=12, description="Statutory guidance: at least every 12 months.")
    due_soon_days: int = Field(default=28, ge=0, le=366, description="A review is listed as due this long ahead.")


class TransitionalProtection(ReferenceModel):
    """Optional: at one review a budget falls by at most this share of the budget before it."""

    max_fall_percent: Percent


class BudgetRules(ReferenceModel):
    """The payload of a `budget_rules` dataset."""

    tolerance_percent: Percent = Field(
        description="A plan costing up to the indicative budget plus this share is agreed at once."
    )
    panel_threshold_weekly_pence: Pence = Field(description="A plan costing more a week goes to the panel.")
    approval_limits: ApprovalLimits
    reviews: ReviewSchedule
    contingency_percent: Percent
    transitional_protection: TransitionalProtection | None = None
    envelope_annual_pence: dict[ClientGroup, Pence] = Field(
        default_factory=dict, description="The year's budget for personal budgets, by client group."
    )
