"""RAS model versions by number, from the council's reference data (any version, in force or not
yet: a proposed model is studied before it starts)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.tables import reference_datasets
from ras.domain.reference.ras_model import RasModel


async def ras_model_version(session: AsyncSession, council_id: str, version: int) -> RasModel | None:
    query = select(reference_datasets.c.payload).where(
        reference_datasets.c.council_id == council_id,
        reference_datasets.c.kind == "ras_model",  # the kind ras.reference_kinds declares
        reference_datasets.c.version == version,
    )
    payload = (await session.execute(query)).scalar_one_or_none()
    return None if payload is None else RasModel.model_validate(payload)
