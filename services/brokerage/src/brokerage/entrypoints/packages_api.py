"""Packages as brokers run them: raise one, follow its rounds, read the bids once the deadline has
passed (they are sealed until then) and the ranked list with each score explained."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from brokerage.adapters.packages_repository import PackagesRepository
from brokerage.domain.packages import Bid, BidStatus, Package, PackageStatus
from brokerage.entrypoints.clock import Now
from brokerage.entrypoints.placements_api import PlacementOut
from brokerage.entrypoints.shapes import REFUSALS, CqcLocationId, Reason
from brokerage.service_layer import off_dps
from brokerage.service_layer import packages as use_cases
from pbshared.contract.events.brokerage import PackageNeeds, PackageOrigin, Urgency
from pbshared.errors import NotFound, Unacceptable
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.fields import ReadRevision
from pbshared.platform.pagination import Limit, Offset
from pbshared.platform.refdata.router import KnownCouncilPrincipal

router = APIRouter(prefix="/packages", tags=["packages"], responses=REFUSALS)

_READERS = frozenset({Role.broker, Role.admin, Role.auditor})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/packages"): frozenset({Role.broker}),
    ("GET", "/packages"): _READERS,
    ("GET", "/packages/{package_id}"): _READERS,
    ("GET", "/packages/{package_id}/bids"): _READERS,
    ("POST", "/packages/{package_id}/off-dps-placement"): frozenset({Role.broker}),
}

Requirement = Annotated[str, Field(min_length=1, max_length=200)]


class PackageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    person_id: uuid.UUID
    lot: str = Field(min_length=1, max_length=64)
    units_per_week: Decimal = Field(gt=0, le=168 * 4, max_digits=7, decimal_places=2)
    carers_per_visit: int = Field(ge=1, le=4)
    visit_pattern: str = Field(min_length=1, max_length=500, description="e.g. 4 visits a day, 7 days a week")
    requirements: list[Requirement] = Field(default_factory=list, max_length=20)
    start_date: date
    latest_start_date: date
    urgency: Urgency = Urgency.normal


class OffDpsPlacementIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    revision: ReadRevision
    provider_name: str = Field(min_length=1, max_length=200)
    cqc_location_id: CqcLocationId
    rate_pence: int = Field(ge=1, le=10_000_000, description="Pence per unit per carer, as agreed with the provider.")
    start_date: date
    reason: Reason = Field(description="Why no provider on the DPS could take it, recorded with the placement.")


class PackageOut(BaseModel):
    package_id: uuid.UUID
    person_id: uuid.UUID
    origin: PackageOrigin
    budget_id: uuid.UUID | None
    needs: PackageNeeds
    status: PackageStatus
    round: int
    areas: list[str]
    deadline: datetime | None
    ranking: list[dict] | None
    awarded_bid_id: uuid.UUID | None
    accept_by: datetime | None
    escalation_reason: str | None
    withdrawal_reason: str | None
    awarded_at: datetime | None
    revision: int

    @classmethod
    def of(cls, p: Package) -> PackageOut:
        return cls(**{name: getattr(p, name) for name in cls.model_fields})


class BidOut(BaseModel):
    bid_id: uuid.UUID
    package_id: uuid.UUID
    round: int
    provider_id: str
    rate_pence: int
    earliest_start: date
    notes: str | None
    status: BidStatus
    revision: int
    submitted_at: datetime
    status_reason: str | None = Field(
        default=None, description="Why an award passed on from the bid, or why it was withdrawn for you."
    )

    @classmethod
    def of(cls, b: Bid) -> BidOut:
        return cls(**{name: getattr(b, name) for name in cls.model_fields})


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PackageOut)
async def raise_package(body: PackageIn, principal: KnownCouncilPrincipal, uow: Uow, now: Now) -> PackageOut:
    """Raise a package and advertise it at once; publishes package.requested and package.advertised."""
    issues = use_cases.check_dates(body.start_date, body.latest_start_date, now.date())
    if issues:
        raise Unacceptable("nothing was stored", issues, title="Invalid package")
    wanted = body.model_dump(exclude={"person_id"})
    package = await use_cases.raise_package(uow, principal.council_id, body.person_id, wanted, now)
    return PackageOut.of(package)


@router.get("", response_model=list[PackageOut])
async def list_packages(principal: CurrentPrincipal, session: Session, limit: Limit = 100, offset: Offset = 0):
    return [
        PackageOut.of(p)
        for p in await PackagesRepository(session).find(principal.council_id, limit=limit, offset=offset)
    ]


async def _package(session, council_id: str, package_id: uuid.UUID) -> Package:
    package = await PackagesRepository(session).get(council_id, package_id)
    if package is None:
        raise NotFound.about("package_id", "no package with that id", where="path")
    return package


@router.get("/{package_id}", response_model=PackageOut)
async def get_package(package_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> PackageOut:
    return PackageOut.of(await _package(session, principal.council_id, package_id))


@router.get("/{package_id}/bids", response_model=list[BidOut])
async def package_bids(package_id: uuid.UUID, principal: CurrentPrincipal, session: Session, now: Now) -> list[BidOut]:
    """Every round's bids; the current round's only once its deadline has passed (bids are sealed)."""
    package = await _package(session, principal.council_id, package_id)
    sealed = package.bidding_open(now)
    found = await PackagesRepository(session).bids_of(package_id)
    return [BidOut.of(b) for b in found if not (sealed and b.round == package.round)]


@router.post(
    "/{package_id}/off-dps-placement",
    status_code=status.HTTP_201_CREATED,
    response_model=PlacementOut,
)
async def place_off_dps(
    package_id: uuid.UUID, body: OffDpsPlacementIn, principal: KnownCouncilPrincipal, uow: Uow, now: Now
) -> PlacementOut:
    """Place a package escalated to a broker with a provider not on the DPS, named with its CQC
    location and the reason; publishes placement.started like any other placement."""
    placement = await off_dps.place(
        uow,
        principal.council_id,
        package_id,
        body.revision,
        body.provider_name,
        body.cqc_location_id,
        body.rate_pence,
        body.start_date,
        body.reason,
        now.date(),
    )
    return PlacementOut.of(placement)
