"""Reviews API: the reviews due and overdue, and recording a review of an agreed budget."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from pbshared.contract.events.budgets import OneOffCost
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.fields import ReadRevision
from ras.domain.problems import Refused
from ras.entrypoints.refusals import unprocessable
from ras.entrypoints.support_plans_api import BudgetOut, ServiceIn, decider
from ras.service_layer import reviews as use_cases

router = APIRouter(tags=["reviews"])

_REVIEWERS = frozenset({Role.social_worker, Role.team_manager, Role.admin})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("GET", "/reviews/due"): _REVIEWERS | {Role.panel, Role.auditor},
    ("POST", "/budgets/{budget_id}/reviews"): _REVIEWERS,
}


Code = Annotated[str, Field(min_length=1, max_length=40)]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    review_date: date
    reason: Code = Field(description="A `review_reason` code in force on the review date.")
    outcome: Code = Field(description="A `review_outcome` code in force on the review date.")
    effective_from: date = Field(description="A new plan applies from this day; an ended budget up to the day before.")
    services: list[ServiceIn] = Field(default_factory=list, max_length=50, description="The new plan, if it changes.")
    one_off_costs: list[OneOffCost] = Field(default_factory=list, max_length=50)


class ReviewsDueOut(BaseModel):
    due: list[BudgetOut]
    overdue: list[BudgetOut]


@router.get("/reviews/due", response_model=ReviewsDueOut)
async def reviews_due(principal: CurrentPrincipal, session: Session) -> ReviewsDueOut:
    """Agreed budgets whose review is due soon or overdue today, earliest first."""
    return ReviewsDueOut.model_validate(await use_cases.due_and_overdue(session, principal.council_id, date.today()))


@router.post("/budgets/{budget_id}/reviews", response_model=BudgetOut)
async def record_review(budget_id: uuid.UUID, body: ReviewIn, principal: CurrentPrincipal, uow: Uow) -> BudgetOut:
    """Record a review; a changed plan publishes personal_budget.revised, an end personal_budget.ended."""
    review = use_cases.Review(
        body.review_date,
        body.reason,
        body.outcome,
        body.effective_from,
        [s.line() for s in body.services],
        body.one_off_costs,
    )
    try:
        budget = await use_cases.record_review(
            uow, principal.council_id, budget_id, review, body.revision, decider(principal)
        )
    except Refused as refused:
        raise unprocessable(refused) from None
    return BudgetOut.model_validate(budget)
