"""NHS funding decisions: continuing healthcare, joint funding, section 117 aftercare, personal health
budgets, and their ends; each publishes funding_responsibility.changed."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from health.adapters.funding_repository import FundingRepository
from health.domain.funding import FundingDecision
from health.domain.rules import IcbCode
from health.service_layer import funding as use_cases
from pbshared.contract.events.health import FundingBasis
from pbshared.errors import NotFound
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.fields import ReadRevision

router = APIRouter(tags=["funding decisions"])

_RECORDERS = frozenset({Role.social_worker, Role.team_manager})
_READERS = _RECORDERS | {Role.finance_officer, Role.auditor}
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/funding-decisions"): _RECORDERS,
    ("GET", "/funding-decisions/{decision_id}"): _READERS,
    ("GET", "/people/{person_id}/funding-decisions"): _READERS,
    ("POST", "/funding-decisions/{decision_id}/end"): _RECORDERS,
}


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID
    basis: FundingBasis
    start_date: date = Field(description="The first day the NHS funds.")
    nhs_share_percent: Decimal | None = Field(default=None, gt=0, le=100, max_digits=5, decimal_places=2)
    nhs_weekly_pence: int | None = Field(default=None, gt=0, le=10_000_000)
    budget_id: uuid.UUID | None = None
    icb_code: IcbCode | None = None


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    end_date: date = Field(description="The first day the NHS no longer funds.")


class DecisionOut(BaseModel):
    decision_id: uuid.UUID
    person_id: uuid.UUID
    basis: FundingBasis
    start_date: date
    nhs_share_percent: Decimal | None
    nhs_weekly_pence: int | None
    budget_id: uuid.UUID | None
    icb_code: str | None
    end_date: date | None
    revision: int
    recorded_by: str

    @classmethod
    def of(cls, d: FundingDecision) -> DecisionOut:
        return cls(**{name: getattr(d, name) for name in cls.model_fields})


@router.post("/funding-decisions", status_code=status.HTTP_201_CREATED, response_model=DecisionOut)
async def record(body: DecisionIn, principal: CurrentPrincipal, uow: Uow) -> DecisionOut:
    decision = await use_cases.record_decision(
        uow,
        principal.council_id,
        body.person_id,
        body.basis,
        body.start_date,
        nhs_share_percent=body.nhs_share_percent,
        nhs_weekly_pence=body.nhs_weekly_pence,
        budget_id=body.budget_id,
        icb_code=body.icb_code,
        by=principal.subject,
    )
    return DecisionOut.of(decision)


@router.get("/funding-decisions/{decision_id}", response_model=DecisionOut)
async def get_decision(decision_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> DecisionOut:
    decision = await FundingRepository(session).get(principal.council_id, decision_id)
    if decision is None:
        raise NotFound.about("decision_id", "no funding decision with that id", where="path")
    return DecisionOut.of(decision)


@router.get("/people/{person_id}/funding-decisions", response_model=list[DecisionOut])
async def decisions_of(person_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> list[DecisionOut]:
    return [DecisionOut.of(d) for d in await FundingRepository(session).of_person(principal.council_id, person_id)]


@router.post("/funding-decisions/{decision_id}/end", response_model=DecisionOut)
async def end(decision_id: uuid.UUID, body: EndIn, principal: CurrentPrincipal, uow: Uow) -> DecisionOut:
    """The NHS funding ends (publishes funding_responsibility.changed with change ended)."""
    ended = await use_cases.end_decision(uow, principal.council_id, decision_id, body.end_date, body.revision)
    return DecisionOut.of(ended)
