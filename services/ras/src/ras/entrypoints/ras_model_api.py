"""The RAS model in force on a date, for the front-end to render the questionnaire."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session
from ras.domain.reference.ras_model import RasModel
from ras.service_layer.ras_model import model_in_force

router = APIRouter(prefix="/ras-model", tags=["assessments"])

# Everyone who assesses, agrees or checks a budget reads the questionnaire it was scored with.
READERS = frozenset({Role.social_worker, Role.team_manager, Role.panel, Role.admin, Role.auditor})
ACCESS: dict[RouteKey, frozenset[Role]] = {("GET", "/ras-model"): READERS}


class RasModelInForce(RasModel):
    """The council's questionnaire (domains, questions, options with points, help text, mandatory
    flags), its carer reduction and its formula, with the version an assessment must quote."""

    version: int
    effective_from: date


@router.get("", response_model=RasModelInForce)
async def ras_model_in_force(
    principal: CurrentPrincipal,
    session: Session,
    on: Annotated[date | None, Query(description="The assessment date; today if absent.")] = None,
) -> RasModelInForce:
    found = await model_in_force(session, principal.council_id, on or date.today())
    return RasModelInForce(version=found.version, effective_from=found.effective_from, **dict(found.model))
