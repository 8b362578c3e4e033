"""At the deadline the round's bids are ranked and the top one awarded; an award not accepted in
time passes to the next bid; a round with no bid left is re-advertised or escalated to a broker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from brokerage.adapters.packages_repository import PackagesRepository
from brokerage.adapters.providers_repository import ProvidersRepository
from brokerage.adapters.rounds_repository import RoundOutcome, RoundsRepository
from brokerage.adapters.timers import TimerKind, TimersRepository
from brokerage.domain.evaluation import ProviderRecord, SealedBid, rank_bids
from brokerage.domain.packages import Bid, BidStatus, Package, PackageStatus
from brokerage.domain.providers import why_ineligible
from brokerage.domain.reference.dps_rules import DpsRules
from brokerage.domain.rounds import Escalate, after_unfilled
from brokerage.service_layer.packages import advertise
from brokerage.service_layer.placements import start_placement
from brokerage.service_layer.reference import council_rules
from pbshared.contract.events.brokerage import PackageAwarded, PackageUnfilled
from pbshared.errors import NotFound, RuleBroken
from pbshared.platform.unit_of_work import UnitOfWork

_GONE = {BidStatus.withdrawn, BidStatus.declined, BidStatus.lapsed, BidStatus.passed_on}


async def _locked(uow: UnitOfWork, council_id: str, package_id: uuid.UUID) -> Package:
    package = await PackagesRepository(uow.session).get(council_id, package_id, lock="update")
    if package is None:
        raise NotFound.about("package_id", "no package with that id", where="path")
    return package


async def _save(uow: UnitOfWork, package: Package, read_revision: int) -> None:
    saved = await PackagesRepository(uow.session).save(package, read_revision=read_revision)
    assert saved, "the package is locked for update"


async def close_rounds(uow: UnitOfWork, rounds: list[tuple[str, uuid.UUID, int]], now: datetime) -> None:
    """The deadline timers of many rounds (council, package, round), in the caller's transaction: rank
    each round's bids and award, or declare the round unfilled. The packages are locked in one
    statement, their bids and bidders read in one each, ranked in memory and the awards written a
    statement a kind for all; a round with no bid standing goes on its own (it may be re-advertised).
    A round already closed is left alone: a timer fires once, but its work is idempotent anyway."""
    if not rounds:
        return
    wanted: dict[uuid.UUID, set[tuple[str, int]]] = {}
    for council_id, package_id, round_number in rounds:  # a stale timer may name a package's past round
        wanted.setdefault(package_id, set()).add((council_id, round_number))
    repo = PackagesRepository(uow.session)
    due = [
        p
        for p in await repo.lock_many(list(wanted))
        if (p.council_id, p.round) in wanted[p.package_id] and p.status is PackageStatus.advertised
    ]
    standing = await repo.sealed_bids_of_rounds([(p.package_id, p.round) for p in due])
    awards: list[_Award] = []
    for council_id in sorted({p.council_id for p in due}):
        in_council = [p for p in due if p.council_id == council_id]
        rules, _ = await council_rules(uow.session, council_id, now.date())
        bidders = {b.provider_id for p in in_council for b in standing[p.package_id]}
        records = await _records(uow, council_id, bidders)
        ranked = [replace(p, ranking=_ranking(p, standing[p.package_id], records, rules)) for p in in_council]
        best = [uuid.UUID(p.ranking[0]["bid_id"]) for p in ranked if p.ranking]
        tops = await repo.lock_bids(council_id, best) if best else {}
        for package in ranked:
            received = len(standing[package.package_id])
            top = tops.get(uuid.UUID(package.ranking[0]["bid_id"])) if package.ranking else None
            if top is not None and top.status not in _GONE:
                awards.append(_award(package, package.ranking[0], top, rules, now, received))
            else:  # no bid, or the best one withdrawn since it was read: down the ranking one by one
                await _award_next(uow, package, rules, now, received)
    await _record_awards(uow, awards, now)


async def _records(uow: UnitOfWork, council_id: str, provider_ids: set[str]) -> dict[str, ProviderRecord]:
    bidders = await ProvidersRepository(uow.session).some(council_id, provider_ids) if provider_ids else {}
    return {
        provider_id: ProviderRecord(p.rating, p.accepted_packages, p.handed_back_packages)
        for provider_id, p in bidders.items()
    }


def _ranking(
    package: Package, sealed: list[SealedBid], records: dict[str, ProviderRecord], rules: DpsRules
) -> list[dict]:
    lot = rules.lot(package.needs.lot)
    assert lot is not None
    return [
        {
            "rank": s.rank,
            "bid_id": str(s.bid.bid_id),
            "provider_id": s.bid.provider_id,
            "rate_pence": s.bid.rate_pence,
            "total": s.total_shown,
            "explanation": s.explanation,
        }
        for s in rank_bids(sealed, records, lot, rules.quality)
    ]


@dataclass(frozen=True)
class _Award:
    read: Package  # as locked: its revision guards the write
    awarded: Package
    bid: Bid  # as locked
    rank: int
    bids_received: int


def _award(package: Package, entry: dict, bid: Bid, rules: DpsRules, now: datetime, bids_received: int) -> _Award:
    accept_by = now + timedelta(hours=rules.acceptance_hours)
    awarded = package.awarded(package.ranking or [], bid.bid_id, accept_by, now)
    return _Award(package, awarded, bid, entry["rank"], bids_received)


async def _record_awards(uow: UnitOfWork, awards: list[_Award], now: datetime) -> None:
    """Awards written a statement a kind for all: the bids, the packages, their rounds, the acceptance
    timers, and package.awarded for each."""
    if not awards:
        return
    repo = PackagesRepository(uow.session)
    await repo.save_bids(
        [(replace(a.bid, status=BidStatus.awarded, revision=a.bid.revision + 1), a.bid.revision) for a in awards]
    )
    await repo.save_states([(a.awarded, a.read.revision) for a in awards])
    rounds = [(a.read.package_id, a.read.round, a.bids_received) for a in awards]
    await RoundsRepository(uow.session).closed_many(rounds, now, RoundOutcome.awarded)
    timers = [(a.read.council_id, a.read.package_id, str(a.bid.bid_id), a.awarded.accept_by) for a in awards]
    await TimersRepository(uow.session).set_many(TimerKind.acceptance_lapses, timers)
    for a in awards:
        await uow.publish(
            PackageAwarded(
                package_id=a.read.package_id,
                bid_id=a.bid.bid_id,
                provider_id=a.bid.provider_id,
                rank=a.rank,
                rate_pence=a.bid.rate_pence,
                accept_by=a.awarded.accept_by,
            ),
            council_id=a.read.council_id,
            subject_id=str(a.read.package_id),
        )


async def _award_next(uow: UnitOfWork, package: Package, rules: DpsRules, now: datetime, bids_received: int) -> Package:
    """Award to the best bid still standing, or declare the round unfilled."""
    repo = PackagesRepository(uow.session)
    for entry in package.ranking or []:
        bid = await repo.bid(package.council_id, uuid.UUID(entry["bid_id"]), for_update=True)
        if bid is None or bid.status in _GONE:
            continue
        award = _award(package, entry, bid, rules, now, bids_received)
        await _record_awards(uow, [award], now)
        return award.awarded
    return await _unfilled(uow, package, rules, now, bids_received)


async def _unfilled(uow: UnitOfWork, package: Package, rules: DpsRules, now: datetime, bids_received: int) -> Package:
    _, localities = await council_rules(uow.session, package.council_id, now.date())
    step = after_unfilled(
        package.round,
        package.areas,
        package.needs.latest_start_date,
        rules.readvertising,
        localities,
        package.rounds_for_these_needs,
    )
    await RoundsRepository(uow.session).closed(
        package.package_id, package.round, now, RoundOutcome.unfilled, bids_received
    )
    read = package.revision
    if isinstance(step, Escalate):
        following = package.escalated(step.reason)
    else:
        deadline = now + timedelta(hours=rules.bidding_windows.hours(package.needs.urgency))
        following = package.advertised(step.round, step.areas, step.latest_start_date, deadline)
    await _save(uow, following, read)
    await uow.publish(
        PackageUnfilled(
            package_id=package.package_id,
            round=package.round,
            bids_received=bids_received,
            next_step="escalated_to_broker" if isinstance(step, Escalate) else "readvertised",
        ),
        council_id=package.council_id,
        subject_id=str(package.package_id),
    )
    if not isinstance(step, Escalate):
        await advertise(uow, following, rules, now)
    return following


async def _pass_on(
    uow: UnitOfWork, package: Package, bid_id: uuid.UUID, status: BidStatus, reason: str, now: datetime
) -> Package:
    repo = PackagesRepository(uow.session)
    bid = await repo.bid(package.council_id, bid_id, for_update=True)
    assert bid is not None
    gone = replace(bid, status=status, status_reason=reason, revision=bid.revision + 1)
    await repo.save_bid(gone, read_revision=bid.revision)
    rules, _ = await council_rules(uow.session, package.council_id, now.date())
    return await _award_next(uow, package, rules, now, len(package.ranking or []))


async def lapse_award(
    uow: UnitOfWork, council_id: str, package_id: uuid.UUID, bid_id: uuid.UUID, now: datetime
) -> Package:
    """The acceptance timer: an award still not accepted passes to the next bid."""
    async with uow:
        package = await _locked(uow, council_id, package_id)
        if package.status is not PackageStatus.awarded or package.awarded_bid_id != bid_id:
            return package  # accepted or declined in time
        package = await _pass_on(uow, package, bid_id, BidStatus.lapsed, "not accepted in time", now)
        await uow.commit()
    return package


async def _why_not_now(uow: UnitOfWork, package: Package, provider_id: str, now: datetime) -> list[str]:
    """Eligibility again at acceptance: capacity may have gone to other packages since the bid."""
    provider = await ProvidersRepository(uow.session).get(package.council_id, provider_id, for_update=True)
    assert provider is not None
    rules, _ = await council_rules(uow.session, package.council_id, now.date())
    return why_ineligible(provider, package.needs.lot, package.areas, package.hours_per_week, rules)


async def _awarded_to(uow: UnitOfWork, council_id: str, package_id: uuid.UUID, provider_id: str) -> tuple[Package, Bid]:
    package = await _locked(uow, council_id, package_id)
    bid = (
        await PackagesRepository(uow.session).bid(council_id, package.awarded_bid_id)
        if package.awarded_bid_id
        else None
    )
    # Only the provider awarded the package may see that it was: to any other it does not exist.
    if package.status is not PackageStatus.awarded or bid is None or bid.provider_id != provider_id:
        raise NotFound.about("package_id", "no award of this package to you", where="path")
    return package, bid


async def decline(uow: UnitOfWork, council_id: str, package_id: uuid.UUID, provider_id: str, now: datetime) -> Package:
    async with uow:
        package, bid = await _awarded_to(uow, council_id, package_id, provider_id)
        package = await _pass_on(uow, package, bid.bid_id, BidStatus.declined, "declined by the provider", now)
        await uow.commit()
    return package


async def accept(uow: UnitOfWork, council_id: str, package_id: uuid.UUID, provider_id: str, now: datetime) -> Package:
    """The awarded provider accepts in time: the placement starts and the person's details are shared
    with it. A provider no longer eligible (its capacity filled since it bid, or it was suspended)
    cannot: the award passes on with the reason recorded on the bid, and the provider is told why."""
    async with uow:
        package, bid = await _awarded_to(uow, council_id, package_id, provider_id)
        if package.accept_by is not None and now >= package.accept_by:
            raise RuleBroken.about("package_id", "the time to accept has passed", where="path")
        reasons = await _why_not_now(uow, package, provider_id, now)
        if not reasons:
            placed = package.placed()
            await _save(uow, placed, package.revision)
            repo = PackagesRepository(uow.session)
            await repo.save_bid(
                replace(bid, status=BidStatus.accepted, revision=bid.revision + 1), read_revision=bid.revision
            )
            await start_placement(uow, placed, bid)
            await uow.commit()
            return placed
        reason = "; ".join(reasons)
        await _pass_on(uow, package, bid.bid_id, BidStatus.passed_on, f"at acceptance: {reason}", now)
        await uow.commit()
    # Refused after the commit: the award has passed on whatever the provider does next.
    raise RuleBroken.about("package_id", f"the award passed on: {reason}", where="path", title="Cannot accept")
