"""Budget events kept until the person's first financial assessment is recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from charging.adapters.tables import pending_budget_events as pending


class PendingBudgetsRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def keep(self, council_id: str, person_id: uuid.UUID, kind: str, payload: dict[str, Any]) -> None:
        await self.session.execute(
            pending.insert().values(
                council_id=council_id, person_id=person_id, kind=kind, payload=payload, received_at=datetime.now(UTC)
            )
        )

    async def take(self, council_id: str, person_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
        """The person's kept events in the order they came, removed from the store."""
        where = (pending.c.council_id == council_id, pending.c.person_id == person_id)
        rows = (
            await self.session.execute(select(pending.c.kind, pending.c.payload).where(*where).order_by(pending.c.id))
        ).all()
        if rows:
            await self.session.execute(delete(pending).where(*where))
        return [(r.kind, r.payload) for r in rows]
