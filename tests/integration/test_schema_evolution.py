"""Schema evolution: a consumer written for the newest version still reads older ones."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.events.people import PersonRegistered, PersonRegisteredV1
from pbshared.contract.registry import CATALOGUE, UnsupportedEventVersion


def registered_v1_envelope(name: str) -> Envelope:
    person_id = uuid.uuid4()
    payload = PersonRegisteredV1(
        person_id=person_id,
        council_person_id="WY-OLD-1",
        name=name,
        date_of_birth=date(1906, 12, 9),
        postcode="SK1 3XE",
        client_group="older_people",
    )
    return new_envelope(
        payload=payload, producer="ras", council_id="wyvernshire", subject_id=str(person_id), correlation_id="c"
    )


def test_v1_person_registered_upcasts_to_v2_splitting_the_name():
    envelope = registered_v1_envelope("Grace Brewster Hopper")
    assert envelope.schema_version == 1
    event = CATALOGUE.parse(envelope, PersonRegistered)
    assert isinstance(event, PersonRegistered)
    assert (event.given_name, event.family_name, event.revision) == ("Grace Brewster", "Hopper", 1)


def test_a_version_newer_than_the_consumer_knows_is_refused():
    envelope = registered_v1_envelope("Ada Lovelace").model_copy(update={"schema_version": 3})
    with pytest.raises(UnsupportedEventVersion):
        CATALOGUE.parse(envelope, PersonRegistered)


def test_an_added_optional_field_is_ignored_by_consumers():
    envelope = registered_v1_envelope("Ada Lovelace")
    upgraded = CATALOGUE.parse(envelope, PersonRegistered)
    newer_producer = envelope.model_copy(
        update={"schema_version": 2, "payload": {**upgraded.model_dump(mode="json"), "preferred_name": "Ada"}}
    )
    assert CATALOGUE.parse(newer_producer, PersonRegistered).given_name == "Ada"
