"""The NHS decisions charging has been told of (health events), kept as periods per person."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from charging.adapters.tables import health_periods as hp
from charging.domain.health import HealthBasis, HealthPeriod

_FIELDS = (
    "source_id",
    "basis",
    "starts_on",
    "ends_on",
    "free_until",
    "nhs_share_percent",
    "nhs_weekly_pence",
    "budget_id",
)


def _period(row: Any) -> HealthPeriod:
    values = {name: row._mapping[name] for name in _FIELDS}
    return HealthPeriod(**{**values, "basis": HealthBasis(values["basis"])})


class HealthRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def periods(self, council_id: str, person_id: uuid.UUID) -> list[HealthPeriod]:
        rows = await self.session.execute(
            select(hp).where(hp.c.council_id == council_id, hp.c.person_id == person_id).order_by(hp.c.starts_on)
        )
        return [_period(r) for r in rows]

    async def start(self, council_id: str, person_id: uuid.UUID, period: HealthPeriod) -> None:
        """Record a decision or episode; one told again (a replay from long ago) replaces what was kept."""
        values = {name: getattr(period, name) for name in _FIELDS} | {"basis": str(period.basis)}
        now = datetime.now(UTC)
        changed = await self.session.execute(
            update(hp)
            .where(hp.c.council_id == council_id, hp.c.source_id == period.source_id)
            .values(**values, updated_at=now)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            await self.session.execute(
                hp.insert().values(**values, council_id=council_id, person_id=person_id, updated_at=now)
            )

    async def end(self, council_id: str, source_id: uuid.UUID, ends_on: date) -> bool:
        """Close a period from `ends_on`; False if charging never heard of its start."""
        changed = await self.session.execute(
            update(hp)
            .where(hp.c.council_id == council_id, hp.c.source_id == source_id)
            .values(ends_on=ends_on, updated_at=datetime.now(UTC))
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]
