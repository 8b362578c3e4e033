"""The council's health rules in force on a date (reference data; docs/domain/health.md)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from health.domain.rules import KIND, HealthRules
from pbshared.errors import RuleBroken
from pbshared.platform.refdata.lookup import effective_dataset


async def rules_on(session: AsyncSession, council_id: str, on: date) -> HealthRules:
    dataset = await effective_dataset(session, council_id, KIND, on)
    if dataset is None:
        raise RuleBroken.about(KIND, f"the council has no {KIND} in force on {on.isoformat()}")
    return HealthRules.model_validate(dataset.payload)
