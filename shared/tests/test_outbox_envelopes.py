"""What the outbox writes alongside an envelope, checked without a database."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from pydantic import BaseModel

from pbshared.contract.envelope import Envelope
from pbshared.contract.events.charging import CollectedBy, ContributionChanged, ContributionReason
from pbshared.contract.events.people import PersonRegistered
from pbshared.platform import context
from pbshared.platform.outbox import envelope_for, event_for, kafka_headers

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_envelope_for_carries_the_bound_correlation_and_cause(person_registered: PersonRegistered) -> None:
    cause = uuid.uuid4()
    with context.bound(correlation_id="corr-1", causation_id=cause):
        envelope = envelope_for(person_registered, producer="ras", council_id="wyvernshire", subject_id="s")
    assert (envelope.correlation_id, envelope.causation_id) == ("corr-1", cause)


def test_kafka_headers_name_the_event_its_version_correlation_and_trace(
    person_registered: PersonRegistered,
) -> None:
    with context.bound(correlation_id="corr-1"):
        envelope = envelope_for(person_registered, producer="ras", council_id="wyvernshire", subject_id="s")
    assert kafka_headers(envelope, PARENT) == {
        "traceparent": PARENT,
        "event_type": "person.registered",
        "schema_version": "2",
        "correlation_id": "corr-1",
    }


def contribution_changed() -> ContributionChanged:
    return ContributionChanged(
        person_id=uuid.uuid4(),
        budget_id=None,
        assessment_id=uuid.uuid4(),
        weekly_charge_pence=1234,
        previous_weekly_charge_pence=1300,
        effective_date=date(2026, 4, 6),
        collected_by=CollectedBy.provider,
        reason=ContributionReason.annual_uprating,
    )


@pytest.mark.parametrize("cause", [None, uuid.UUID("6f1c1d2e-0000-4000-8000-0000000000ca")])
@pytest.mark.parametrize("sequence", [None, 1, 41])
def test_an_outgoing_events_message_is_its_envelopes_json_to_the_byte(
    person_registered: PersonRegistered, cause: uuid.UUID | None, sequence: int | None
) -> None:
    # The outbox writes the envelope's JSON itself, without an Envelope model for each event: what it
    # writes must be what the envelope would, field for field and in the envelope's order.
    for payload in (person_registered, contribution_changed()):
        with context.bound(correlation_id="corr-1", causation_id=cause):
            event = event_for(payload, producer="ras", council_id="wyvernshire", subject_id="subject-1")
        message = event.message(sequence)
        assert message == event.as_envelope(sequence).model_dump_json()
        assert list(json.loads(message)) == list(Envelope.model_fields)
        assert Envelope.from_bytes(message.encode()).payload == payload.model_dump(mode="json")
        read = Envelope.from_bytes(message.encode())
        assert event.as_envelope(sequence) == read
        assert (read.event_id, read.event_type, read.schema_version) == (
            event.event_id,
            event.event_type,
            event.schema_version,
        )
        assert (read.producer, read.council_id, read.subject_id) == ("ras", "wyvernshire", "subject-1")
        assert (read.correlation_id, read.causation_id, read.subject_sequence) == ("corr-1", cause, sequence)
        assert read.occurred_at == event.occurred_at


def test_a_float_that_is_not_a_number_is_written_as_the_envelope_writes_it() -> None:
    # No payload in the catalogue has a float today; an envelope read back and written again may.
    event = event_for(contribution_changed(), producer="charging", council_id="wyvernshire", subject_id="s")
    odd = event._replace(payload={"weekly": float("inf"), "share": float("nan")})
    with_the_floats = Envelope.model_validate({**json.loads(odd.message(3)), "payload": odd.payload})
    assert odd.message(3) == with_the_floats.model_dump_json()
    assert json.loads(odd.message(3))["payload"] == {"weekly": None, "share": None}


def test_a_cause_that_is_not_an_event_id_is_refused(person_registered: PersonRegistered) -> None:
    with (
        context.bound(correlation_id="corr-1", causation_id="not-an-event-id"),
        pytest.raises(ValueError, match="causation_id"),
    ):  # type: ignore[arg-type]
        event_for(person_registered, producer="ras", council_id="wyvernshire", subject_id="s")


def test_an_outgoing_event_carries_the_bound_correlation_cause_and_the_payloads_type(
    person_registered: PersonRegistered,
) -> None:
    cause = uuid.uuid4()
    with context.bound(correlation_id="corr-1", causation_id=cause):
        event = event_for(person_registered, producer="ras", council_id="wyvernshire", subject_id="s")
    assert (event.correlation_id, event.causation_id) == ("corr-1", cause)
    assert (event.event_type, event.schema_version, event.spec.topic) == ("person.registered", 2, "ras.events")
    assert event.occurred_at.utcoffset() is not None


@pytest.mark.parametrize(
    ("field", "given"),
    [("council_id", {"council_id": ""}), ("subject_id", {"subject_id": ""}), ("producer", {"producer": ""})],
)
def test_an_outgoing_event_without_its_council_subject_or_producer_is_refused_by_name(
    person_registered: PersonRegistered, field: str, given: dict[str, str]
) -> None:
    where = {"producer": "ras", "council_id": "wyvernshire", "subject_id": "s", **given}
    with pytest.raises(ValueError, match=field):
        event_for(person_registered, **where)


def test_an_outgoing_event_of_a_payload_outside_the_catalogue_is_refused() -> None:
    class Unregistered(BaseModel):
        note: str = "x"

    with pytest.raises(LookupError):
        event_for(Unregistered(), producer="ras", council_id="wyvernshire", subject_id="s")
