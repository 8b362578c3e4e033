"""Reading and writing cohorts and their rows; always within one council."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.events.people import ClientGroup
from ras.adapters.tables import cohort_rows, cohorts
from ras.domain.commissioning.calibration import CohortRow


@dataclass(frozen=True)
class Cohort:
    cohort_id: uuid.UUID
    council_id: str
    name: str
    row_count: int
    uploaded_by: str
    uploaded_at: datetime


class CohortRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def add(self, cohort: Cohort) -> None:
        await self._session.execute(insert(cohorts).values(**cohort.__dict__))

    async def add_rows(self, cohort_id: uuid.UUID, rows: Sequence[tuple[int, CohortRow]]) -> None:
        if rows:
            await self._session.execute(
                insert(cohort_rows),
                [
                    {
                        "cohort_id": cohort_id,
                        "line": line,
                        "reference": row.reference,
                        "client_group": row.client_group.value,
                        "points": row.points,
                        "actual_weekly_pence": row.actual_weekly_pence,
                    }
                    for line, row in rows
                ],
            )

    async def counted(self, cohort_id: uuid.UUID, row_count: int) -> None:
        await self._session.execute(update(cohorts).where(cohorts.c.cohort_id == cohort_id).values(row_count=row_count))

    async def get(self, council_id: str, cohort_id: uuid.UUID) -> Cohort | None:
        query = select(cohorts).where(cohorts.c.cohort_id == cohort_id, cohorts.c.council_id == council_id)
        row = (await self._session.execute(query)).first()
        return Cohort(**row._mapping) if row else None

    async def list(self, council_id: str, *, limit: int, offset: int) -> list[Cohort]:
        query = (
            select(cohorts)
            .where(cohorts.c.council_id == council_id)
            .order_by(cohorts.c.uploaded_at.desc(), cohorts.c.cohort_id)
            .limit(limit)
            .offset(offset)
        )
        return [Cohort(**row._mapping) for row in await self._session.execute(query)]

    async def rows(self, cohort_id: uuid.UUID) -> list[CohortRow]:
        query = select(cohort_rows).where(cohort_rows.c.cohort_id == cohort_id).order_by(cohort_rows.c.line)
        return [
            CohortRow(r.reference, ClientGroup(r.client_group), r.points, r.actual_weekly_pence)
            for r in await self._session.execute(query)
        ]
