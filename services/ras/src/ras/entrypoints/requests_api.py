"""Requests for support API: the front door, and how long each person waited for an assessment."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from pbshared.errors import NotFound
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.pagination import Limit, Offset
from pbshared.platform.refdata.router import KnownCouncilPrincipal
from ras.adapters.requests_repository import RequestsRepository
from ras.domain.problems import Refused
from ras.domain.requests import ClientStatus, RequestForSupport, waiting_days
from ras.entrypoints.refusals import unprocessable
from ras.service_layer.requests import record_request

router = APIRouter(prefix="/requests", tags=["requests for support"])

_CASEWORK = frozenset({Role.social_worker, Role.team_manager, Role.admin})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/requests"): _CASEWORK,
    ("GET", "/requests"): _CASEWORK | {Role.auditor},
    ("GET", "/requests/{request_id}"): _CASEWORK | {Role.auditor},
}


# Client Level Data codes: which are accepted is the council's `client_level_data_codes` in force on
# the request date; the lengths are the columns'.
RouteCode = Annotated[str, Field(min_length=1, max_length=40)]
Code = Annotated[str, Field(min_length=1, max_length=60)]


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID = Field(description="Register a new client first (POST /people); then say `new`.")
    client_status: ClientStatus
    route_of_access: RouteCode
    request_date: date
    outcome: Code
    no_further_action_reason: Code | None = None


class RequestOut(RequestIn):
    request_id: uuid.UUID
    recorded_by: str
    assessment_started: date | None = Field(description="The first assessment's start on or after the request.")
    waiting_days: int = Field(description="Request to assessment start; to today while still waiting.")
    assessed: bool

    @classmethod
    def of(cls, row: dict[str, Any]) -> RequestOut:
        days, assessed = waiting_days(row["request_date"], row["assessment_started"], date.today())
        fields = {name: row[name] for name in RequestIn.model_fields} | {
            "request_id": row["request_id"],
            "recorded_by": row["recorded_by"],
            "assessment_started": row["assessment_started"],
        }
        return cls(**fields, waiting_days=days, assessed=assessed)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RequestOut)
async def record(body: RequestIn, principal: KnownCouncilPrincipal, uow: Uow) -> RequestOut:
    request = RequestForSupport(
        body.client_status, body.route_of_access, body.request_date, body.outcome, body.no_further_action_reason
    )
    try:
        row = await record_request(uow, principal.council_id, body.person_id, request, principal.subject, date.today())
    except Refused as refused:
        raise unprocessable(refused) from None
    return RequestOut.of(row)


@router.get("", response_model=list[RequestOut])
async def find(
    principal: CurrentPrincipal,
    session: Session,
    outcome: Annotated[str | None, Query(max_length=60)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[RequestOut]:
    rows = await RequestsRepository(session).find(principal.council_id, outcome=outcome, limit=limit, offset=offset)
    return [RequestOut.of(r) for r in rows]


@router.get("/{request_id}", response_model=RequestOut)
async def get(request_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> RequestOut:
    row = await RequestsRepository(session).get(principal.council_id, request_id)
    if row is None:
        raise NotFound.about("request_id", "no request with that id", where="path")
    return RequestOut.of(row)
