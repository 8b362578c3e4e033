"""A broker places an escalated package with a provider not on the DPS, recording why; the
placement is published like any other (docs/domain/brokerage.md)."""

from __future__ import annotations

import uuid
from datetime import date

from brokerage.adapters.packages_repository import PackagesRepository
from brokerage.domain.packages import Package
from brokerage.domain.placements import Placement
from brokerage.service_layer.placements import place_off_dps
from pbshared.errors import NotFound, StaleRevision, Unacceptable
from pbshared.platform.unit_of_work import UnitOfWork


def off_dps_provider_id(cqc_location_id: str) -> str:
    """A provider off the DPS has no record here; its CQC location names it in events."""
    return f"off-dps-{cqc_location_id}"


async def place(
    uow: UnitOfWork,
    council_id: str,
    package_id: uuid.UUID,
    read_revision: int,
    provider_name: str,
    cqc_location_id: str,
    rate_pence: int,
    start_date: date,
    reason: str,
    today: date,
) -> Placement:
    async with uow:
        repo = PackagesRepository(uow.session)
        package = await repo.get(council_id, package_id, lock="update")
        if package is None:
            raise NotFound.about("package_id", "no package with that id", where="path")
        if package.revision != read_revision:
            raise StaleRevision()
        placed: Package = package.placed_off_dps()
        if start_date < today:
            raise Unacceptable.about("start_date", "cannot be in the past")
        placement = Placement(
            placement_id=uuid.uuid4(),
            package_id=package_id,
            council_id=council_id,
            person_id=package.person_id,
            provider_id=off_dps_provider_id(cqc_location_id),
            cqc_location_id=cqc_location_id,
            rate_pence=rate_pence,
            units_per_week=package.needs.units_per_week,
            start_date=start_date,
            revision=1,
            provider_name=provider_name,
            off_dps_reason=reason,
        )
        assert await repo.save(placed, read_revision=read_revision), "the package is locked for update"
        await place_off_dps(uow, placed, placement)
        await uow.commit()
    return placement
