"""People: RAS is the front door and publishes who a person is; other services keep a copy.

The subject of each event is the person's platform id (a UUID as text), so one person's events
stay in order on one partition.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import Field

from pbshared.contract.events.payload import Payload
from pbshared.contract.registry import event
from pbshared.identifiers.nhs_number import NhsNumber
from pbshared.identifiers.postcode import Postcode


class ClientGroup(StrEnum):
    """The client groups councils price RAS points by (docs/domain/client-groups.md)."""

    older_people = "older_people"
    physical_disability = "physical_disability"
    learning_disability = "learning_disability"
    mental_health = "mental_health"
    sensory_impairment = "sensory_impairment"
    autism = "autism"
    substance_misuse = "substance_misuse"
    carer = "carer"


class PersonDetails(Payload):
    """Who the person is, as RAS holds it: the whole picture, so a copy never needs history."""

    person_id: uuid.UUID
    council_person_id: str = Field(min_length=1, max_length=64)
    nhs_number: NhsNumber | None = None
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    postcode: Postcode
    client_group: ClientGroup
    revision: int = Field(ge=1, description="Goes up by one with every change; copies keep the highest.")


@event("person.registered", version=1, producer="ras")
class PersonRegisteredV1(Payload):
    """A person was registered with the council (first shape: one name field)."""

    person_id: uuid.UUID
    council_person_id: str
    nhs_number: NhsNumber | None = None
    name: str
    date_of_birth: date
    postcode: Postcode
    client_group: ClientGroup


def _split_name(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 -> v2: the family name is the last word of the name; the rest is the given name."""
    upgraded = {k: v for k, v in payload.items() if k != "name"}
    given, _, family = payload["name"].strip().rpartition(" ")
    upgraded["given_name"] = given or family
    upgraded["family_name"] = family
    upgraded.setdefault("revision", 1)
    return upgraded


@event("person.registered", version=2, producer="ras", upcast_from_previous=_split_name)
class PersonRegistered(PersonDetails):
    """A person was registered with the council."""


@event("person.updated", version=1, producer="ras")
class PersonUpdated(PersonDetails):
    """A person's details changed; carries the whole new picture and which fields changed."""

    changed_fields: list[str] = Field(default_factory=list)


@event("person.merged", version=1, producer="ras")
class PersonMerged(Payload):
    """Two records were the same person: the merged record now points at the surviving one."""

    merged_person_id: uuid.UUID
    surviving_person_id: uuid.UUID
