"""Reading and writing placements; always within one council."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.tables import placements
from brokerage.domain.placements import Placement
from pbshared.contract.events.brokerage import PlacementEndReason


def _to_placement(row: Any) -> Placement:
    m = dict(row._mapping)
    m["end_reason"] = PlacementEndReason(m["end_reason"]) if m["end_reason"] else None
    return Placement(**m)


def _values(p: Placement) -> dict[str, Any]:
    values = asdict(p)
    values["end_reason"] = str(p.end_reason) if p.end_reason else None
    return values


class PlacementsRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def get(self, council_id: str, placement_id: uuid.UUID, *, for_update: bool = False) -> Placement | None:
        query = select(placements).where(
            placements.c.council_id == council_id, placements.c.placement_id == placement_id
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _to_placement(row) if row else None

    async def of_package(self, council_id: str, package_id: uuid.UUID) -> Placement | None:
        query = select(placements).where(placements.c.council_id == council_id, placements.c.package_id == package_id)
        row = (await self._session.execute(query)).first()
        return _to_placement(row) if row else None

    async def add(self, placement: Placement) -> None:
        await self._session.execute(insert(placements).values(**_values(placement)))

    async def save(self, placement: Placement, *, read_revision: int) -> bool:
        result = await self._session.execute(
            update(placements)
            .where(placements.c.placement_id == placement.placement_id, placements.c.revision == read_revision)
            .values(**_values(placement))
        )
        return bool(result.rowcount)
