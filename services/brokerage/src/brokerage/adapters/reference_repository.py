"""The council's reference payload of a kind in force on a date.

The lookup pbshared.platform.refdata offers sits in a module that also answers HTTP (it imports the
platform's problem responses), which a use case may not import even indirectly; this reads the same
table the same way: latest effective-from not after the date, then the highest version.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.tables import reference_datasets


async def payload_in_force(session: AsyncSession, council_id: str, kind: str, on: date) -> dict[str, Any] | None:
    t = reference_datasets.c
    query = (
        select(t.payload)
        .where(t.council_id == council_id, t.kind == kind, t.effective_from <= on)
        .order_by(t.effective_from.desc(), t.version.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
