"""Financial assessments: record one, correct it, and read the charge as it is or was on any date."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from charging.adapters.assessments_repository import AssessmentsRepository
from charging.domain.financial_assessment import AssessmentRefused
from charging.domain.recorded import FinancialAssessment, in_force_on
from charging.service_layer import assessments as use_cases
from pbshared.contract.events.charging import CollectedBy
from pbshared.errors import NotFound
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.errors import FieldProblem, Problem
from pbshared.platform.refdata.router import KnownCouncilPrincipal

router = APIRouter(tags=["financial assessments"])

ASSESSORS = frozenset({Role.social_worker, Role.finance_officer})
READERS = ASSESSORS | {Role.team_manager, Role.auditor, Role.admin}
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/financial-assessments"): ASSESSORS,
    ("GET", "/financial-assessments/{assessment_id}"): READERS,
    ("PATCH", "/financial-assessments/{assessment_id}"): ASSESSORS,
    ("GET", "/people/{person_id}/financial-assessments"): READERS,
    ("GET", "/people/{person_id}/financial-assessments/current"): READERS,
    ("GET", "/people/{person_id}/charge"): READERS,
}

Circumstances = Annotated[
    dict[str, Any],
    Field(
        description="What the assessment is told: income, capital, costs, care, assessed_on (docs/domain/charging.md)."
    ),
]


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID = Field(description="A person this service holds a copy of (registered in RAS).")
    circumstances: Circumstances


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: int = Field(ge=1, le=2**31 - 1, description="The revision you read; if it changed since: 409.")
    circumstances: Circumstances


class AssessmentOut(BaseModel):
    assessment_id: uuid.UUID
    person_id: uuid.UUID
    budget_id: uuid.UUID | None
    revision: int
    effective_date: date
    assessed_on: date = Field(description="The last full assessment; recalculations keep it.")
    ended_on: date | None
    weekly_charge_pence: int
    collected_by: CollectedBy
    circumstances: dict[str, Any]
    result: dict[str, Any] = Field(description="Every step, the figures and policy versions used.")

    @classmethod
    def of(cls, a: FinancialAssessment) -> AssessmentOut:
        return cls(
            assessment_id=a.assessment_id,
            person_id=a.person_id,
            budget_id=a.budget_id,
            revision=a.revision,
            effective_date=a.effective_date,
            assessed_on=a.assessed_on,
            ended_on=a.ended_on,
            weekly_charge_pence=a.weekly_charge_pence,
            collected_by=a.collected_by,
            circumstances=a.circumstances,
            result=a.result,
        )


class ChargeOn(BaseModel):
    person_id: uuid.UUID
    on: date
    weekly_charge_pence: int
    assessment_id: uuid.UUID | None


def _refused(refused: AssessmentRefused) -> Problem:
    def loc(location: Sequence[str | int]) -> list[str | int]:
        return ["body", *location] if location == ("person_id",) else ["body", "circumstances", *location]

    errors = [FieldProblem(loc(p.location), p.message) for p in refused.problems]
    return Problem(422, "Financial assessment refused", "nothing was stored", errors)


def _with_etag(assessment: FinancialAssessment, response: Response) -> AssessmentOut:
    response.headers["ETag"] = f'"{assessment.revision}"'
    return AssessmentOut.of(assessment)


@router.post("/financial-assessments", status_code=status.HTTP_201_CREATED, response_model=AssessmentOut)
async def record_assessment(
    body: AssessmentIn, principal: KnownCouncilPrincipal, uow: Uow, response: Response
) -> AssessmentOut:
    """Work out and record a person's charge; supersedes the one before from its effective date.
    Publishes financial_assessment.completed, and contribution.changed if the charge changed."""
    try:
        assessment = await use_cases.record_assessment(uow, principal.council_id, body.person_id, body.circumstances)
    except AssessmentRefused as refused:
        raise _refused(refused) from None
    return _with_etag(assessment, response)


@router.patch("/financial-assessments/{assessment_id}", response_model=AssessmentOut)
async def correct_assessment(
    assessment_id: uuid.UUID, body: Correction, principal: CurrentPrincipal, uow: Uow, response: Response
) -> AssessmentOut:
    """Correct what an assessment was told; it is worked out again from the corrected circumstances."""
    try:
        assessment = await use_cases.correct_assessment(
            uow, principal.council_id, assessment_id, body.circumstances, body.revision
        )
    except AssessmentRefused as refused:
        raise _refused(refused) from None
    return _with_etag(assessment, response)


@router.get("/financial-assessments/{assessment_id}", response_model=AssessmentOut)
async def get_assessment(
    assessment_id: uuid.UUID, principal: CurrentPrincipal, session: Session, response: Response
) -> AssessmentOut:
    found = await AssessmentsRepository(session).get(principal.council_id, assessment_id)
    if found is None:
        raise NotFound.about("assessment_id", "no financial assessment with that id", where="path")
    return _with_etag(found, response)


@router.get("/people/{person_id}/financial-assessments", response_model=list[AssessmentOut])
async def assessment_history(
    person_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> list[AssessmentOut]:
    """Every assessment of the person, oldest first (by effective date, then as recorded)."""
    return [AssessmentOut.of(a) for a in await AssessmentsRepository(session).history(principal.council_id, person_id)]


OnDate = Annotated[date | None, Query(description="Defaults to today.")]


@router.get("/people/{person_id}/financial-assessments/current", response_model=AssessmentOut)
async def current_assessment(
    person_id: uuid.UUID, principal: CurrentPrincipal, session: Session, response: Response, on: OnDate = None
) -> AssessmentOut:
    """The assessment in force today (or on `on`)."""
    history = await AssessmentsRepository(session).history(principal.council_id, person_id)
    current = in_force_on(history, on or date.today())
    if current is None:
        raise NotFound.about("person_id", "no financial assessment in force for this person", where="path")
    return _with_etag(current, response)


@router.get("/people/{person_id}/charge", response_model=ChargeOn)
async def charge_on(person_id: uuid.UUID, principal: CurrentPrincipal, session: Session, on: OnDate = None) -> ChargeOn:
    """The weekly charge as it was (or is) on a date: zero before the first assessment and after care ended."""
    day = on or date.today()
    history = await AssessmentsRepository(session).history(principal.council_id, person_id)
    current = in_force_on(history, day)
    return ChargeOn(
        person_id=person_id,
        on=day,
        weekly_charge_pence=current.charge_on(day) if current else 0,
        assessment_id=current.assessment_id if current else None,
    )
