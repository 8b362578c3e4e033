"""Support plans API: plan and cost, approve or reject within one's authority, read a person's budgets."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from pbshared.contract.events.budgets import DeliveryMechanism, Funder, OneOffCost
from pbshared.platform.auth import CurrentPrincipal, Principal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.errors import FieldProblem, Problem
from pbshared.platform.fields import ReadRevision
from pbshared.platform.refdata.router import KnownCouncilPrincipal
from ras.domain.budgets.approval import NotYoursToDecide
from ras.domain.budgets.support_plan import PlanLine
from ras.domain.problems import Refused
from ras.entrypoints.refusals import unprocessable
from ras.service_layer import support_plans as use_cases

router = APIRouter(tags=["support plans"])

_PLANNERS = frozenset({Role.social_worker, Role.team_manager, Role.admin})
# The table lets both in; the approval limit in a team manager's token decides each plan.
_APPROVERS = frozenset({Role.team_manager, Role.panel})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/support-plans"): _PLANNERS,
    ("POST", "/support-plans/{budget_id}/approve"): _APPROVERS,
    ("POST", "/support-plans/{budget_id}/reject"): _APPROVERS,
    ("GET", "/people/{person_id}/budgets"): _PLANNERS | {Role.panel, Role.auditor},
}

Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class ServiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_type: str = Field(min_length=1, max_length=64, description="A service on the council's rate card.")
    units_per_week: Decimal = Field(ge=0, le=168 * 7, max_digits=7, decimal_places=2, description="Sent as text.")
    delivery: DeliveryMechanism
    carers_per_visit: int = Field(default=1, ge=1, le=4)

    def line(self) -> PlanLine:
        return PlanLine(self.service_type, self.units_per_week, self.delivery, self.carers_per_visit)


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assessment_id: uuid.UUID
    start_date: date
    funder: Funder = Funder.council
    services: list[ServiceIn] = Field(min_length=1, max_length=50)
    one_off_costs: list[OneOffCost] = Field(default_factory=list, max_length=50)
    justification: Reason


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    reasons: list[Reason] = Field(min_length=1, max_length=20)


class BudgetOut(BaseModel):
    budget_id: uuid.UUID
    person_id: uuid.UUID
    assessment_id: uuid.UUID
    status: str
    route: str
    client_group: str
    funder: str
    weekly_pence: int
    one_off_pence: int
    annual_pence: int = Field(description="The estimated yearly cost: weekly x 52 + one-off costs.")
    indicative_weekly_pence: int
    plan: dict[str, Any]
    justification: str
    start_date: date
    next_review_date: date | None
    effective_from: date
    end_date: date | None
    budget_revision: int
    proposal_status: str | None = Field(
        default=None, description="A review's revised plan awaiting a team manager or the panel."
    )
    proposal: dict[str, Any] | None = Field(default=None, description="That revised plan, costed.")
    revision: int


class DecisionOut(BaseModel):
    budget_id: uuid.UUID
    decision: str
    decided_by: str
    role: str
    decided_at: datetime
    reasons: list[str]
    budget_revision: int | None = Field(description="The budget revision decided on (proposed, if not agreed).")
    weekly_pence: int | None
    one_off_pence: int | None
    annual_pence: int | None
    effective_from: date | None


class RevisionOut(BaseModel):
    budget_id: uuid.UUID
    budget_revision: int | None
    weekly_pence: int | None
    one_off_pence: int | None
    annual_pence: int | None
    effective_from: date | None
    latest_decision: str
    decisions: list[DecisionOut]


class HistoryOut(BaseModel):
    budgets: list[BudgetOut]
    decisions: list[DecisionOut]
    revisions: list[RevisionOut] = Field(description="Every revision of every budget with its decisions.")


def decider(principal: Principal) -> use_cases.Decider:
    return use_cases.Decider(principal.subject, principal.role.value, principal.approval_limit_pence)


@router.post("/support-plans", status_code=status.HTTP_201_CREATED, response_model=BudgetOut)
async def submit_plan(body: PlanIn, principal: KnownCouncilPrincipal, uow: Uow) -> BudgetOut:
    """Cost the plan; agreed at once (publishes personal_budget.agreed) or left awaiting approval."""
    plan = use_cases.PlanIn(
        body.assessment_id,
        body.start_date,
        body.funder,
        [s.line() for s in body.services],
        body.one_off_costs,
        body.justification,
    )
    try:
        budget = await use_cases.submit_plan(uow, principal.council_id, plan, decider(principal))
    except Refused as refused:
        raise unprocessable(refused) from None
    return BudgetOut.model_validate(budget)


async def _decide(budget_id: uuid.UUID, body: DecisionIn, principal: Principal, uow: Any, approve: bool) -> BudgetOut:
    try:
        budget = await use_cases.decide_plan(
            uow,
            principal.council_id,
            budget_id,
            approve=approve,
            reasons=body.reasons,
            read_revision=body.revision,
            by=decider(principal),
        )
    except NotYoursToDecide as refused:
        raise Problem(
            403, refused.title, refused.message, [FieldProblem(["token", "approval_limit_pence"], refused.message)]
        ) from None
    return BudgetOut.model_validate(budget)


@router.post("/support-plans/{budget_id}/approve", response_model=BudgetOut)
async def approve_plan(budget_id: uuid.UUID, body: DecisionIn, principal: CurrentPrincipal, uow: Uow) -> BudgetOut:
    """Approve within your authority; publishes personal_budget.agreed, or for a review's revised plan
    personal_budget.revised."""
    return await _decide(budget_id, body, principal, uow, approve=True)


@router.post("/support-plans/{budget_id}/reject", response_model=BudgetOut)
async def reject_plan(budget_id: uuid.UUID, body: DecisionIn, principal: CurrentPrincipal, uow: Uow) -> BudgetOut:
    """Reject with reasons, within your authority."""
    return await _decide(budget_id, body, principal, uow, approve=False)


@router.get("/people/{person_id}/budgets", response_model=HistoryOut)
async def budget_history(person_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> HistoryOut:
    """Every plan and budget of the person, every decision on them with who, when and why, and every
    revision of every budget with its amounts and the decisions on it."""
    return HistoryOut.model_validate(await use_cases.budget_history(session, principal.council_id, person_id))
