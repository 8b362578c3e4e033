"""The event catalogue: registration rules, upcasting and which versions a consumer accepts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from pbshared.contract.envelope import Envelope
from pbshared.contract.events.people import PersonMerged, PersonRegistered, PersonRegisteredV1
from pbshared.contract.registry import CATALOGUE, Catalogue, EventSpec, UnsupportedEventVersion, event


class ThingV1(BaseModel):
    """A thing."""

    name: str


class ThingV2(BaseModel):
    """A thing, renamed."""

    title: str


def rename(payload: dict[str, Any]) -> dict[str, Any]:
    return {"title": payload["name"]}


def spec(model: type[BaseModel], version: int, upcast: Any = None) -> EventSpec:
    return EventSpec("thing.made", version, model, "ras", "A thing.", upcast)


def envelope(event_type: str, version: int, payload: dict[str, Any]) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=version,
        occurred_at=datetime(2025, 6, 1, tzinfo=UTC),
        producer="ras",
        council_id="wyvernshire",
        subject_id="s",
        correlation_id="c",
        payload=payload,
    )


V1_PAYLOAD = {
    "person_id": "6f1c1d2e-0000-4000-8000-000000000001",
    "council_person_id": "WY-1",
    "nhs_number": "9434765919",
    "name": "Ada King Lovelace",
    "date_of_birth": "1950-12-10",
    "postcode": "SK1 3XE",
    "client_group": "older_people",
}


def test_registering_a_version_above_1_without_an_upcast_is_refused() -> None:
    with pytest.raises(ValueError, match="needs an upcast from version 1"):
        Catalogue().register(spec(ThingV2, 2))


def test_registering_the_same_event_type_and_version_twice_is_refused() -> None:
    catalogue = Catalogue()
    catalogue.register(spec(ThingV1, 1))
    with pytest.raises(ValueError, match="registered twice"):
        catalogue.register(spec(ThingV2, 1))


def test_parse_upcasts_person_registered_v1_to_v2() -> None:
    person = CATALOGUE.parse(envelope("person.registered", 1, V1_PAYLOAD), PersonRegistered)
    assert isinstance(person, PersonRegistered)
    assert (person.given_name, person.family_name, person.revision) == ("Ada King", "Lovelace", 1)
    assert person.nhs_number == "9434765919"


def test_parse_reads_a_version_as_itself_without_upcasting() -> None:
    person = CATALOGUE.parse(envelope("person.registered", 1, V1_PAYLOAD), PersonRegisteredV1)
    assert isinstance(person, PersonRegisteredV1)
    assert person.name == "Ada King Lovelace"


def test_parse_refuses_a_version_newer_than_the_consumer_declares() -> None:
    with pytest.raises(UnsupportedEventVersion, match="newer than v1"):
        CATALOGUE.parse(envelope("person.registered", 2, {}), PersonRegisteredV1)


def test_a_version_cannot_be_registered_before_the_one_it_upcasts_from() -> None:
    catalogue = Catalogue()
    with pytest.raises(ValueError, match="register version 1 first"):
        catalogue.register(spec(ThingV2, 2, rename))


def test_unknown_version_in_the_catalogue_raises_unsupported_event_version() -> None:
    with pytest.raises(UnsupportedEventVersion):
        CATALOGUE.spec("person.registered", 99)


def test_parse_refuses_an_envelope_of_another_event_type() -> None:
    with pytest.raises(UnsupportedEventVersion, match="cannot be read as person.registered"):
        CATALOGUE.parse(envelope("person.merged", 1, {}), PersonRegistered)


def test_parse_upcasts_step_by_step_in_a_catalogue_of_its_own() -> None:
    catalogue = Catalogue()
    catalogue.register(spec(ThingV1, 1))
    catalogue.register(spec(ThingV2, 2, rename))
    assert catalogue.parse(envelope("thing.made", 1, {"name": "x"}), ThingV2) == ThingV2(title="x")


def test_event_spec_names_its_topic_and_schema() -> None:
    merged = CATALOGUE.spec_for_model(PersonMerged)
    assert (merged.topic, merged.schema_name) == ("ras.events", "person.merged.v1")


def test_event_decorator_takes_the_summary_from_the_first_docstring_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(CATALOGUE, "_specs", dict(CATALOGUE._specs))

    @event("thing.decorated", version=1, producer="ras")
    class Decorated(BaseModel):
        """First line.

        More detail.
        """

    assert CATALOGUE.spec("thing.decorated", 1).summary == "First line."


def test_event_decorator_on_a_model_without_a_docstring_is_refused_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(CATALOGUE, "_specs", dict(CATALOGUE._specs))
    with pytest.raises(ValueError, match="docstring"):

        @event("thing.undocumented", version=1, producer="ras")
        class Undocumented(BaseModel):
            x: int = 1
