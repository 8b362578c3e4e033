"""What a provider sees: the anonymised adverts it was invited to, its own bids, and, once it has
accepted an award, the details of the person it needs to deliver care (UK GDPR data minimisation:
docs/domain/brokerage.md). Everything here answers for the caller's provider id only; anything
else is as absent as what does not exist."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from brokerage.adapters.packages_repository import PackagesRepository
from brokerage.adapters.placements_repository import PlacementsRepository
from brokerage.domain.packages import Package, PackageStatus
from brokerage.entrypoints.clock import Now
from brokerage.entrypoints.packages_api import BidOut
from brokerage.entrypoints.shapes import REFUSALS, without_nulls
from brokerage.service_layer import awarding, bidding
from pbshared.contract.events.brokerage import Urgency
from pbshared.contract.events.budgets import ServiceUnit
from pbshared.errors import NotFound
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.fields import ReadRevision
from pbshared.platform.tables import person_copies

router = APIRouter(tags=["adverts and bids (providers)"], responses=REFUSALS)

_PROVIDER = frozenset({Role.provider})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("GET", "/adverts"): _PROVIDER,
    ("GET", "/adverts/{package_id}"): _PROVIDER,
    ("GET", "/adverts/{package_id}/bids"): _PROVIDER,
    ("POST", "/adverts/{package_id}/bids"): _PROVIDER,
    ("PATCH", "/bids/{bid_id}"): _PROVIDER,
    ("POST", "/bids/{bid_id}/withdrawal"): _PROVIDER,
    ("POST", "/adverts/{package_id}/acceptance"): _PROVIDER,
    ("POST", "/adverts/{package_id}/refusal"): _PROVIDER,
    ("GET", "/adverts/{package_id}/person"): _PROVIDER,
}

Rate = Annotated[int, Field(ge=1, le=10_000_000, description="Pence per unit per carer.")]
Notes = Annotated[str, Field(max_length=2000)]


class AdvertOut(BaseModel):
    """The package without the person: area, needs, pattern, dates and the ceiling."""

    package_id: uuid.UUID
    lot: str
    areas: list[str]
    unit: ServiceUnit
    units_per_week: Decimal
    carers_per_visit: int
    visit_pattern: str
    requirements: list[str]
    start_date: date
    latest_start_date: date
    urgency: Urgency
    ceiling_pence: int
    round: int
    deadline: datetime | None
    status: str

    @classmethod
    def of(cls, p: Package, provider_id: str) -> AdvertOut:
        # To anyone but the awarded provider an award is just "closed".
        shown = str(p.status) if p.status is PackageStatus.advertised else "closed"
        if p.status in (PackageStatus.awarded, PackageStatus.placed) and p.ranking:
            awarded = next((r for r in p.ranking if r["bid_id"] == str(p.awarded_bid_id)), None)
            if awarded and awarded["provider_id"] == provider_id:
                shown = str(p.status)
        return cls(
            **p.needs.model_dump(exclude={"area"}),
            package_id=p.package_id,
            areas=p.areas,
            round=p.round,
            deadline=p.deadline,
            status=shown,
        )


class BidIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    rate_pence: Rate
    earliest_start: date
    notes: Notes | None = None


class BidChanges(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    revision: ReadRevision
    rate_pence: Rate | None = None
    earliest_start: date | None = None
    notes: Notes | None = None


class RevisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision


class PersonForCareOut(BaseModel):
    """What the provider needs to deliver care, once it has accepted."""

    placement_id: uuid.UUID
    person_id: uuid.UUID
    given_name: str
    family_name: str
    date_of_birth: date
    postcode: str


def _provider(principal) -> str:
    assert principal.provider_id is not None  # a provider token always has one
    return principal.provider_id


async def _invited(session, council_id: str, package_id: uuid.UUID, provider_id: str) -> Package:
    repo = PackagesRepository(session)
    package = await repo.get(council_id, package_id)
    if package is None or not await repo.is_invited(package_id, provider_id):
        raise NotFound.about("package_id", "no advert with that id", where="path")
    return package


@router.get("/adverts", response_model=list[AdvertOut])
async def open_adverts(principal: CurrentPrincipal, session: Session) -> list[AdvertOut]:
    """Packages open for bidding that this provider was invited to."""
    provider_id = _provider(principal)
    found = await PackagesRepository(session).adverts_for(principal.council_id, provider_id)
    return [AdvertOut.of(p, provider_id) for p in found]


@router.get("/adverts/{package_id}", response_model=AdvertOut)
async def advert(package_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> AdvertOut:
    provider_id = _provider(principal)
    return AdvertOut.of(await _invited(session, principal.council_id, package_id, provider_id), provider_id)


@router.get("/adverts/{package_id}/bids", response_model=list[BidOut])
async def own_bids(package_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> list[BidOut]:
    """This provider's own bids on the package, never another's."""
    provider_id = _provider(principal)
    await _invited(session, principal.council_id, package_id, provider_id)
    return [BidOut.of(b) for b in await PackagesRepository(session).bids_of(package_id, provider_id=provider_id)]


@router.post("/adverts/{package_id}/bids", status_code=status.HTTP_201_CREATED, response_model=BidOut)
async def place_bid(package_id: uuid.UUID, body: BidIn, principal: CurrentPrincipal, uow: Uow, now: Now) -> BidOut:
    """Bid before the deadline; refused with every reason (closed, ineligible, above the ceiling, too late a start)."""
    bid = await bidding.place_bid(
        uow,
        principal.council_id,
        _provider(principal),
        package_id,
        body.rate_pence,
        body.earliest_start,
        body.notes,
        now,
    )
    return BidOut.of(bid)


@router.patch("/bids/{bid_id}", response_model=BidOut)
async def revise_bid(bid_id: uuid.UUID, body: BidChanges, principal: CurrentPrincipal, uow: Uow, now: Now) -> BidOut:
    changes = without_nulls(body.model_dump(exclude_unset=True, exclude={"revision"}), nullable=frozenset({"notes"}))
    revised = await bidding.revise_bid(
        uow, principal.council_id, _provider(principal), bid_id, changes, body.revision, now
    )
    return BidOut.of(revised)


@router.post("/bids/{bid_id}/withdrawal", response_model=BidOut)
async def withdraw_bid(bid_id: uuid.UUID, body: RevisionIn, principal: CurrentPrincipal, uow: Uow, now: Now) -> BidOut:
    withdrawn = await bidding.withdraw_bid(uow, principal.council_id, _provider(principal), bid_id, body.revision, now)
    return BidOut.of(withdrawn)


@router.post("/adverts/{package_id}/acceptance", response_model=AdvertOut)
async def accept(package_id: uuid.UUID, principal: CurrentPrincipal, uow: Uow, now: Now) -> AdvertOut:
    """Accept the award within the council's time; the placement starts."""
    provider_id = _provider(principal)
    return AdvertOut.of(await awarding.accept(uow, principal.council_id, package_id, provider_id, now), provider_id)


