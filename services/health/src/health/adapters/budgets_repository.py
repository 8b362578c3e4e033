"""The read model of personal budgets: the latest revision of each, whole, from RAS's events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from health.adapters.tables import budgets


@dataclass(frozen=True)
class BudgetCopy:
    budget_id: uuid.UUID
    person_id: uuid.UUID
    budget_revision: int
    details: dict[str, Any]
    end_date: date | None


class BudgetsRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def _revision(self, budget_id: uuid.UUID) -> int | None:
        row = (
            await self._session.execute(select(budgets.c.budget_revision).where(budgets.c.budget_id == budget_id))
        ).first()
        return row.budget_revision if row else None

    async def owner(self, budget_id: uuid.UUID) -> tuple[str, uuid.UUID] | None:
        """The council and person a budget held here belongs to (None: not held, or not yet arrived)."""
        row = (
            await self._session.execute(
                select(budgets.c.council_id, budgets.c.person_id).where(budgets.c.budget_id == budget_id)
            )
        ).first()
        return (row.council_id, row.person_id) if row else None

    async def keep(self, council_id: str, details: dict[str, Any]) -> None:
        """Keep this revision unless a newer one is already held (a replayed event changes nothing)."""
        budget_id = uuid.UUID(str(details["budget_id"]))
        held = await self._revision(budget_id)
        values = dict(
            budget_revision=details["budget_revision"], details=details, end_date=None, updated_at=datetime.now(UTC)
        )
        if held is None:
            await self._session.execute(
                insert(budgets).values(
                    budget_id=budget_id, council_id=council_id, person_id=uuid.UUID(str(details["person_id"])), **values
                )
            )
        elif held < details["budget_revision"]:
            await self._session.execute(update(budgets).where(budgets.c.budget_id == budget_id).values(**values))

    async def end(self, budget_id: uuid.UUID, budget_revision: int, end_date: date) -> None:
        held = await self._revision(budget_id)
        if held is not None and held < budget_revision:
            await self._session.execute(
                update(budgets)
                .where(budgets.c.budget_id == budget_id)
                .values(budget_revision=budget_revision, end_date=end_date, updated_at=datetime.now(UTC))
            )

    async def current_of(self, council_id: str, person_id: uuid.UUID, today: date) -> BudgetCopy | None:
        """The person's budget in force today: not ended before today, the latest start first."""
        rows = await self._session.execute(
            select(budgets).where(budgets.c.council_id == council_id, budgets.c.person_id == person_id)
        )
        live = [
            BudgetCopy(r.budget_id, r.person_id, r.budget_revision, r.details, r.end_date)
            for r in rows
            if r.end_date is None or r.end_date >= today
        ]
        live.sort(key=lambda b: (b.details["effective_from"], b.budget_revision), reverse=True)
        return live[0] if live else None
