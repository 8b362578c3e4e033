"""People API: RAS is where a person is registered, corrected and merged."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from pbshared.contract.events.people import ClientGroup
from pbshared.errors import NotFound
from pbshared.identifiers.nhs_number import NhsNumber, format_nhs_number
from pbshared.identifiers.postcode import Postcode
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.errors import FieldProblem, Problem
from pbshared.platform.fields import ReadRevision
from pbshared.platform.pagination import Limit, Offset
from pbshared.platform.refdata.router import KnownCouncilPrincipal
from ras.adapters.people_repository import PeopleRepository
from ras.domain.people import Person
from ras.service_layer import people as use_cases

router = APIRouter(prefix="/people", tags=["people"])

_CASEWORK = frozenset({Role.social_worker, Role.team_manager, Role.admin})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/people"): _CASEWORK,
    ("GET", "/people"): _CASEWORK | {Role.auditor},
    ("GET", "/people/{person_id}"): _CASEWORK | {Role.auditor},
    ("PATCH", "/people/{person_id}"): _CASEWORK,
    # Merging retires a record for good: a manager's decision.
    ("POST", "/people/{person_id}/merge"): frozenset({Role.team_manager, Role.admin}),
}

_OLDEST_AGE_YEARS = 125


def _plausible_birth_date(value: date) -> date:
    today = date.today()
    if value > today:
        raise ValueError("date of birth is in the future")
    if today.year - value.year > _OLDEST_AGE_YEARS:
        raise ValueError(f"date of birth is more than {_OLDEST_AGE_YEARS} years ago")
    return value


BirthDate = Annotated[date, AfterValidator(_plausible_birth_date)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
CouncilPersonId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9/_-]*$")]


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    council_person_id: CouncilPersonId = Field(description="The council's own case-system id.")
    nhs_number: NhsNumber | None = Field(default=None, description="Optional; checked with Modulus 11.")
    given_name: Name
    family_name: Name
    date_of_birth: BirthDate
    postcode: Postcode
    client_group: ClientGroup


class PersonChanges(BaseModel):
    """Only the fields sent are changed; send nhs_number: null to remove a wrong one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    revision: ReadRevision

    council_person_id: CouncilPersonId | None = None
    nhs_number: NhsNumber | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    date_of_birth: BirthDate | None = None
    postcode: Postcode | None = None
    client_group: ClientGroup | None = None


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    surviving_person_id: uuid.UUID = Field(description="The record that stays.")
    revision: ReadRevision  # of the record being merged (the one in the path)


class PersonOut(BaseModel):
    person_id: uuid.UUID
    council_person_id: str
    nhs_number: str | None
    nhs_number_display: str | None
    given_name: str
    family_name: str
    date_of_birth: date
    postcode: str
    client_group: ClientGroup
    revision: int
    merged_into: uuid.UUID | None

    @classmethod
    def of(cls, person: Person) -> PersonOut:
        return cls(
            **person.details(),
            merged_into=person.merged_into,
            nhs_number_display=format_nhs_number(person.nhs_number) if person.nhs_number else None,
        )


def _with_etag(person: Person, response: Response) -> PersonOut:
    # The revision is the version a client sends back to change the record.
    response.headers["ETag"] = f'"{person.revision}"'
    return PersonOut.of(person)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PersonOut)
async def register_person(body: PersonIn, principal: KnownCouncilPrincipal, uow: Uow, response: Response) -> PersonOut:
    """Register a person; publishes person.registered."""
    details = body.model_dump()
    details["client_group"] = str(body.client_group)
    person = await use_cases.register_person(uow, principal.council_id, details)
    return _with_etag(person, response)


@router.get("", response_model=list[PersonOut])
async def find_people(
    principal: CurrentPrincipal,
    session: Session,
    nhs_number: Annotated[NhsNumber | None, Query()] = None,
    council_person_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[PersonOut]:
    found = await PeopleRepository(session).find(
        principal.council_id,
        nhs_number=nhs_number,
        council_person_id=council_person_id,
        limit=limit,
        offset=offset,
    )
    return [PersonOut.of(p) for p in found]


@router.get("/{person_id}", response_model=PersonOut)
async def get_person(
    person_id: uuid.UUID, principal: CurrentPrincipal, session: Session, response: Response
) -> PersonOut:
    person = await PeopleRepository(session).get(principal.council_id, person_id)
    if person is None:  # another council's person is as absent as one who does not exist
        raise NotFound.about("person_id", "no person with that id", where="path")
    return _with_etag(person, response)


@router.patch("/{person_id}", response_model=PersonOut)
async def change_person(
    person_id: uuid.UUID, body: PersonChanges, principal: CurrentPrincipal, uow: Uow, response: Response
) -> PersonOut:
    """Correct a person's details; publishes person.updated with the fields that changed."""
    changes = body.model_dump(exclude_unset=True, exclude={"revision"})
    required = [name for name, value in changes.items() if value is None and name != "nhs_number"]
    if required:
        raise Problem(
            422,
            "Invalid change",
            "only nhs_number can be removed",
            [FieldProblem(["body", name], "cannot be null") for name in required],
        )
    if "client_group" in changes:
        changes["client_group"] = str(changes["client_group"])
    person = await use_cases.update_person(uow, principal.council_id, person_id, changes, body.revision)
    return _with_etag(person, response)


@router.post("/{person_id}/merge", response_model=PersonOut)
async def merge_person(
    person_id: uuid.UUID, body: MergeIn, principal: CurrentPrincipal, uow: Uow, response: Response
) -> PersonOut:
    """Merge this record into the surviving one; publishes person.merged."""
    person = await use_cases.merge_people(uow, principal.council_id, person_id, body.surviving_person_id, body.revision)
    return _with_etag(person, response)
