"""What the outbox writes alongside an envelope, checked without a database."""

from __future__ import annotations

import uuid

from pbshared.contract.events.people import PersonRegistered
from pbshared.platform import context
from pbshared.platform.outbox import envelope_for, kafka_headers

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
