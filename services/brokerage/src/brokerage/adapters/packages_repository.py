"""Reading and writing packages, the providers invited to each round, and bids; within one council."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Table, Update, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.moments import as_utc
from brokerage.adapters.tables import bids, invitations, packages
from brokerage.domain.evaluation import SealedBid
from brokerage.domain.packages import Bid, BidStatus, Package, PackageStatus
from pbshared.contract.events.brokerage import PackageNeeds, PackageOrigin

_NEEDS = list(PackageNeeds.model_fields)


def package_from(row: Any) -> Package:
    m = row._mapping
    return Package(
        package_id=m["package_id"],
        council_id=m["council_id"],
        person_id=m["person_id"],
        origin=PackageOrigin(m["origin"]),
        budget_id=m["budget_id"],
        needs=PackageNeeds.model_validate({name: m[name] for name in _NEEDS}),
        status=PackageStatus(m["status"]),
        round=m["round"],
        areas=list(m["areas"]),
        deadline=as_utc(m["deadline"]),
        ranking=m["ranking"],
        awarded_bid_id=m["awarded_bid_id"],
        accept_by=as_utc(m["accept_by"]),
        escalation_reason=m["escalation_reason"],
        revision=m["revision"],
        budget_revision=m["budget_revision"],
        needs_from_round=m["needs_from_round"],
        awarded_at=as_utc(m["awarded_at"]),
        withdrawal_reason=m["withdrawal_reason"],
        requested_at=as_utc(m["requested_at"]),
    )


# What a package's changes write: its needs and these.
_STATE = [
    "status",
    "round",
    "areas",
    "deadline",
    "ranking",
    "awarded_bid_id",
    "accept_by",
    "escalation_reason",
    "revision",
    "budget_revision",
    "needs_from_round",
    "awarded_at",
    "withdrawal_reason",
]


def _state_values(p: Package) -> dict[str, Any]:
    return {**{name: getattr(p, name) for name in _STATE}, "status": str(p.status)}


def _package_values(p: Package) -> dict[str, Any]:
    needs = p.needs.model_dump(mode="python")
    needs["unit"] = str(p.needs.unit)
    needs["urgency"] = str(p.needs.urgency)
    return {**needs, **_state_values(p)}


def _to_bid(row: Any) -> Bid:
    m = row._mapping
    values = {name: m[name] for name in Bid.__dataclass_fields__}
    return Bid(**{**values, "status": BidStatus(m["status"]), "submitted_at": as_utc(m["submitted_at"])})


def _bid_values(bid: Bid) -> dict[str, Any]:
    values = {name: getattr(bid, name) for name in Bid.__dataclass_fields__ if name != "bid_id"}
    return {**values, "status": str(bid.status)}


_INSERT_BID = insert(bids)


def _guarded_update(table: Table, key: Column, columns: list[str]) -> Update:
    """An update of many rows in one statement, each guarded by the revision it was read at; its
    parameters are `id`, `read` and each column's name prefixed `new_` (SQLAlchemy keeps the bare
    names for itself)."""
    return (
        update(table)
        .where(key == bindparam("id"), table.c.revision == bindparam("read"))
        .values({name: bindparam("new_" + name) for name in columns})
    )


def _new(values: dict[str, Any]) -> dict[str, Any]:
    return {"new_" + name: value for name, value in values.items()}


# The ranking (some 5 KB of JSON) is written by the engine's serializer, pydantic-core (pbshared.platform.db).
_SAVE_STATE_GUARDED = _guarded_update(packages, packages.c.package_id, _STATE)
_SAVE_BID_GUARDED = _guarded_update(bids, bids.c.bid_id, [n for n in Bid.__dataclass_fields__ if n != "bid_id"])


class PackagesRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def get(self, council_id: str, package_id: uuid.UUID, *, lock: str | None = None) -> Package | None:
        """`lock`: "update" for a change of the package, "share" to keep it from changing meanwhile
        (a bid reads it share-locked through adapters/bid_setting.py)."""
        query = select(packages).where(packages.c.council_id == council_id, packages.c.package_id == package_id)
        if lock:
            query = query.with_for_update(read=lock == "share")
        row = (await self._session.execute(query)).first()
        return package_from(row) if row else None

    async def lock_many(self, package_ids: list[uuid.UUID]) -> list[Package]:
        """Several packages locked for update in one statement, in id order (two workers locking
        overlapping sets wait for each other rather than deadlock)."""
        query = (
            select(packages)
            .where(packages.c.package_id.in_(package_ids))
            .order_by(packages.c.package_id)
            .with_for_update()
        )
        return [package_from(r) for r in await self._session.execute(query)]

    async def find(self, council_id: str, *, limit: int = 100, offset: int = 0) -> list[Package]:
        query = (
            select(packages)
            .where(packages.c.council_id == council_id)
            .order_by(packages.c.requested_at.desc(), packages.c.package_id)
            .limit(limit)
            .offset(offset)
        )
        return [package_from(r) for r in await self._session.execute(query)]

    async def of_budget(self, council_id: str, budget_id: uuid.UUID) -> list[Package]:
        """Every package raised from the budget, locked for update (a budget change acts on each)."""
        query = (
            select(packages)
            .where(packages.c.council_id == council_id, packages.c.budget_id == budget_id)
            .order_by(packages.c.lot)
            .with_for_update()
        )
        return [package_from(r) for r in await self._session.execute(query)]

    async def exists_for_budget(self, budget_id: uuid.UUID, lot: str) -> bool:
        query = select(packages.c.package_id).where(packages.c.budget_id == budget_id, packages.c.lot == lot)
        return (await self._session.execute(query)).first() is not None

    async def add(self, package: Package) -> None:
        await self._session.execute(
            insert(packages).values(
                package_id=package.package_id,
                council_id=package.council_id,
                person_id=package.person_id,
                origin=str(package.origin),
                budget_id=package.budget_id,
                requested_at=package.requested_at or datetime.now(UTC),
                **_package_values(package),
            )
        )

    async def save_states(self, changes: list[tuple[Package, int]]) -> None:
        """A change of state (award, status; not of needs) to each (package, the revision it was read
        at), in one statement executed for all. For packages this transaction holds locked for
        update, so no guard can miss; it is kept all the same."""
        if changes:
            rows = [{"id": p.package_id, "read": read, **_new(_state_values(p))} for p, read in changes]
            await self._session.execute(_SAVE_STATE_GUARDED, rows)

    async def save(self, package: Package, *, read_revision: int) -> bool:
        result = await self._session.execute(
            update(packages)
            .where(packages.c.package_id == package.package_id, packages.c.revision == read_revision)
            .values(**_package_values(package))
        )
        return bool(result.rowcount)

    async def invite(self, package: Package, provider_ids: list[str]) -> None:
        if provider_ids:
            rows = [{"package_id": package.package_id, "round": package.round, "provider_id": p} for p in provider_ids]
            await self._session.execute(insert(invitations), rows)

    async def is_invited(self, package_id: uuid.UUID, provider_id: str) -> bool:
        """Invited to any round: a provider keeps seeing an advert it was sent, and its own bids."""
        query = select(invitations.c.package_id).where(
            invitations.c.package_id == package_id, invitations.c.provider_id == provider_id
        )
        return (await self._session.execute(query.limit(1))).first() is not None

    async def adverts_for(self, council_id: str, provider_id: str) -> list[Package]:
        """Packages open for bidding in a round this provider was invited to."""
        query = (
            select(packages)
            .join(
                invitations,
                (invitations.c.package_id == packages.c.package_id) & (invitations.c.round == packages.c.round),
            )
            .where(
                packages.c.council_id == council_id,
                packages.c.status == str(PackageStatus.advertised),
                invitations.c.provider_id == provider_id,
            )
            .order_by(packages.c.deadline, packages.c.package_id)
        )
        return [package_from(r) for r in await self._session.execute(query)]

    # Bids

    async def bid(self, council_id: str, bid_id: uuid.UUID, *, for_update: bool = False) -> Bid | None:
        query = select(bids).where(bids.c.council_id == council_id, bids.c.bid_id == bid_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _to_bid(row) if row else None

    async def bids_of(
        self, package_id: uuid.UUID, *, round: int | None = None, provider_id: str | None = None
    ) -> list[Bid]:
        query = select(bids).where(bids.c.package_id == package_id)
        if round is not None:
            query = query.where(bids.c.round == round)
        if provider_id is not None:
            query = query.where(bids.c.provider_id == provider_id)
        return [_to_bid(r) for r in await self._session.execute(query.order_by(bids.c.submitted_at, bids.c.bid_id))]

    async def sealed_bids_of_rounds(self, rounds: list[tuple[uuid.UUID, int]]) -> dict[uuid.UUID, list[SealedBid]]:
        """The open bids of each (package, round) as evaluation ranks them, in one statement of the
        columns ranking reads (the ranking orders them itself, so they come in no order)."""
        wanted = set(rounds)
        c = bids.c
        query = select(c.package_id, c.round, c.bid_id, c.provider_id, c.rate_pence, c.earliest_start, c.submitted_at)
        query = query.where(c.package_id.in_({package_id for package_id, _ in rounds}), c.status == str(BidStatus.open))
        found: dict[uuid.UUID, list[SealedBid]] = {package_id: [] for package_id, _ in rounds}
        # All rows at once: iterating the result fetches them one call a row.
        for package_id, round_number, bid_id, provider_id, rate, start, at in (
            await self._session.execute(query)
        ).all():
            if (package_id, round_number) in wanted:
                found[package_id].append(SealedBid(bid_id, provider_id, rate, start, as_utc(at)))
        return found

    async def lock_bids(self, council_id: str, bid_ids: list[uuid.UUID]) -> dict[uuid.UUID, Bid]:
        """Several bids locked for update in one statement, by id."""
        query = (
            select(bids)
            .where(bids.c.council_id == council_id, bids.c.bid_id.in_(bid_ids))
            .order_by(bids.c.bid_id)
            .with_for_update()
        )
        return {b.bid_id: b for b in map(_to_bid, await self._session.execute(query))}

    async def open_bids_of_provider(self, council_id: str, provider_id: str) -> list[Bid]:
        query = select(bids).where(
            bids.c.council_id == council_id, bids.c.provider_id == provider_id, bids.c.status == str(BidStatus.open)
        )
        return [_to_bid(r) for r in await self._session.execute(query)]

    async def add_bid(self, bid: Bid) -> None:
        values = {name: getattr(bid, name) for name in Bid.__dataclass_fields__}
        # The statement built once, the values bound: building `insert().values()` per bid costs more.
        await self._session.execute(_INSERT_BID, {**values, "status": str(bid.status)})

    async def save_bids(self, changes: list[tuple[Bid, int]]) -> None:
        """(bid, the revision it was read at) each, guarded by it: one statement executed for all."""
        if changes:
            rows = [{"id": b.bid_id, "read": read, **_new(_bid_values(b))} for b, read in changes]
            await self._session.execute(_SAVE_BID_GUARDED, rows)

    async def save_bid(self, bid: Bid, *, read_revision: int) -> bool:
        result = await self._session.execute(
            update(bids).where(bids.c.bid_id == bid.bid_id, bids.c.revision == read_revision).values(**_bid_values(bid))
        )
        return bool(result.rowcount)
