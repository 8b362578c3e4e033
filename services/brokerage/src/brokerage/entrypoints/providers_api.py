"""Providers on the DPS: a provider applies and keeps its record; the council decides, suspends,
reinstates and removes. A provider's token reaches only its own record."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from brokerage.adapters.providers_repository import ProvidersRepository
from brokerage.domain.providers import LotArea, Provider, ProviderStatus
from brokerage.entrypoints.clock import Now
from brokerage.entrypoints.shapes import REFUSALS, CqcLocationId, Reason, without_nulls
from brokerage.service_layer import providers as use_cases
from pbshared.contract.events.brokerage import CqcRating
from pbshared.errors import NotFound
from pbshared.platform.auth import CurrentPrincipal, Principal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.fields import ReadRevision
from pbshared.platform.pagination import Limit, Offset
from pbshared.platform.refdata.router import KnownCouncilPrincipal

router = APIRouter(prefix="/providers", tags=["providers"], responses=REFUSALS)

_COUNCIL = frozenset({Role.admin})
_READERS = frozenset({Role.admin, Role.broker, Role.auditor})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/providers"): frozenset({Role.provider}),
    ("GET", "/providers"): _READERS,
    ("GET", "/providers/{provider_id}"): _READERS | {Role.provider},
    ("PATCH", "/providers/{provider_id}"): _COUNCIL | {Role.provider},
    ("POST", "/providers/{provider_id}/decision"): _COUNCIL,
    ("POST", "/providers/{provider_id}/suspension"): _COUNCIL,
    ("POST", "/providers/{provider_id}/reinstatement"): _COUNCIL,
    ("POST", "/providers/{provider_id}/removal"): _COUNCIL,
}

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_]*$")]
_CLEARABLE = frozenset({"cqc_location_id"})
Capacity = Annotated[Decimal, Field(ge=0, le=100000, max_digits=7, decimal_places=2)]


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    cqc_location_id: CqcLocationId | None = None
    rating: CqcRating
    capacity_hours_per_week: Capacity
    lots: list[Code] = Field(min_length=1, max_length=20)
    areas: list[Code] = Field(min_length=1, max_length=50)


class ProviderChanges(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    revision: ReadRevision
    cqc_location_id: CqcLocationId | None = None
    rating: CqcRating | None = None
    capacity_hours_per_week: Capacity | None = None


class LotAreaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lot: Code
    area: Code


class RefusalIn(LotAreaIn):
    reason: Reason


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision
    admit: list[LotAreaIn] = Field(default_factory=list, max_length=500)
    refuse: list[RefusalIn] = Field(default_factory=list, max_length=500)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    revision: ReadRevision
    reason: Reason


class RevisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: ReadRevision


class ProviderOut(BaseModel):
    provider_id: str
    name: str
    cqc_location_id: str | None
    rating: CqcRating
    capacity_hours_per_week: Decimal
    committed_hours_per_week: Decimal
    status: ProviderStatus
    status_reason: str | None
    applied_for: list[LotAreaIn]
    admitted_to: list[LotAreaIn]
    refusals: list[RefusalIn]
    accepted_packages: int
    handed_back_packages: int
    revision: int

    @classmethod
    def of(cls, p: Provider) -> ProviderOut:
        def pairs(values: frozenset[LotArea]) -> list[LotAreaIn]:
            return [LotAreaIn(lot=la.lot, area=la.area) for la in sorted(values, key=lambda x: (x.lot, x.area))]

        return cls(
            provider_id=p.provider_id,
            name=p.name,
            cqc_location_id=p.cqc_location_id,
            rating=p.rating,
            capacity_hours_per_week=p.capacity_hours_per_week,
            committed_hours_per_week=p.committed_hours_per_week,
            status=p.status,
            status_reason=p.status_reason,
            applied_for=pairs(p.applied_for),
            admitted_to=pairs(p.admitted_to),
            refusals=[RefusalIn(lot=la.lot, area=la.area, reason=r) for la, r in sorted(p.refusals.items(), key=str)],
            accepted_packages=p.accepted_packages,
            handed_back_packages=p.handed_back_packages,
            revision=p.revision,
        )


def own_or_council(principal: Principal, provider_id: str) -> None:
    """A provider reaches only its own record; another's is as absent as one that does not exist."""
    if principal.role is Role.provider and principal.provider_id != provider_id:
        raise NotFound.about("provider_id", "no provider with that id", where="path")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProviderOut)
