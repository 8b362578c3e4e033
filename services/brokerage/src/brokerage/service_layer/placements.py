"""Placements start on acceptance, change (hours up or down), end, or are handed back with notice.
Each publishes what charging and the ledger need: provider, CQC location, rate and weekly cost."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from brokerage.adapters.packages_repository import PackagesRepository
from brokerage.adapters.placements_repository import PlacementsRepository
from brokerage.adapters.providers_repository import ProvidersRepository
from brokerage.domain.packages import Bid, Package
from brokerage.domain.placements import Placement
from brokerage.service_layer.reference import council_rules
from pbshared.contract.events.brokerage import (
    PlacementChanged,
    PlacementEnded,
    PlacementEndReason,
    PlacementStarted,
)
from pbshared.contract.events.budgets import service_weekly_cost
from pbshared.errors import NotFound, StaleRevision
from pbshared.platform.unit_of_work import UnitOfWork


def _details(placement: Placement, package: Package, effective_from: date) -> dict:
    carers = package.needs.carers_per_visit
    return dict(
        placement_id=placement.placement_id,
        package_id=placement.package_id,
        person_id=placement.person_id,
        provider_id=placement.provider_id,
        cqc_location_id=placement.cqc_location_id,
        lot=package.needs.lot,
        unit=package.needs.unit,
        rate_pence=placement.rate_pence,
        planned_units_per_week=placement.units_per_week,
        carers_per_visit=carers,
        weekly_cost_pence=service_weekly_cost(placement.units_per_week, carers, placement.rate_pence),
        effective_from=effective_from,
    )


async def _commit_hours(uow: UnitOfWork, placement: Placement, hours: Decimal, **counts: int) -> None:
    """The provider's committed hours and record follow its placements; a provider off the DPS has
    no record here to keep."""
    if placement.off_dps:
        return
    providers = ProvidersRepository(uow.session)
    provider = await providers.get(placement.council_id, placement.provider_id, for_update=True)
    assert provider is not None
    updated = replace(
        provider,
        committed_hours_per_week=provider.committed_hours_per_week + hours,
        accepted_packages=provider.accepted_packages + counts.get("accepted", 0),
        handed_back_packages=provider.handed_back_packages + counts.get("handed_back", 0),
        revision=provider.revision + 1,
    )
    await providers.save(updated, read_revision=provider.revision)


async def start_placement(uow: UnitOfWork, package: Package, bid: Bid) -> Placement:
    provider = await ProvidersRepository(uow.session).get(package.council_id, bid.provider_id)
    assert provider is not None
    placement = Placement(
        placement_id=uuid.uuid4(),
        package_id=package.package_id,
        council_id=package.council_id,
        person_id=package.person_id,
        provider_id=bid.provider_id,
        cqc_location_id=provider.cqc_location_id,
        rate_pence=bid.rate_pence,
        units_per_week=package.needs.units_per_week,
        start_date=max(bid.earliest_start, package.needs.start_date),
        revision=1,
    )
    await PlacementsRepository(uow.session).add(placement)
    await _commit_hours(uow, placement, package.hours_per_week, accepted=1)
    await _started(uow, placement, package)
    return placement


async def place_off_dps(uow: UnitOfWork, package: Package, placement: Placement) -> None:
    """A broker's placement with a provider not on the DPS: published like any other."""
    await PlacementsRepository(uow.session).add(placement)
    await _started(uow, placement, package)


async def _started(uow: UnitOfWork, placement: Placement, package: Package) -> None:
    await uow.publish(
        PlacementStarted(**_details(placement, package, placement.start_date)),
        council_id=package.council_id,
        subject_id=str(package.package_id),
    )


async def _current(
    uow: UnitOfWork, council_id: str, placement_id: uuid.UUID, read_revision: int, provider_id: str | None = None
) -> tuple[Placement, Package]:
    placement = await PlacementsRepository(uow.session).get(council_id, placement_id, for_update=True)
    if placement is None or (provider_id is not None and placement.provider_id != provider_id):
        raise NotFound.about("placement_id", "no placement with that id", where="path")
    if placement.revision != read_revision:
        raise StaleRevision()
    package = await PackagesRepository(uow.session).get(council_id, placement.package_id)
    assert package is not None
    return placement, package


async def _save(uow: UnitOfWork, placement: Placement, read_revision: int) -> None:
    if not await PlacementsRepository(uow.session).save(placement, read_revision=read_revision):
        raise StaleRevision()


async def change_hours(
    uow: UnitOfWork,
    council_id: str,
    placement_id: uuid.UUID,
    units_per_week: Decimal,
    effective_from: date,
    read_revision: int,
) -> Placement:
    async with uow:
        placement, package = await _current(uow, council_id, placement_id, read_revision)
        changed = await apply_change(uow, placement, package, package, units_per_week, effective_from)
        await uow.commit()
    return changed


async def apply_change(
    uow: UnitOfWork, placement: Placement, before: Package, after: Package, units: Decimal, effective_from: date
) -> Placement:
    """New hours (and, from a budget revision, perhaps carers per visit) from a date; publishes
    placement.changed. `before` and `after`: the package as it was and as it now is."""
    changed = placement.changed(units)
    await _save(uow, changed, placement.revision)
    was = placement.units_per_week * before.needs.carers_per_visit
    await _commit_hours(uow, changed, changed.units_per_week * after.needs.carers_per_visit - was)
    await uow.publish(
        PlacementChanged(**_details(changed, after, effective_from)),
        council_id=placement.council_id,
        subject_id=str(placement.package_id),
    )
    return changed


async def finish(uow: UnitOfWork, ended: Placement, package: Package, read_revision: int, **counts: int) -> None:
    """Save an ended placement, free the provider's hours and publish placement.ended."""
    await _save(uow, ended, read_revision)
    hours = ended.units_per_week * package.needs.carers_per_visit
    await _commit_hours(uow, ended, -hours, **counts)
    assert ended.end_date is not None and ended.end_reason is not None
    await uow.publish(
        PlacementEnded(
            placement_id=ended.placement_id,
            package_id=ended.package_id,
            person_id=ended.person_id,
            provider_id=ended.provider_id,
            end_date=ended.end_date,
            reason=ended.end_reason,
        ),
        council_id=ended.council_id,
        subject_id=str(ended.package_id),
    )


async def end(
    uow: UnitOfWork,
    council_id: str,
    placement_id: uuid.UUID,
    end_date: date,
    reason: PlacementEndReason,
    read_revision: int,
) -> Placement:
    async with uow:
        placement, package = await _current(uow, council_id, placement_id, read_revision)
        ended = placement.ended(end_date, reason)
        await finish(uow, ended, package, read_revision)
        await uow.commit()
    return ended


async def hand_back(
    uow: UnitOfWork,
    council_id: str,
    provider_id: str,
    placement_id: uuid.UUID,
    end_date: date,
    read_revision: int,
    today: date,
) -> Placement:
    async with uow:
        placement, package = await _current(uow, council_id, placement_id, read_revision, provider_id)
        rules, _ = await council_rules(uow.session, council_id, today)
        ended = placement.handed_back(end_date, today, rules.hand_back_notice_days)
        await finish(uow, ended, package, read_revision, handed_back=1)
        await uow.commit()
    return ended