@router.post("/adverts/{package_id}/refusal", response_model=AdvertOut)
async def refuse(package_id: uuid.UUID, principal: CurrentPrincipal, uow: Uow, now: Now) -> AdvertOut:
    """Decline the award: it passes to the next bid."""
    provider_id = _provider(principal)
    return AdvertOut.of(await awarding.decline(uow, principal.council_id, package_id, provider_id, now), provider_id)


@router.get("/adverts/{package_id}/person", response_model=PersonForCareOut)
async def person_for_care(package_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> PersonForCareOut:
    """Only for the provider whose acceptance placed the package, and only while it holds it."""
    placement = await PlacementsRepository(session).of_package(principal.council_id, package_id)
    if placement is None or placement.provider_id != _provider(principal) or placement.end_date is not None:
        raise NotFound.about("package_id", "no placement of this package with you", where="path")
    row = (
        await session.execute(
            select(person_copies).where(
                person_copies.c.council_id == principal.council_id, person_copies.c.person_id == placement.person_id
            )
        )
    ).first()
    if row is None:
        raise NotFound.about("package_id", "the person's details have not reached brokerage", where="path")
    m = row._mapping
    return PersonForCareOut(
        placement_id=placement.placement_id,
        person_id=placement.person_id,
        given_name=m["given_name"],
        family_name=m["family_name"],
        date_of_birth=m["date_of_birth"],
        postcode=m["postcode"],
    )
