"""Reading and writing people rows; always within one council."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ras.adapters.tables import people
from ras.domain.people import Person

_FIELDS = [c.name for c in people.columns if c.name not in ("created_at", "updated_at")]


def _to_person(row: object) -> Person:
    mapping = row._mapping  # type: ignore[attr-defined]
    return Person(**{name: mapping[name] for name in _FIELDS})


class PeopleRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def get(self, council_id: str, person_id: uuid.UUID, *, for_update: bool = False) -> Person | None:
        query = select(people).where(people.c.person_id == person_id, people.c.council_id == council_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _to_person(row) if row else None

    async def find(
        self,
        council_id: str,
        *,
        nhs_number: str | None = None,
        council_person_id: str | None = None,
        include_merged: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Person]:
        query = select(people).where(people.c.council_id == council_id)
        if nhs_number:
            query = query.where(people.c.nhs_number == nhs_number)
        if council_person_id:
            # One id whatever its case: "WY-1" and "wy-1" are the same person (a unique index says so).
            query = query.where(func.lower(people.c.council_person_id) == council_person_id.lower())
        if not include_merged:
            query = query.where(people.c.merged_into.is_(None))
        query = query.order_by(people.c.family_name, people.c.person_id).limit(limit).offset(offset)
        return [_to_person(r) for r in await self._session.execute(query)]

    async def add(self, person: Person) -> None:
        now = datetime.now(UTC)
        values = {name: getattr(person, name) for name in _FIELDS}
        await self._session.execute(insert(people).values(**values, created_at=now, updated_at=now))

    async def save(self, person: Person, *, read_revision: int) -> bool:
        """Write `person` over the row if it is still at `read_revision`; False if it was not."""
        values = {name: getattr(person, name) for name in _FIELDS if name != "person_id"}
        result = await self._session.execute(
            update(people)
            .where(people.c.person_id == person.person_id, people.c.revision == read_revision)
            .values(**values, updated_at=datetime.now(UTC))
        )
        return bool(result.rowcount)
