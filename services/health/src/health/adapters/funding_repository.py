"""Reading and writing NHS funding decisions; always within one council."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from health.adapters.tables import funding_decisions
from health.domain.funding import FundingDecision
from pbshared.contract.events.health import FundingBasis


def _decision(row: Any) -> FundingDecision:
    m = {k: v for k, v in row._mapping.items() if k != "created_at"}
    m["basis"] = FundingBasis(m["basis"])
    return FundingDecision(**m)


def _values(decision: FundingDecision) -> dict[str, Any]:
    values = dataclasses.asdict(decision)
    values["basis"] = str(decision.basis)
    return values


class FundingRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def get(self, council_id: str, decision_id: uuid.UUID, *, for_update: bool = False) -> FundingDecision | None:
        query = select(funding_decisions).where(
            funding_decisions.c.council_id == council_id, funding_decisions.c.decision_id == decision_id
        )
        row = (await self._session.execute(query.with_for_update() if for_update else query)).first()
        return _decision(row) if row else None

    async def of_person(self, council_id: str, person_id: uuid.UUID) -> list[FundingDecision]:
        query = (
            select(funding_decisions)
            .where(funding_decisions.c.council_id == council_id, funding_decisions.c.person_id == person_id)
            .order_by(funding_decisions.c.start_date, funding_decisions.c.decision_id)
        )
        return [_decision(row) for row in await self._session.execute(query)]

    async def add(self, decision: FundingDecision) -> None:
        await self._session.execute(insert(funding_decisions).values(**_values(decision), created_at=datetime.now(UTC)))

    async def save(self, decision: FundingDecision, *, read_revision: int) -> bool:
        result = await self._session.execute(
            update(funding_decisions)
            .where(
                funding_decisions.c.decision_id == decision.decision_id,
                funding_decisions.c.revision == read_revision,
            )
            .values(**_values(decision))
        )
        return bool(result.rowcount)
