"""Reading what the market figures are made of, for one council and period: the packages requested
in it with their rounds, bids and placements, and the placements started or handed back in it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.moments import as_utc
from brokerage.adapters.tables import bids, package_rounds, packages, placements
from brokerage.domain.market import HandBacks, LotAreaFigures, PackageFacts, hand_backs, market_figures
from pbshared.contract.events.brokerage import PlacementEndReason


def _moments(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's days, inclusive, as moments in UTC."""
    return datetime.combine(start, time(), UTC), datetime.combine(end + timedelta(days=1), time(), UTC)


async def _facts(session: AsyncSession, council_id: str, start: date, end: date) -> list[PackageFacts]:
    since, before = _moments(start, end)
    requested = (
        select(packages.c.package_id)
        .where(packages.c.council_id == council_id)
        .where(packages.c.requested_at >= since, packages.c.requested_at < before)
    )
    bid_counts = (
        select(bids.c.package_id, func.count().label("bids"))
        .where(bids.c.package_id.in_(requested))
        .group_by(bids.c.package_id)
        .subquery()
    )
    query = (
        select(
            packages.c.package_id,
            packages.c.lot,
            packages.c.area,
            packages.c.ceiling_pence,
            packages.c.requested_at,
            packages.c.awarded_at,
            func.coalesce(bid_counts.c.bids, 0).label("bids"),
            placements.c.start_date,
            placements.c.rate_pence,
            placements.c.off_dps_reason,
        )
        .select_from(packages)
        .outerjoin(bid_counts, bid_counts.c.package_id == packages.c.package_id)
        .outerjoin(placements, placements.c.package_id == packages.c.package_id)
        .where(packages.c.package_id.in_(requested))
    )
    rounds: dict = {}
    round_rows = select(package_rounds.c.package_id, package_rounds.c.round, package_rounds.c.outcome).where(
        package_rounds.c.package_id.in_(requested), package_rounds.c.outcome.is_not(None)
    )
    for row in await session.execute(round_rows):
        rounds.setdefault(row.package_id, {})[row.round] = row.outcome
    return [
        PackageFacts(
            package_id=row.package_id,
            lot=row.lot,
            area=row.area,
            ceiling_pence=row.ceiling_pence,
            requested_at=as_utc(row.requested_at),
            awarded_at=as_utc(row.awarded_at),
            bids=row.bids,
            round_outcomes=rounds.get(row.package_id, {}),
            start_date=row.start_date,
            rate_pence=row.rate_pence,
            off_dps=row.off_dps_reason is not None,
        )
        for row in await session.execute(query)
    ]


async def figures(
    session: AsyncSession, council_id: str, start: date, end: date
) -> tuple[LotAreaFigures, list[LotAreaFigures]]:
    return market_figures(await _facts(session, council_id, start, end))


async def provider_hand_backs(session: AsyncSession, council_id: str, start: date, end: date) -> list[HandBacks]:
    mine = placements.c.council_id == council_id
    started = select(placements.c.provider_id).where(mine, placements.c.start_date.between(start, end))
    ended = select(placements.c.provider_id).where(
        mine,
        placements.c.end_reason == str(PlacementEndReason.handed_back),
        placements.c.end_date.between(start, end),
    )
    return hand_backs((await session.execute(started)).scalars(), (await session.execute(ended)).scalars())
