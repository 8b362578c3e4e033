"""Packages come from an agreed budget's council-managed services, or from a broker; each is
advertised at once to every eligible provider, anonymised (docs/domain/brokerage.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.packages_repository import PackagesRepository
from brokerage.adapters.providers_repository import ProvidersRepository
from brokerage.adapters.rounds_repository import RoundsRepository
from brokerage.adapters.timers import TimerKind, TimersRepository
from brokerage.domain.packages import Package, PackageStatus
from brokerage.domain.providers import why_ineligible
from brokerage.domain.reference.dps_rules import DpsRules, Lot
from brokerage.domain.reference.localities import Localities
from brokerage.service_layer.reference import council_rules
from pbshared.contract.events.brokerage import (
    PackageAdvertised,
    PackageNeeds,
    PackageOrigin,
    PackageRequested,
    Urgency,
)
from pbshared.contract.events.budgets import BudgetDetails, DeliveryMechanism
from pbshared.errors import Issue, Unacceptable
from pbshared.platform.tables import person_copies
from pbshared.platform.unit_of_work import UnitOfWork


async def _area_of_person(session: AsyncSession, council_id: str, person_id: uuid.UUID, localities: Localities) -> str:
    row = (
        await session.execute(
            select(person_copies.c.postcode).where(
                person_copies.c.council_id == council_id, person_copies.c.person_id == person_id
            )
        )
    ).first()
    if row is None:
        raise Unacceptable.about("person_id", "no such person in this council")
    area = localities.area_of(row.postcode)
    if area is None:
        raise Unacceptable.about("person_id", "the person's postcode is in none of the council's localities")
    return area


def _ceiling(lot: Lot, area: str) -> int:
    ceiling = lot.ceiling_in(area)
    if ceiling is None:
        raise Unacceptable.about("lot", f"the council has set no ceiling for {lot.id} in {area}")
    return ceiling


async def advertise(uow: UnitOfWork, package: Package, rules: DpsRules, now: datetime) -> Package:
    """Invite every eligible provider to the package's current round and set the deadline timer."""
    invited = [
        p.provider_id
        for p in await ProvidersRepository(uow.session).active(package.council_id)
        if not why_ineligible(p, package.needs.lot, package.areas, package.hours_per_week, rules)
    ]
    await PackagesRepository(uow.session).invite(package, sorted(invited))
    await RoundsRepository(uow.session).opened(package.council_id, package.package_id, package.round, now)
    assert package.deadline is not None
    await TimersRepository(uow.session).set(
        package.council_id, TimerKind.bidding_closes, package.package_id, str(package.round), package.deadline
    )
    await uow.publish(
        PackageAdvertised(
            package_id=package.package_id,
            round=package.round,
            areas=package.areas,
            latest_start_date=package.needs.latest_start_date,
            deadline=package.deadline,
            providers_invited=len(invited),
        ),
        council_id=package.council_id,
        subject_id=str(package.package_id),
    )
    return package


async def _request(
    uow: UnitOfWork,
    council_id: str,
    person_id: uuid.UUID,
    needs: PackageNeeds,
    rules: DpsRules,
    now: datetime,
    origin: PackageOrigin,
    budget_id: uuid.UUID | None = None,
    budget_revision: int | None = None,
) -> Package:
    package = Package(
        package_id=uuid.uuid4(),
        council_id=council_id,
        person_id=person_id,
        origin=origin,
        budget_id=budget_id,
        needs=needs,
        status=PackageStatus.advertised,
        round=1,
        areas=[needs.area],
        deadline=now + timedelta(hours=rules.bidding_windows.hours(needs.urgency)),
        revision=1,
        budget_revision=budget_revision,
        requested_at=now,
    )
    await PackagesRepository(uow.session).add(package)
    await uow.publish(
        PackageRequested(
            **needs.model_dump(), package_id=package.package_id, person_id=person_id, origin=origin, budget_id=budget_id
        ),
        council_id=council_id,
        subject_id=str(package.package_id),
    )
    return await advertise(uow, package, rules, now)


async def raise_package(
    uow: UnitOfWork, council_id: str, person_id: uuid.UUID, wanted: dict[str, Any], now: datetime
) -> Package:
    """A broker's request: the area follows from the person's postcode, the unit and ceiling from the lot."""
    async with uow:
        rules, localities = await council_rules(uow.session, council_id, now.date())
        lot = rules.lot(wanted["lot"])
        if lot is None:
            raise Unacceptable.about("lot", "not a lot of the council's DPS")
        area = await _area_of_person(uow.session, council_id, person_id, localities)
        needs = PackageNeeds(**wanted, area=area, unit=lot.unit, ceiling_pence=_ceiling(lot, area))
        package = await _request(uow, council_id, person_id, needs, rules, now, PackageOrigin.broker)
        await uow.commit()
    return package


async def packages_from_budget(uow: UnitOfWork, council_id: str, budget: BudgetDetails, now: datetime) -> list[Package]:
    """One package per council-managed planned service whose type a lot sources. A replayed or
    revised budget raises no second package for a lot it already has."""
    async with uow:
        rules, localities = await council_rules(uow.session, council_id, budget.effective_from)
        repo = PackagesRepository(uow.session)
        raised = []
        for service in budget.services:
            lot = rules.lot_for_service(service.service_type)
            if service.delivery != DeliveryMechanism.council_managed or lot is None:
                continue
            if await repo.exists_for_budget(budget.budget_id, lot.id):
                continue
            area = await _area_of_person(uow.session, council_id, budget.person_id, localities)
            start = max(budget.effective_from, now.date())
            needs = PackageNeeds(
                lot=lot.id,
                area=area,
                unit=lot.unit,
                units_per_week=service.units_per_week,
                carers_per_visit=service.carers_per_visit,
                visit_pattern="to be agreed with the person",
                start_date=start,
                latest_start_date=start + timedelta(days=rules.latest_start_days),
                urgency=Urgency.normal,
                ceiling_pence=_ceiling(lot, area),
            )
            origin = PackageOrigin.personal_budget
            raised.append(
                await _request(
                    uow,
                    council_id,
                    budget.person_id,
                    needs,
                    rules,
                    now,
                    origin,
                    budget.budget_id,
                    budget.budget_revision,
                )
            )
        await uow.commit()
    return raised


def check_dates(start_date: date, latest_start_date: date, today: date) -> list[Issue]:
    issues = []
    if start_date < today:
        issues.append(Issue("start_date", "cannot be in the past"))
    if latest_start_date < start_date:
        issues.append(Issue("latest_start_date", "cannot be before start_date"))
    return issues
