"""Requests for support, each read with the start of the person's first assessment on or after it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ras.adapters.tables import assessments, requests


def _with_assessment_start() -> Any:
    started = (
        select(func.min(assessments.c.start_date))
        .where(
            assessments.c.council_id == requests.c.council_id,
            assessments.c.person_id == requests.c.person_id,
            assessments.c.start_date >= requests.c.request_date,
        )
        .scalar_subquery()
    )
    return select(requests, started.label("assessment_started"))


class RequestsRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def add(self, values: dict[str, Any]) -> None:
        await self._session.execute(insert(requests).values(**values, created_at=datetime.now(UTC)))

    async def get(self, council_id: str, request_id: uuid.UUID) -> dict[str, Any] | None:
        query = _with_assessment_start().where(requests.c.request_id == request_id, requests.c.council_id == council_id)
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def find(self, council_id: str, *, outcome: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        query = _with_assessment_start().where(requests.c.council_id == council_id)
        if outcome:
            query = query.where(requests.c.outcome == outcome)
        query = query.order_by(requests.c.request_date, requests.c.request_id).limit(limit).offset(offset)
        return [dict(r._mapping) for r in await self._session.execute(query)]
