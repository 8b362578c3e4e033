"""Finding a person by NHS number: in the copy of RAS's people, else among the patients the NHS told
us of before RAS answered; and the person's postcode for a health partner's area."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from health.adapters.tables import patients
from pbshared.platform.tables import person_copies


@dataclass(frozen=True)
class KnownPerson:
    person_id: uuid.UUID
    nhs_number: str | None
    postcode: str


class PeopleRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def by_nhs_number(self, council_id: str, nhs_number: str) -> uuid.UUID | None:
        """The live person RAS registered with this NHS number, else the one we proposed earlier."""
        registered = await self.registered_with(council_id, nhs_number)
        if registered is not None:
            return registered.person_id
        proposed = (
            await self._session.execute(
                select(patients.c.person_id).where(
                    patients.c.council_id == council_id, patients.c.nhs_number == nhs_number
                )
            )
        ).first()
        return proposed.person_id if proposed else None

    async def propose(self, council_id: str, nhs_number: str, person_id: uuid.UUID, referral_id: uuid.UUID) -> None:
        await self._session.execute(
            insert(patients).values(
                council_id=council_id,
                nhs_number=nhs_number,
                person_id=person_id,
                first_referral_id=referral_id,
                created_at=datetime.now(UTC),
            )
        )

    async def get(self, council_id: str, person_id: uuid.UUID) -> KnownPerson | None:
        """The person RAS registered (following a merge to the surviving record)."""
        for _ in range(5):  # a merge chain is short; never loop forever on bad data
            row = (
                await self._session.execute(
                    select(person_copies).where(
                        person_copies.c.council_id == council_id, person_copies.c.person_id == person_id
                    )
                )
            ).first()
            if row is None:
                return None
            if row.merged_into is None:
                return KnownPerson(row.person_id, row.nhs_number, row.postcode)
            person_id = row.merged_into
        return None

    async def registered_with(self, council_id: str, nhs_number: str) -> KnownPerson | None:
        row = (
            await self._session.execute(
                select(person_copies).where(
                    person_copies.c.council_id == council_id,
                    person_copies.c.nhs_number == nhs_number,
                    person_copies.c.merged_into.is_(None),
                )
            )
        ).first()
        return KnownPerson(row.person_id, row.nhs_number, row.postcode) if row else None