async def apply(body: ApplicationIn, principal: KnownCouncilPrincipal, uow: Uow, now: Now) -> ProviderOut:
    """Apply to the DPS (open at any time) for lots and areas; the council decides each."""
    assert principal.provider_id is not None
    details = body.model_dump()
    provider = await use_cases.apply(uow, principal.council_id, principal.provider_id, details, now.date())
    return ProviderOut.of(provider)


@router.get("", response_model=list[ProviderOut])
async def list_providers(principal: CurrentPrincipal, session: Session, limit: Limit = 100, offset: Offset = 0):
    found = await ProvidersRepository(session).all(principal.council_id, limit=limit, offset=offset)
    return [ProviderOut.of(p) for p in found]


@router.get("/{provider_id}", response_model=ProviderOut)
async def get_provider(provider_id: str, principal: CurrentPrincipal, session: Session) -> ProviderOut:
    own_or_council(principal, provider_id)
    provider = await ProvidersRepository(session).get(principal.council_id, provider_id)
    if provider is None:
        raise NotFound.about("provider_id", "no provider with that id", where="path")
    return ProviderOut.of(provider)


@router.patch("/{provider_id}", response_model=ProviderOut)
async def change_provider(
    provider_id: str, body: ProviderChanges, principal: CurrentPrincipal, uow: Uow
) -> ProviderOut:
    """The CQC location id, current rating or capacity."""
    own_or_council(principal, provider_id)
    changes = without_nulls(body.model_dump(exclude_unset=True, exclude={"revision"}), nullable=_CLEARABLE)
    changed = await use_cases.change(uow, principal.council_id, provider_id, changes, body.revision)
    return ProviderOut.of(changed)


@router.post("/{provider_id}/decision", response_model=ProviderOut)
async def decide(provider_id: str, body: DecisionIn, principal: CurrentPrincipal, uow: Uow) -> ProviderOut:
    """Admit or refuse (with a reason) every lot and area applied for."""
    admit = {LotArea(x.lot, x.area) for x in body.admit}
    refuse = {LotArea(x.lot, x.area): x.reason for x in body.refuse}
    decided = await use_cases.decide(uow, principal.council_id, provider_id, admit, refuse, body.revision)
    return ProviderOut.of(decided)


@router.post("/{provider_id}/suspension", response_model=ProviderOut)
async def suspend(provider_id: str, body: ReasonIn, principal: CurrentPrincipal, uow: Uow) -> ProviderOut:
    """Suspend, with the reason: no new packages, and its open bids are withdrawn."""
    return ProviderOut.of(await use_cases.suspend(uow, principal.council_id, provider_id, body.reason, body.revision))


@router.post("/{provider_id}/reinstatement", response_model=ProviderOut)
async def reinstate(provider_id: str, body: RevisionIn, principal: CurrentPrincipal, uow: Uow) -> ProviderOut:
    return ProviderOut.of(await use_cases.reinstate(uow, principal.council_id, provider_id, body.revision))


@router.post("/{provider_id}/removal", response_model=ProviderOut)
async def remove(provider_id: str, body: ReasonIn, principal: CurrentPrincipal, uow: Uow) -> ProviderOut:
    """Take the provider off the DPS for good, with the reason; its open bids are withdrawn."""
    return ProviderOut.of(await use_cases.remove(uow, principal.council_id, provider_id, body.reason, body.revision))
