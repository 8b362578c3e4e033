"""Reading and writing assessments' scores, support plans, budgets and decisions; always within one council."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ras.adapters.tables import assessments, budget_decisions, budgets

_DECISION_AMOUNTS = ("budget_revision", "weekly_pence", "one_off_pence", "annual_pence", "effective_from")


class BudgetsRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def assessment(self, council_id: str, assessment_id: uuid.UUID) -> dict[str, Any] | None:
        query = select(assessments).where(
            assessments.c.assessment_id == assessment_id, assessments.c.council_id == council_id
        )
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def budget(self, council_id: str, budget_id: uuid.UUID, *, for_update: bool = False) -> dict[str, Any] | None:
        query = select(budgets).where(budgets.c.budget_id == budget_id, budgets.c.council_id == council_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return dict(row._mapping) if row else None

    async def add_budget(self, values: dict[str, Any]) -> None:
        now = datetime.now(UTC)
        await self._session.execute(insert(budgets).values(**values, revision=1, created_at=now, updated_at=now))

    async def change_budget(self, budget_id: uuid.UUID, read_revision: int, values: dict[str, Any]) -> bool:
        """Write `values` if the row is still at `read_revision` (and move it on); False if it was not."""
        result = await self._session.execute(
            update(budgets)
            .where(budgets.c.budget_id == budget_id, budgets.c.revision == read_revision)
            .values(**values, revision=read_revision + 1, updated_at=datetime.now(UTC))
        )
        return bool(result.rowcount)

    async def add_decision(self, budget: dict[str, Any], decision: str, by: str, role: str, reasons: list[str]) -> None:
        """Keep a decision with the budget revision it concerns (`budget` as it stands after it, or the
        revision proposed) and that revision's amounts."""
        await self._session.execute(
            insert(budget_decisions).values(
                decision_id=uuid.uuid4(),
                council_id=budget["council_id"],
                budget_id=budget["budget_id"],
                person_id=budget["person_id"],
                decision=decision,
                decided_by=by,
                role=role,
                decided_at=datetime.now(UTC),
                reasons=reasons,
                **{column: budget[column] for column in _DECISION_AMOUNTS},
            )
        )

    async def person_budgets(self, council_id: str, person_id: uuid.UUID) -> list[dict[str, Any]]:
        query = (
            select(budgets)
            .where(budgets.c.council_id == council_id, budgets.c.person_id == person_id)
            .order_by(budgets.c.created_at, budgets.c.budget_id)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def agreed_budgets(self, council_id: str) -> list[dict[str, Any]]:
        query = select(budgets).where(budgets.c.council_id == council_id, budgets.c.status == "agreed")
        return [dict(r._mapping) for r in await self._session.execute(query)]

    async def commitments(self, council_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Agreed budgets with their assessment's indicative figure, and every eligible assessment."""
        agreed = select(
            budgets.c.person_id,
            budgets.c.client_group,
            budgets.c.annual_pence,
            assessments.c.indicative_annual_pence,
        ).join(assessments, assessments.c.assessment_id == budgets.c.assessment_id)
        agreed = agreed.where(budgets.c.council_id == council_id, budgets.c.status == "agreed")
        assessed = select(
            assessments.c.person_id,
            assessments.c.client_group,
            assessments.c.assessment_date,
            assessments.c.indicative_annual_pence,
        ).where(assessments.c.council_id == council_id, assessments.c.eligible_needs.is_(True))
        return (
            [dict(r._mapping) for r in await self._session.execute(agreed)],
            [dict(r._mapping) for r in await self._session.execute(assessed)],
        )

    async def person_decisions(self, council_id: str, person_id: uuid.UUID) -> list[dict[str, Any]]:
        query = (
            select(budget_decisions)
            .where(budget_decisions.c.council_id == council_id, budget_decisions.c.person_id == person_id)
            .order_by(budget_decisions.c.decided_at, budget_decisions.c.decision_id)
        )
        return [dict(r._mapping) for r in await self._session.execute(query)]
