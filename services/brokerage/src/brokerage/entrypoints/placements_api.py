"""Placements: brokers change hours and end them; the provider reads its own and may hand one back
with the council's notice."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from brokerage.adapters.placements_repository import PlacementsRepository
from brokerage.domain.placements import Placement
from brokerage.entrypoints.clock import Now
from brokerage.entrypoints.shapes import REFUSALS
from brokerage.service_layer import placements as use_cases
from pbshared.contract.events.brokerage import PlacementEndReason
from pbshared.errors import NotFound
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.fields import ReadRevision

router = APIRouter(prefix="/placements", tags=["placements"], responses=REFUSALS)

ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("GET", "/placements/{placement_id}"): frozenset({Role.broker, Role.admin, Role.auditor, Role.provider}),
    ("PATCH", "/placements/{placement_id}"): frozenset({Role.broker}),
    ("POST", "/placements/{placement_id}/end"): frozenset({Role.broker}),
    ("POST", "/placements/{placement_id}/hand-back"): frozenset({Role.provider}),
}


class PlacementOut(BaseModel):
    placement_id: uuid.UUID
    package_id: uuid.UUID
    provider_id: str
    cqc_location_id: str | None
    rate_pence: int
    units_per_week: Decimal
    start_date: date
    end_date: date | None
    end_reason: PlacementEndReason | None
    provider_name: str | None = Field(description="Only for a provider off the DPS, which has no record here.")
    off_dps_reason: str | None = Field(description="Why the broker placed the package off the DPS.")
    revision: int

    @classmethod
    def of(cls, p: Placement) -> PlacementOut:
        return cls(**{name: getattr(p, name) for name in cls.model_fields})


class HoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    units_per_week: Decimal = Field(gt=0, le=168 * 4, max_digits=7, decimal_places=2)
    effective_from: date


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    end_date: date
    reason: PlacementEndReason


class HandBackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    end_date: date


@router.get("/{placement_id}", response_model=PlacementOut)
async def get_placement(placement_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> PlacementOut:
    placement = await PlacementsRepository(session).get(principal.council_id, placement_id)
    if placement is None or (principal.role is Role.provider and placement.provider_id != principal.provider_id):
        raise NotFound.about("placement_id", "no placement with that id", where="path")
    return PlacementOut.of(placement)


@router.patch("/{placement_id}", response_model=PlacementOut)
async def change_hours(placement_id: uuid.UUID, body: HoursIn, principal: CurrentPrincipal, uow: Uow) -> PlacementOut:
    """Hours up or down from a date; publishes placement.changed."""
    changed = await use_cases.change_hours(
        uow, principal.council_id, placement_id, body.units_per_week, body.effective_from, body.revision
    )
    return PlacementOut.of(changed)


@router.post("/{placement_id}/end", response_model=PlacementOut)
async def end(placement_id: uuid.UUID, body: EndIn, principal: CurrentPrincipal, uow: Uow) -> PlacementOut:
    ended = await use_cases.end(uow, principal.council_id, placement_id, body.end_date, body.reason, body.revision)
    return PlacementOut.of(ended)


@router.post("/{placement_id}/hand-back", response_model=PlacementOut)
async def hand_back(
    placement_id: uuid.UUID, body: HandBackIn, principal: CurrentPrincipal, uow: Uow, now: Now
) -> PlacementOut:
    """The provider hands the package back, giving at least the council's notice."""
    assert principal.provider_id is not None
    ended = await use_cases.hand_back(
        uow, principal.council_id, principal.provider_id, placement_id, body.end_date, body.revision, now.date()
    )
    return PlacementOut.of(ended)
