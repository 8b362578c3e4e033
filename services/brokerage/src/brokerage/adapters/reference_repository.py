"""The council's reference payload of a kind in force on a date (the platform's one lookup rule:
latest effective-from not after the date, then the highest version)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.refdata.lookup import effective_dataset


async def payload_in_force(session: AsyncSession, council_id: str, kind: str, on: date) -> dict[str, Any] | None:
    dataset = await effective_dataset(session, council_id, kind, on)
    return None if dataset is None else dataset.payload
