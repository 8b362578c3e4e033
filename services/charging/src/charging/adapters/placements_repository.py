"""The placements brokerage told charging of, each as it is from each effective date."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from charging.adapters.tables import placements as pl
from charging.domain.placements import Placement


class PlacementsRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def of_person(self, council_id: str, person_id: uuid.UUID) -> list[Placement]:
        rows = await self.session.execute(
            select(pl.c.placement_id, pl.c.lot, pl.c.weekly_cost_pence, pl.c.effective_from, pl.c.ends_on)
            .where(pl.c.council_id == council_id, pl.c.person_id == person_id)
            .order_by(pl.c.effective_from)
        )
        return [Placement(**r._mapping) for r in rows]

    async def put(self, council_id: str, person_id: uuid.UUID, placement: Placement) -> None:
        """A placement started or changed from its effective date: the whole picture from that date (told
        again, it replaces what was kept for that date). Its end, if known, holds for every date."""
        where = (pl.c.council_id == council_id, pl.c.placement_id == placement.placement_id)
        ends_on = (await self.session.execute(select(pl.c.ends_on).where(*where).limit(1))).scalar()
        await self.session.execute(delete(pl).where(*where, pl.c.effective_from == placement.effective_from))
        await self.session.execute(
            pl.insert().values(
                placement_id=placement.placement_id,
                council_id=council_id,
                person_id=person_id,
                lot=placement.lot,
                weekly_cost_pence=placement.weekly_cost_pence,
                effective_from=placement.effective_from,
                ends_on=ends_on,
                updated_at=datetime.now(UTC),
            )
        )

    async def end(self, council_id: str, placement_id: uuid.UUID, ends_on: date) -> bool:
        changed = await self.session.execute(
            update(pl)
            .where(pl.c.council_id == council_id, pl.c.placement_id == placement_id)
            .values(ends_on=ends_on, updated_at=datetime.now(UTC))
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]
