"""Reading and writing packages, the providers invited to each round, and bids; within one council."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.moments import as_utc
from brokerage.adapters.tables import bids, invitations, packages
from brokerage.domain.packages import Bid, BidStatus, Package, PackageStatus
from pbshared.contract.events.brokerage import PackageNeeds, PackageOrigin

_NEEDS = list(PackageNeeds.model_fields)


def _to_package(row: Any) -> Package:
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


def _package_values(p: Package) -> dict[str, Any]:
    needs = p.needs.model_dump(mode="python")
    needs["unit"] = str(p.needs.unit)
    needs["urgency"] = str(p.needs.urgency)
    return dict(
        **needs,
        status=str(p.status),
        round=p.round,
        areas=p.areas,
        deadline=p.deadline,
        ranking=p.ranking,
        awarded_bid_id=p.awarded_bid_id,
        accept_by=p.accept_by,
        escalation_reason=p.escalation_reason,
        revision=p.revision,
        budget_revision=p.budget_revision,
        needs_from_round=p.needs_from_round,
        awarded_at=p.awarded_at,
        withdrawal_reason=p.withdrawal_reason,
    )


def _to_bid(row: Any) -> Bid:
    m = row._mapping
    values = {name: m[name] for name in Bid.__dataclass_fields__}
    return Bid(**{**values, "status": BidStatus(m["status"]), "submitted_at": as_utc(m["submitted_at"])})


class PackagesRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def get(self, council_id: str, package_id: uuid.UUID, *, lock: str | None = None) -> Package | None:
        """`lock`: "update" for a change of the package, "share" for a bid (many bids at once, but
        none while the package is being evaluated)."""
        query = select(packages).where(packages.c.council_id == council_id, packages.c.package_id == package_id)
        if lock:
            query = query.with_for_update(read=lock == "share")
        row = (await self._session.execute(query)).first()
        return _to_package(row) if row else None

    async def find(self, council_id: str, *, limit: int = 100, offset: int = 0) -> list[Package]:
        query = (
            select(packages)
            .where(packages.c.council_id == council_id)
            .order_by(packages.c.requested_at.desc(), packages.c.package_id)
            .limit(limit)
            .offset(offset)
        )
        return [_to_package(r) for r in await self._session.execute(query)]

    async def of_budget(self, council_id: str, budget_id: uuid.UUID) -> list[Package]:
        """Every package raised from the budget, locked for update (a budget change acts on each)."""
        query = (
            select(packages)
            .where(packages.c.council_id == council_id, packages.c.budget_id == budget_id)
            .order_by(packages.c.lot)
            .with_for_update()
        )
        return [_to_package(r) for r in await self._session.execute(query)]

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
        return [_to_package(r) for r in await self._session.execute(query)]

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

    async def open_bids_of_provider(self, council_id: str, provider_id: str) -> list[Bid]:
        query = select(bids).where(
            bids.c.council_id == council_id, bids.c.provider_id == provider_id, bids.c.status == str(BidStatus.open)
        )
        return [_to_bid(r) for r in await self._session.execute(query)]

    async def add_bid(self, bid: Bid) -> None:
        values = {name: getattr(bid, name) for name in Bid.__dataclass_fields__}
        await self._session.execute(insert(bids).values(**{**values, "status": str(bid.status)}))

    async def save_bid(self, bid: Bid, *, read_revision: int) -> bool:
        values = {name: getattr(bid, name) for name in Bid.__dataclass_fields__ if name != "bid_id"}
        result = await self._session.execute(
            update(bids)
            .where(bids.c.bid_id == bid.bid_id, bids.c.revision == read_revision)
            .values(**{**values, "status": str(bid.status)})
        )
        return bool(result.rowcount)
