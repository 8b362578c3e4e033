"""The outcome letter of a financial assessment, as a printable page or a PDF."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse

from charging.entrypoints.assessments_api import READERS
from charging.service_layer.letters import outcome_letter
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session

router = APIRouter(tags=["financial assessments"])

ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("GET", "/financial-assessments/{assessment_id}/letter"): READERS,
}


@router.get(
    "/financial-assessments/{assessment_id}/letter",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
async def letter(
    assessment_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: Session,
    format: Annotated[Literal["html", "pdf"], Query(description="html: a printable page; pdf: to send")] = "html",
) -> Response:
    """The letter telling the person their charge and how it was worked out, from the council's template."""
    found = await outcome_letter(session, principal.council_id, assessment_id, date.today())
    if format == "pdf":
        return Response(
            found.pdf(),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="charge-{assessment_id}.pdf"'},
        )
    return HTMLResponse(found.html())
