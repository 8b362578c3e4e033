"""Sealed bids: a provider bids, revises or withdraws before the deadline and sees only its own.

A bid reads its package under a shared lock, with all else it is judged on in the same statement:
many providers bid at once, but the evaluation at the deadline (which locks the package for update)
waits for bids already writing, and any bid after it finds bidding closed. So no accepted bid is
missed and none is accepted after the deadline.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime

from brokerage.adapters.bid_setting import BidSetting, bid_setting
from brokerage.adapters.packages_repository import PackagesRepository
from brokerage.domain.bids import BidTerms, bid_refusals
from brokerage.domain.packages import Bid, BidStatus
from brokerage.domain.providers import why_ineligible
from brokerage.service_layer.reference import council_rules
from pbshared.errors import Conflict, Issue, NotFound, RuleBroken, StaleRevision, Unacceptable
from pbshared.platform.unit_of_work import UnitOfWork


async def _judged(
    uow: UnitOfWork, council_id: str, package_id: uuid.UUID, provider_id: str, now: datetime
) -> BidSetting:
    """The package share-locked, with all a bid on it is judged on (one statement)."""
    setting = await bid_setting(uow.session, council_id, package_id, provider_id, now.date())
    # A package the provider was never invited to is as absent as one that does not exist.
    if setting is None or not setting.invited:
        raise NotFound.about("package_id", "no advert with that id", where="path")
    return setting


async def _refuse_unless_acceptable(uow: UnitOfWork, setting: BidSetting, terms: BidTerms, now: datetime) -> None:
    package, provider = setting.package, setting.provider
    rules, _ = await council_rules(uow.session, package.council_id, now.date(), setting.in_force)
    assert provider is not None  # invited, so registered
    ineligible = why_ineligible(provider, package.needs.lot, package.areas, package.hours_per_week, rules)
    window_issues = bid_refusals(terms, package.window, now, ineligible)
    if not package.bidding_open(now) and not any(i.field == "package_id" for i in window_issues):
        window_issues.insert(0, Issue("package_id", "bidding closed at the deadline"))
    if window_issues:
        raise Unacceptable("the bid was not accepted", window_issues, title="Bid refused")


async def place_bid(
    uow: UnitOfWork,
    council_id: str,
    provider_id: str,
    package_id: uuid.UUID,
    rate_pence: int,
    earliest_start: date,
    notes: str | None,
    now: datetime,
) -> Bid:
    async with uow:
        setting = await _judged(uow, council_id, package_id, provider_id, now)
        package = setting.package
        await _refuse_unless_acceptable(uow, setting, BidTerms(rate_pence, earliest_start), now)
        # A second bid racing this one past the check is stopped by the table's unique constraint.
        if setting.bid_this_round:
            raise Conflict.about("package_id", "you already bid in this round: revise that bid", where="path")
        bid = Bid(
            bid_id=uuid.uuid4(),
            package_id=package_id,
            round=package.round,
            council_id=council_id,
            provider_id=provider_id,
            rate_pence=rate_pence,
            earliest_start=earliest_start,
            notes=notes,
            status=BidStatus.open,
            revision=1,
            submitted_at=now,
        )
        await PackagesRepository(uow.session).add_bid(bid)
        await uow.commit()
    return bid


async def _own_open_bid(
    repo: PackagesRepository, council_id: str, provider_id: str, bid_id: uuid.UUID, read_revision: int
) -> Bid:
    bid = await repo.bid(council_id, bid_id, for_update=True)
    if bid is None or bid.provider_id != provider_id:  # another provider's bid is as absent as none
        raise NotFound.about("bid_id", "no bid with that id", where="path")
    if bid.revision != read_revision:
        raise StaleRevision()
    if bid.status is not BidStatus.open:
        raise RuleBroken.about("bid_id", f"the bid is {bid.status}", where="path")
    return bid


async def _save(repo: PackagesRepository, bid: Bid, read_revision: int) -> None:
    if not await repo.save_bid(bid, read_revision=read_revision):
        raise StaleRevision()


async def revise_bid(
    uow: UnitOfWork,
    council_id: str,
    provider_id: str,
    bid_id: uuid.UUID,
    changes: dict,
    read_revision: int,
    now: datetime,
) -> Bid:
    async with uow:
        repo = PackagesRepository(uow.session)
        bid = await _own_open_bid(repo, council_id, provider_id, bid_id, read_revision)
        setting = await _judged(uow, council_id, bid.package_id, provider_id, now)
        revised = replace(bid, **changes, revision=bid.revision + 1, submitted_at=now)
        terms = BidTerms(revised.rate_pence, revised.earliest_start)
        await _refuse_unless_acceptable(uow, setting, terms, now)
        await _save(repo, revised, read_revision)
        await uow.commit()
    return revised


async def withdraw_bid(
    uow: UnitOfWork, council_id: str, provider_id: str, bid_id: uuid.UUID, read_revision: int, now: datetime
) -> Bid:
    async with uow:
        repo = PackagesRepository(uow.session)
        bid = await _own_open_bid(repo, council_id, provider_id, bid_id, read_revision)
        setting = await _judged(uow, council_id, bid.package_id, provider_id, now)
        if not setting.package.bidding_open(now):
            raise Unacceptable.about("bid_id", "bidding closed at the deadline: the bid stands", where="path")
        withdrawn = replace(bid, status=BidStatus.withdrawn, revision=bid.revision + 1)
        await _save(repo, withdrawn, read_revision)
        await uow.commit()
    return withdrawn
