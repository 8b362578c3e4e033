"""The council's RAS model in force on a date, as scoring and the questionnaire need it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.errors import NotFound
from pbshared.platform.refdata.lookup import effective_dataset
from ras.domain.assessments.scoring import ModelVersion
from ras.domain.reference.ras_model import RasModel
from ras.reference_kinds import RAS_MODEL


async def model_in_force(session: AsyncSession, council_id: str, on: date, *, field: str = "on") -> ModelVersion:
    """The version in force on `on`; NotFound (naming `field`) when the council has none yet."""
    dataset = await effective_dataset(session, council_id, RAS_MODEL.name, on)
    if dataset is None:
        raise NotFound.about(field, f"no RAS model in force on {on}", where="query" if field == "on" else "body")
    return ModelVersion(dataset.version, dataset.effective_from, RasModel.model_validate(dataset.payload))
