"""Operating it: correlation ids and W3C trace context travel from the HTTP request into the event
and its Kafka headers; /metrics shows request latency, outbox backlog and consumer lag."""

from __future__ import annotations

import pytest

from pbshared.contract.envelope import Envelope
from pbshared.contract.topics import events_topic
from pbshared.platform import context
from pbshared.platform.auth import Role
from pbshared.platform.kafka import read_topic
from pbshared.testing.harness import auth, wait_for

pytestmark = pytest.mark.integration

INCOMING_TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
PERSON = {
    "council_person_id": "WY-3001",
    "given_name": "Florence",
    "family_name": "Nightingale",
    "date_of_birth": "1945-05-12",
    "postcode": "WV1 1AA",
    "client_group": "older_people",
}


async def test_correlation_id_and_trace_context_travel_with_the_event(start_service, broker):
    ras = await start_service("ras")
    headers = {**auth(Role.social_worker), "X-Correlation-ID": "case-note-77", "traceparent": INCOMING_TRACE}
    response = await ras.client.post("/people", json=PERSON, headers=headers)
    assert response.status_code == 201
    assert response.headers["x-correlation-id"] == "case-note-77"

    records: list = []

    async def published() -> bool:
        records[:] = await read_topic(broker.bootstrap_servers, events_topic("ras"), idle_seconds=0.3)
        return len(records) == 1

    await wait_for(published, 30, "the event on the topic")
    message = records[0]
    envelope = Envelope.from_bytes(message.value)
    kafka_headers = {k: v.decode() for k, v in message.headers}
    assert envelope.correlation_id == "case-note-77"
    assert kafka_headers["correlation_id"] == "case-note-77"
    assert context.trace_id(kafka_headers["traceparent"]) == context.trace_id(INCOMING_TRACE)
    assert kafka_headers["traceparent"] != INCOMING_TRACE, "each hop gets a span of its own"
    assert message.key.decode() == envelope.subject_id == response.json()["person_id"]


async def test_metrics_show_request_latency_outbox_backlog_and_consumer_lag(start_service):
    ras = await start_service("ras")
    charging = await start_service("charging")
    await charging.consumer_ready()
    response = await ras.client.post("/people", json=PERSON, headers=auth(Role.social_worker))

    async def copied() -> bool:
        person = await charging.client.get(
            f"/people/{response.json()['person_id']}", headers=auth(Role.finance_officer)
        )
        return person.status_code == 200

    await wait_for(copied, 30, "charging's copy")
    ras_metrics = (await ras.client.get("/metrics")).text
    charging_metrics = (await charging.client.get("/metrics")).text
    assert 'http_request_duration_seconds_bucket{le="0.005",method="POST",route="/people",service="ras"' in ras_metrics
    assert 'outbox_backlog{service="ras"}' in ras_metrics
    assert 'outbox_published_total{service="ras"}' in ras_metrics
    assert "consumer_lag{partition=" in charging_metrics and 'service="charging",topic="ras.events"' in charging_metrics
    assert (
        'events_handled_total{event_type="person.registered",outcome="handled",service="charging"}' in charging_metrics
    )
