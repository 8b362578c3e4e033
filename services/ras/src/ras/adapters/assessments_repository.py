"""Reading what a stored assessment is scored with, always within one council. The scored assessment
is written by the unit of work, with the event that announces it (UnitOfWork.insert)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from ras.adapters.datasets_in_force import in_force_id
from ras.adapters.tables import people
from ras.reference_kinds import CLIENT_LEVEL_DATA_CODES, RAS_MODEL


@dataclass(frozen=True)
class ScoringInputs:
    """The person being assessed and the datasets in force on the assessment date (their ids; None
    when the council has none in force)."""

    client_group: str
    merged_into: uuid.UUID | None
    ras_model_id: int | None
    codes_id: int | None


# Built once: only its parameters change from one assessment to the next.
_SCORING_INPUTS = select(
    people.c.client_group,
    people.c.merged_into,
    in_force_id(RAS_MODEL),
    in_force_id(CLIENT_LEVEL_DATA_CODES),
).where(people.c.person_id == bindparam("person_id"), people.c.council_id == bindparam("council_id"))


class AssessmentsRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def scoring_inputs(self, council_id: str, person_id: uuid.UUID, on: date) -> ScoringInputs | None:
        """One round trip for the person and which RAS model and Client Level Data codes are in force
        on `on`; None when the council has no such person."""
        parameters = {"council_id": council_id, "person_id": person_id, "on": on}
        row = (await self._session.execute(_SCORING_INPUTS, parameters)).first()
        return None if row is None else ScoringInputs(*row)
