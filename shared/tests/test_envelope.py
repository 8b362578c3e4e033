"""The envelope every event travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.events.people import PersonRegistered, PersonRegisteredV1


def envelope_fields(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "event_id": uuid.uuid4(),
        "event_type": "person.registered",
        "schema_version": 2,
        "occurred_at": datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
        "producer": "ras",
        "council_id": "wyvernshire",
        "subject_id": "person-1",
        "correlation_id": "corr-1",
        "payload": {"a": 1},
    }
    return fields | overrides


def test_envelope_occurred_at_is_converted_to_utc() -> None:
    summer_time = timezone(timedelta(hours=1))
    envelope = Envelope(**envelope_fields(occurred_at=datetime(2025, 6, 1, 13, 30, tzinfo=summer_time)))
    assert envelope.occurred_at.utcoffset() == timedelta(0)
    assert envelope.occurred_at.replace(tzinfo=None) == datetime(2025, 6, 1, 12, 30)


def test_envelope_refuses_a_naive_occurred_at() -> None:
    with pytest.raises(ValidationError) as raised:
        Envelope(**envelope_fields(occurred_at=datetime(2025, 6, 1, 12, 0)))
    assert raised.value.errors()[0]["loc"] == ("occurred_at",)


def test_envelope_refuses_extra_fields() -> None:
    with pytest.raises(ValidationError) as raised:
        Envelope(**envelope_fields(surprise="!"))
    assert raised.value.errors()[0]["type"] == "extra_forbidden"


def test_envelope_is_immutable() -> None:
    envelope = Envelope(**envelope_fields())
    with pytest.raises(ValidationError):
        envelope.producer = "someone else"  # type: ignore[misc]


def test_envelope_round_trips_through_bytes() -> None:
    envelope = Envelope(**envelope_fields(causation_id=uuid.uuid4()))
    assert Envelope.from_bytes(envelope.to_bytes()) == envelope


def test_new_envelope_takes_event_type_and_schema_version_from_the_catalogue(
    person_registered: PersonRegistered,
) -> None:
    envelope = new_envelope(
        payload=person_registered,
        producer="ras",
        council_id="wyvernshire",
        subject_id=str(person_registered.person_id),
        correlation_id="corr-1",
    )
    assert (envelope.event_type, envelope.schema_version) == ("person.registered", 2)
    assert envelope.payload["person_id"] == str(person_registered.person_id)  # JSON-safe payload
    assert envelope.payload["date_of_birth"] == "1950-12-10"
    assert envelope.occurred_at.utcoffset() == timedelta(0)


def test_new_envelope_of_an_older_registered_model_carries_that_models_version() -> None:
    v1 = PersonRegisteredV1.model_validate(
        {
            "person_id": str(uuid.uuid4()),
            "council_person_id": "WY-1",
            "name": "Ada Lovelace",
            "date_of_birth": "1950-12-10",
            "postcode": "SK1 3XE",
            "client_group": "older_people",
        }
    )
    envelope = new_envelope(payload=v1, producer="ras", council_id="w", subject_id="s", correlation_id="c")
    assert (envelope.event_type, envelope.schema_version) == ("person.registered", 1)


def test_new_envelope_refuses_a_payload_model_not_in_the_catalogue() -> None:
    from pydantic import BaseModel

    class Unregistered(BaseModel):
        x: int = 1

    with pytest.raises(KeyError, match="not a registered event payload"):
        new_envelope(payload=Unregistered(), producer="ras", council_id="w", subject_id="s", correlation_id="c")
