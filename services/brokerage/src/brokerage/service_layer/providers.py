"""A provider applies to the DPS; the council admits or refuses it per lot and area, changes its
record, suspends, reinstates or removes it. Suspension withdraws its open bids."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from brokerage.adapters.packages_repository import PackagesRepository
from brokerage.adapters.providers_repository import ProvidersRepository
from brokerage.domain.packages import BidStatus
from brokerage.domain.providers import LotArea, Provider, ProviderStatus, unknown_lot_areas
from brokerage.service_layer.reference import council_rules
from pbshared.contract.events.brokerage import CqcRating
from pbshared.errors import Conflict, NotFound, StaleRevision, Unacceptable
from pbshared.platform.unit_of_work import UnitOfWork


async def _current(repo: ProvidersRepository, council_id: str, provider_id: str, read_revision: int) -> Provider:
    found = await repo.get(council_id, provider_id, for_update=True)
    if found is None:  # another council's provider is as absent as one who does not exist
        raise NotFound.about("provider_id", "no provider with that id", where="path")
    if found.revision != read_revision:
        raise StaleRevision()
    return found


async def _save(repo: ProvidersRepository, provider: Provider, read_revision: int) -> None:
    if not await repo.save(provider, read_revision=read_revision):
        raise StaleRevision()


async def apply(uow: UnitOfWork, council_id: str, provider_id: str, details: dict[str, Any], today: date) -> Provider:
    lots, areas = details.pop("lots"), details.pop("areas")
    wanted = {LotArea(lot, area) for lot in lots for area in areas}
    async with uow:
        repo = ProvidersRepository(uow.session)
        if await repo.get(council_id, provider_id) is not None:
            raise Conflict.about("provider_id", "already applied: change the application instead")
        rules, localities = await council_rules(uow.session, council_id, today)
        issues = unknown_lot_areas(wanted, rules, localities)
        if issues:
            raise Unacceptable("nothing was stored", issues, title="Not on the council's DPS")
        provider = Provider(
            provider_id=provider_id,
            council_id=council_id,
            status=ProviderStatus.applied,
            revision=1,
            applied_for=frozenset(wanted),
            **details,
        )
        await repo.add(provider)
        await uow.commit()
    return provider


async def decide(
    uow: UnitOfWork,
    council_id: str,
    provider_id: str,
    admit: set[LotArea],
    refuse: dict[LotArea, str],
    read_revision: int,
) -> Provider:
    async with uow:
        repo = ProvidersRepository(uow.session)
        decided = (await _current(repo, council_id, provider_id, read_revision)).decided(admit, refuse)
        await _save(repo, decided, read_revision)
        await uow.commit()
    return decided


async def change(
    uow: UnitOfWork, council_id: str, provider_id: str, changes: dict[str, Any], read_revision: int
) -> Provider:
    """The provider's CQC location, rating or capacity; an Inadequate rating is the council's cue to
    suspend, which it decides itself."""
    if "rating" in changes:
        changes["rating"] = CqcRating(changes["rating"])
    if "capacity_hours_per_week" in changes:
        changes["capacity_hours_per_week"] = Decimal(changes["capacity_hours_per_week"])
    async with uow:
        repo = ProvidersRepository(uow.session)
        current = await _current(repo, council_id, provider_id, read_revision)
        changed = replace(current, **changes, revision=current.revision + 1)
        await _save(repo, changed, read_revision)
        await uow.commit()
    return changed


async def suspend(uow: UnitOfWork, council_id: str, provider_id: str, reason: str, read_revision: int) -> Provider:
    """A suspended provider sees no new packages, and its open bids are withdrawn."""
    return await _off_the_list(uow, council_id, provider_id, read_revision, lambda p: p.suspended(reason))


async def remove(uow: UnitOfWork, council_id: str, provider_id: str, reason: str, read_revision: int) -> Provider:
    return await _off_the_list(uow, council_id, provider_id, read_revision, lambda p: p.removed(reason))


async def reinstate(uow: UnitOfWork, council_id: str, provider_id: str, read_revision: int) -> Provider:
    async with uow:
        repo = ProvidersRepository(uow.session)
        reinstated = (await _current(repo, council_id, provider_id, read_revision)).reinstated()
        await _save(repo, reinstated, read_revision)
        await uow.commit()
    return reinstated


async def _off_the_list(uow: UnitOfWork, council_id: str, provider_id: str, read_revision: int, step) -> Provider:
    async with uow:
        repo = ProvidersRepository(uow.session)
        updated = step(await _current(repo, council_id, provider_id, read_revision))
        await _save(repo, updated, read_revision)
        packages = PackagesRepository(uow.session)
        for bid in await packages.open_bids_of_provider(council_id, provider_id):
            withdrawn = replace(bid, status=BidStatus.withdrawn, revision=bid.revision + 1)
            await packages.save_bid(withdrawn, read_revision=bid.revision)
        await uow.commit()
    return updated
