"""Read access to a service's copy of people, always within the caller's council."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import func, select

from pbshared.platform.auth import CurrentPrincipal
from pbshared.platform.deps import Session
from pbshared.platform.errors import Problem
from pbshared.platform.pagination import Limit, Offset
from pbshared.platform.tables import person_copies

router = APIRouter(prefix="/people", tags=["people (copy)"])


class PersonCopy(BaseModel):
    person_id: uuid.UUID
    council_person_id: str
    nhs_number: str | None
    given_name: str
    family_name: str
    date_of_birth: date
    postcode: str
    client_group: str
    revision: int
    merged_into: uuid.UUID | None
    updated_at: datetime


@router.get("", response_model=list[PersonCopy])
async def list_people(
    principal: CurrentPrincipal,
    session: Session,
    nhs_number: str | None = None,
    council_person_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[PersonCopy]:
    query = select(person_copies).where(person_copies.c.council_id == principal.council_id)
    if nhs_number:
        query = query.where(person_copies.c.nhs_number == nhs_number.replace(" ", ""))
    if council_person_id:
        # Council person ids are one id whatever their case (RAS holds them unique case-insensitively).
        query = query.where(func.lower(person_copies.c.council_person_id) == council_person_id.lower())
    query = query.order_by(person_copies.c.family_name, person_copies.c.person_id).limit(limit).offset(offset)
    rows = await session.execute(query)
    return [PersonCopy.model_validate(r._mapping) for r in rows]


@router.get("/{person_id}", response_model=PersonCopy)
async def get_person(person_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> PersonCopy:
    row = (
        await session.execute(
            select(person_copies)
            .where(person_copies.c.person_id == person_id)
            .where(person_copies.c.council_id == principal.council_id)
        )
    ).first()
    if row is None:  # another council's person is as absent as a person who does not exist
        raise Problem(404, "Not found", f"no person {person_id}")
    return PersonCopy.model_validate(row._mapping)
