"""The council's reference dataset of a kind in force on a date (the platform's one lookup rule:
latest effective-from not after the date, then the highest version)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.refdata.lookup import Dataset, effective_dataset


async def dataset_in_force(session: AsyncSession, council_id: str, kind: str, on: date) -> Dataset | None:
    return await effective_dataset(session, council_id, kind, on)
