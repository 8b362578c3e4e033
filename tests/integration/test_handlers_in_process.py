"""Handlers against the real database, fed messages directly (no broker needed for these rules)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import select

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.events.people import PersonMerged, PersonRegistered, PersonUpdated
from pbshared.platform import context
from pbshared.platform.consumer import EventConsumer, HandlerContext, Subscription
from pbshared.platform.people import replica
from pbshared.platform.tables import outbox, person_copies
from pbshared.testing.records import consumer_record
from tests.integration.support import sessions_for

pytestmark = pytest.mark.integration
INCOMING_TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def record(envelope: Envelope, offset: int, traceparent: str = INCOMING_TRACE) -> ConsumerRecord:
    return consumer_record(envelope, "ras.events", offset, [("traceparent", traceparent.encode())])


def consumer_with(sessions, *subscriptions: Subscription) -> EventConsumer:
    return EventConsumer(
        service="charging", sessions=sessions, bootstrap_servers="127.0.0.1:1", subscriptions=list(subscriptions)
    )


def details(person_id: uuid.UUID, revision: int, postcode: str) -> dict:
    return {
        "person_id": person_id,
        "council_person_id": "WY-9",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": date(1941, 12, 10),
        "postcode": postcode,
        "client_group": "older_people",
        "revision": revision,
    }


def envelope_of(payload, subject: uuid.UUID) -> Envelope:
    return new_envelope(
        payload=payload, producer="ras", council_id="wyvernshire", subject_id=str(subject), correlation_id="case-1"
    )


async def test_a_late_or_replayed_older_revision_never_undoes_a_newer_one(databases):
    sessions = sessions_for(databases["charging"])
    person = uuid.uuid4()
    registered = envelope_of(PersonRegistered(**details(person, 1, "SK1 3XE")), person)
    updated = envelope_of(PersonUpdated(**details(person, 2, "SK2 6QQ"), changed_fields=["postcode"]), person)
    stale = envelope_of(PersonRegistered(**details(person, 1, "SK1 3XE")), person)  # a new id: not a duplicate
    consumer = consumer_with(sessions, *replica.SUBSCRIPTIONS)
    await consumer.process_batch([record(registered, 0), record(updated, 1)])
    await consumer.process_batch([record(stale, 2)])
    async with sessions() as session:
        copy = (await session.execute(select(person_copies))).one()
    assert (copy.revision, copy.postcode) == (2, "SK2 6QQ")


async def test_an_event_written_by_a_handler_carries_its_cause_correlation_and_trace(databases):
    sessions = sessions_for(databases["charging"])
    person, survivor = uuid.uuid4(), uuid.uuid4()

    async def announce(ctx: HandlerContext, event: PersonRegistered) -> None:
        await ctx.publish(
            PersonMerged(merged_person_id=event.person_id, surviving_person_id=survivor),
            council_id=ctx.envelope.council_id,
            subject_id=str(event.person_id),
        )

    incoming = envelope_of(PersonRegistered(**details(person, 1, "SK1 3XE")), person)
    await consumer_with(sessions, Subscription(PersonRegistered, announce)).process_batch([record(incoming, 0)])
    async with sessions() as session:
        row = (await session.execute(select(outbox))).one()
    follow_on = Envelope.from_bytes(row.message.encode())
    assert follow_on.causation_id == incoming.event_id
    assert follow_on.correlation_id == incoming.correlation_id == "case-1"
    assert context.trace_id(row.headers["traceparent"]) == context.trace_id(INCOMING_TRACE)
    assert row.headers["traceparent"] != INCOMING_TRACE


async def test_every_handler_of_an_event_type_runs_in_declaration_order_in_one_transaction(databases):
    sessions = sessions_for(databases["charging"])
    person = uuid.uuid4()
    seen: list[tuple[str, object]] = []

    async def own_rule(ctx: HandlerContext, event: PersonRegistered) -> None:
        seen.append(("own rule", ctx.session))

    async def copy_then_note(ctx: HandlerContext, event: PersonRegistered) -> None:
        seen.append(("copy", ctx.session))
        await replica.on_person_registered(ctx, event)

    consumer = consumer_with(
        sessions, Subscription(PersonRegistered, own_rule), Subscription(PersonRegistered, copy_then_note)
    )
    incoming = envelope_of(PersonRegistered(**details(person, 1, "SK1 3XE")), person)
    await consumer.process_batch([record(incoming, 0)])
    assert [name for name, _ in seen] == ["own rule", "copy"]
    assert seen[0][1] is seen[1][1], "both handlers share the inbox claim's transaction"
    async with sessions() as session:
        assert (await session.execute(select(person_copies.c.person_id))).scalar_one() == person


async def test_a_failing_second_handler_rolls_back_the_first_handlers_effect(databases):
    sessions = sessions_for(databases["charging"])
    person = uuid.uuid4()

    async def refuse(ctx: HandlerContext, event: PersonRegistered) -> None:
        raise RuntimeError("rule broken")

    consumer = consumer_with(
        sessions, Subscription(PersonRegistered, replica.on_person_registered), Subscription(PersonRegistered, refuse)
    )
    incoming = envelope_of(PersonRegistered(**details(person, 1, "SK1 3XE")), person)
    assert await consumer._handle_leading_run([record(incoming, 0)]) == 0  # rolled back, left to the single path
    async with sessions() as session:
        assert (await session.execute(select(person_copies))).all() == []
