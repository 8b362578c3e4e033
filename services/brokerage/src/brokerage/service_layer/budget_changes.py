"""A revised or ended budget reaches the packages raised from it, whatever state each is in
(docs/domain/brokerage.md, "When the budget changes").

Revised: new needs while bidding (or awaiting acceptance) start a fresh round, since bids priced the
old ones; a live placement changes its hours; an escalated package carries the new needs to the
broker; a service the revision drops withdraws its package or ends its placement. Ended: an open
package is withdrawn, a live placement ends. Each package keeps the highest budget revision it has
acted on, so a replayed or late event changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from brokerage.adapters.packages_repository import PackagesRepository
from brokerage.adapters.placements_repository import PlacementsRepository
from brokerage.adapters.rounds_repository import RoundOutcome, RoundsRepository
from brokerage.domain.packages import OPEN, BidStatus, Package, PackageStatus
from brokerage.domain.reference.dps_rules import DpsRules
from brokerage.service_layer.packages import advertise, packages_from_budget
from brokerage.service_layer.placements import apply_change, finish
from brokerage.service_layer.reference import council_rules
from pbshared.contract.events.brokerage import (
    PackageNeeds,
    PackageWithdrawn,
    PlacementEndReason,
    WithdrawalReason,
)
from pbshared.contract.events.budgets import (
    DeliveryMechanism,
    PersonalBudgetEnded,
    PersonalBudgetRevised,
    PlannedService,
)
from pbshared.platform.unit_of_work import UnitOfWork

_STILL_BIDDING = frozenset({PackageStatus.advertised, PackageStatus.awarded})


def _service_for(package: Package, budget: PersonalBudgetRevised, rules: DpsRules) -> PlannedService | None:
    """The revised budget's council-managed service the package's lot sources (the first, as when raised)."""
    return next(
        (
            s
            for s in budget.services
            if s.delivery == DeliveryMechanism.council_managed
            and (lot := rules.lot_for_service(s.service_type)) is not None
            and lot.id == package.needs.lot
        ),
        None,
    )


def _needs_after(package: Package, service: PlannedService) -> PackageNeeds:
    return package.needs.model_copy(
        update={"units_per_week": service.units_per_week, "carers_per_visit": service.carers_per_visit}
    )


def _matters(before: PackageNeeds, after: PackageNeeds) -> bool:
    # Hours and carers are what a provider prices and takes capacity for.
    return (before.units_per_week, before.carers_per_visit) != (after.units_per_week, after.carers_per_visit)


async def revise_from_budget(uow: UnitOfWork, council_id: str, budget: PersonalBudgetRevised, now: datetime) -> None:
    async with uow:
        rules, _ = await council_rules(uow.session, council_id, budget.effective_from)
        for package in await PackagesRepository(uow.session).of_budget(council_id, budget.budget_id):
            if package.budget_revision is not None and package.budget_revision >= budget.budget_revision:
                continue  # already acted on this revision or a later one
            service = _service_for(package, budget, rules)
            if service is None:
                await _close(
                    uow,
                    package,
                    budget.budget_revision,
                    WithdrawalReason.no_longer_in_budget,
                    budget.effective_from - timedelta(days=1),
                    PlacementEndReason.needs_changed,
                    now,
                )
            else:
                await _revise(uow, package, budget.budget_revision, _needs_after(package, service), budget, rules, now)
        await uow.commit()
    # A council-managed service the budget did not have before raises its package.
    await packages_from_budget(uow, council_id, budget, now)


async def _revise(
    uow: UnitOfWork,
    package: Package,
    budget_revision: int,
    needs: PackageNeeds,
    budget: PersonalBudgetRevised,
    rules: DpsRules,
    now: datetime,
) -> None:
    repo = PackagesRepository(uow.session)
    if not _matters(package.needs, needs) or package.status is PackageStatus.withdrawn:
        await _save(repo, replace(package, budget_revision=budget_revision, revision=package.revision + 1), package)
        return
    if package.status in _STILL_BIDDING:
        await _withdraw_bids(uow, package, "the package's needs changed: it was advertised again")
        await RoundsRepository(uow.session).closed(package.package_id, package.round, now, RoundOutcome.superseded)
        deadline = now + timedelta(hours=rules.bidding_windows.hours(needs.urgency))
        following = replace(package.readvertised_for(needs, deadline), budget_revision=budget_revision)
        await _save(repo, following, package)
        await advertise(uow, following, rules, now)
        return
    following = replace(package, needs=needs, budget_revision=budget_revision, revision=package.revision + 1)
    await _save(repo, following, package)
    placement = await PlacementsRepository(uow.session).of_package(package.council_id, package.package_id)
    if package.status is PackageStatus.placed and placement is not None and placement.end_date is None:
        effective = max(budget.effective_from, placement.start_date)
        await apply_change(uow, placement, package, following, needs.units_per_week, effective)
    # Escalated: the broker finds the new needs on the package; an ended placement has nothing to change.


async def end_for_budget(uow: UnitOfWork, council_id: str, budget: PersonalBudgetEnded, now: datetime) -> None:
    async with uow:
        for package in await PackagesRepository(uow.session).of_budget(council_id, budget.budget_id):
            if package.budget_revision is not None and package.budget_revision >= budget.budget_revision:
                continue
            await _close(
                uow,
                package,
                budget.budget_revision,
                WithdrawalReason.budget_ended,
                budget.end_date,
                PlacementEndReason.budget_ended,
                now,
            )
        await uow.commit()


async def _close(
    uow: UnitOfWork,
    package: Package,
    budget_revision: int,
    withdrawal: WithdrawalReason,
    last_day: date,
    end_reason: PlacementEndReason,
    now: datetime,
) -> None:
    """Withdraw an open package, or end its live placement on the budget's last day for it."""
    repo = PackagesRepository(uow.session)
    if package.status in OPEN:
        await _withdraw_bids(uow, package, f"the package was withdrawn: {withdrawal}")
        await RoundsRepository(uow.session).closed(package.package_id, package.round, now, RoundOutcome.withdrawn)
        await _save(repo, replace(package.withdrawn(str(withdrawal)), budget_revision=budget_revision), package)
        await uow.publish(
            PackageWithdrawn(package_id=package.package_id, round=package.round, reason=withdrawal),
            council_id=package.council_id,
            subject_id=str(package.package_id),
        )
        return
    await _save(repo, replace(package, budget_revision=budget_revision, revision=package.revision + 1), package)
    placement = await PlacementsRepository(uow.session).of_package(package.council_id, package.package_id)
    if placement is None or placement.end_date is not None:
        return
    # A placement ends no earlier than its first day: a budget gone before the care began ends it there.
    ended = placement.ended(max(last_day, placement.start_date), end_reason)
    await finish(uow, ended, package, placement.revision)


async def _withdraw_bids(uow: UnitOfWork, package: Package, reason: str) -> None:
    repo = PackagesRepository(uow.session)
    for bid in await repo.bids_of(package.package_id, round=package.round):
        if bid.status in (BidStatus.open, BidStatus.awarded):
            withdrawn = replace(bid, status=BidStatus.withdrawn, status_reason=reason, revision=bid.revision + 1)
            await repo.save_bid(withdrawn, read_revision=bid.revision)


async def _save(repo: PackagesRepository, package: Package, read: Package) -> None:
    saved = await repo.save(package, read_revision=read.revision)
    assert saved, "the package is locked for update"
