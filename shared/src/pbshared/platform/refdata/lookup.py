"""Looking a dataset up by the date that matters.

Apart from storing (which refuses bad datasets as HTTP problems) so that use cases, which raise only
domain errors, can read reference data too.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.tables import reference_datasets


class Dataset(BaseModel):
    council_id: str
    kind: str
    version: int
    effective_from: date
    source: str
    payload: dict[str, Any]
    content_hash: str
    loaded_by: str
    loaded_at: datetime


async def effective_dataset(session: AsyncSession, council_id: str, kind: str, on: date) -> Dataset | None:
    """The dataset in force on `on`: latest effective-from not after it, then the highest version."""
    row = (
        await session.execute(
            select(reference_datasets)
            .where(reference_datasets.c.council_id == council_id)
            .where(reference_datasets.c.kind == kind)
            .where(reference_datasets.c.effective_from <= on)
            .order_by(reference_datasets.c.effective_from.desc(), reference_datasets.c.version.desc())
            .limit(1)
        )
    ).first()
    return Dataset.model_validate(row._mapping) if row else None
