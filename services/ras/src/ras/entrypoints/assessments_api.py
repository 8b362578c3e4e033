"""Assessments API: score answers (preview, nothing stored) and record a scored assessment."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json

from pbshared.contract.events.people import ClientGroup
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Sessions, Settings, Uow
from pbshared.platform.refdata.router import KnownCouncilPrincipal
from ras.config import RasSettings
from ras.domain.assessments.record import AssessmentRecord
from ras.domain.assessments.scoring import Score
from ras.domain.problems import Refused
from ras.entrypoints.refusals import unprocessable
from ras.service_layer import assessments as use_cases

router = APIRouter(prefix="/assessments", tags=["assessments"])

_ASSESSORS = frozenset({Role.social_worker, Role.team_manager, Role.admin})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/assessments/preview"): _ASSESSORS,
    ("POST", "/assessments"): _ASSESSORS,
}

Id = Annotated[str, Field(min_length=1, max_length=64)]
# Client Level Data codes: which are accepted is the council's `client_level_data_codes` in force on
# the assessment date; the lengths are the columns'.
ShortCode = Annotated[str, Field(min_length=1, max_length=40)]
Code = Annotated[str, Field(min_length=1, max_length=60)]


class QuestionnaireIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assessment_date: date = Field(description="Decides the RAS model version that scores the answers.")
    model_version: int = Field(ge=1, le=2**31 - 1, description="The version the form was rendered from.")
    answers: dict[Id, Id] = Field(max_length=500, description="Question id to option id.")
    carer_support: dict[Id, Id] = Field(default_factory=dict, max_length=100, description="Domain id to level id.")

    def questionnaire(self) -> use_cases.Questionnaire:
        return use_cases.Questionnaire(self.assessment_date, self.model_version, self.answers, self.carer_support)


class PreviewIn(QuestionnaireIn):
    client_group: ClientGroup


class AssessmentIn(QuestionnaireIn):
    person_id: uuid.UUID
    assessment_type: ShortCode
    method: ShortCode
    start_date: date
    end_date: date
    outcome: Code
    eligible_needs: bool
    outcomes_not_achieved: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, max_length=10, description="Eligibility regulations 2015, reg. 2(2)."
    )
    primary_support_reason: Code
    accommodation_status: Code
    has_unpaid_carer: bool

    def record(self) -> AssessmentRecord:
        return AssessmentRecord(
            **{name: getattr(self, name) for name in AssessmentRecord.__dataclass_fields__},
        )


class DomainPoints(BaseModel):
    domain_id: str
    title: str
    points_before_carer: int
    carer_reduction: int
    carer_level: str | None
    points: int


class ScoreOut(BaseModel):
    ras_model_version: int
    client_group: ClientGroup
    total_points: int
    domains: list[DomainPoints]
    formula: str
    indicative_annual_pence: int
    indicative_weekly_pence: int = Field(description="Annual / 52, half up to the penny.")
    explanation: list[str] = Field(description="Every answer with its points, the carer reduction, the formula.")


def _score_fields(scored: Score) -> dict[str, Any]:
    # Plain values: validated once by pydantic's core into AssessmentOut (measured about four times
    # cheaper than model_construct, which runs in Python per field), or written as they are (preview).
    return {
        "ras_model_version": scored.model_version,
        "client_group": scored.client_group,
        "total_points": scored.total_points,
        "domains": [{**d._asdict(), "points": d.points} for d in scored.domains],
        "formula": scored.formula,
        "indicative_annual_pence": scored.indicative_annual_pence,
        "indicative_weekly_pence": scored.indicative_weekly_pence,
        "explanation": scored.explanation,
    }


class AssessmentOut(ScoreOut):
    assessment_id: uuid.UUID
    person_id: uuid.UUID
    assessment_date: date
    eligible_needs: bool


@router.post("/preview", response_model=ScoreOut)
async def preview_score(
    body: PreviewIn, principal: CurrentPrincipal, sessions: Sessions, settings: Settings
) -> Response:
    """Score the answers so far with the model in force on the date; nothing is stored."""
    max_age = settings.preview_model_seconds if isinstance(settings, RasSettings) else 0.0
    try:
        scored = await use_cases.preview(
            sessions, max_age, principal.council_id, body.questionnaire(), body.client_group
        )
    except Refused as refused:
        raise unprocessable(refused, "the answers cannot be scored") from None
    # Written straight from the plain fields (all text and whole numbers): the preview runs on every
    # change of the form, and building ScoreOut's models only for FastAPI to write them out again was
    # a tenth of its time. ScoreOut documents the answer; the API tests hold every answer to it.
    return Response(to_json(_score_fields(scored)), media_type="application/json")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AssessmentOut)
async def record_assessment(body: AssessmentIn, principal: KnownCouncilPrincipal, uow: Uow) -> AssessmentOut:
    """Record and score an assessment; publishes assessment.completed."""
    try:
        stored = await use_cases.record_assessment(
            uow, principal.council_id, body.person_id, body.record(), body.questionnaire(), principal.subject
        )
    except Refused as refused:
        raise unprocessable(refused) from None
    return AssessmentOut.model_validate(
        {
            **_score_fields(stored.score),
            "assessment_id": stored.assessment_id,
            "person_id": stored.person_id,
            "assessment_date": body.assessment_date,
            "eligible_needs": body.eligible_needs,
        }
    )
