"""Overdue reassessments: people whose financial assessment is older than the council's limit."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from charging.adapters.assessments_repository import AssessmentsRepository
from charging.domain.policy import NoPolicyForDate
from charging.domain.reassessment import overdue
from charging.entrypoints.assessments_api import READERS
from pbshared.errors import NotFound
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session

router = APIRouter(tags=["financial assessments"])

ACCESS: dict[RouteKey, frozenset[Role]] = {("GET", "/reassessments/overdue"): READERS}


class OverdueOut(BaseModel):
    person_id: uuid.UUID
    assessment_id: uuid.UUID
    assessed_on: date
    due_on: date
    days_overdue: int
    weekly_charge_pence: int


@router.get("/reassessments/overdue", response_model=list[OverdueOut])
async def overdue_reassessments(
    principal: CurrentPrincipal,
    session: Session,
    on: Annotated[date | None, Query(description="Defaults to today.")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="csv: one row a person, for a spreadsheet.")] = "json",
) -> list[OverdueOut] | Response:
    """Everyone whose current assessment is past the review limit in the council's policy, most overdue first."""
    day = on or date.today()
    repo = AssessmentsRepository(session)
    try:
        limit = (await repo.policies(principal.council_id)).on(day).policy.reassessment_limit_years
    except NoPolicyForDate as error:
        raise NotFound.about("on", str(error), where="query") from None
    current = [a async for a in repo.current_assessments(principal.council_id, day)]
    found = [
        OverdueOut(
            person_id=o.assessment.person_id,
            assessment_id=o.assessment.assessment_id,
            assessed_on=o.assessment.assessed_on,
            due_on=o.due_on,
            days_overdue=o.days_overdue,
            weekly_charge_pence=o.assessment.weekly_charge_pence,
        )
        for o in overdue(current, day, limit)
    ]
    found.sort(key=lambda o: -o.days_overdue)
    if format == "json":
        return found
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(OverdueOut.model_fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows(o.model_dump(mode="json") for o in found)
    return Response(out.getvalue(), media_type="text/csv")
