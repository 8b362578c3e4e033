"""Order survives failure: while one of a subject's events is dead-lettered, its later events wait.

Against the real broker and PostgreSQL: ras's outbox stamps each subject's events 1, 2, 3...; a
consumer fails a subject's first event until told otherwise, parks the three after it, lets another
subject's events flow, and applies the parked ones in order once the dead letter is replayed.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, select, text

from pbshared.contract.envelope import Envelope
from pbshared.contract.events.people import PersonMerged, PersonRegistered, PersonUpdated
from pbshared.contract.topics import events_topic
from pbshared.platform.consumer import EventConsumer, HandlerContext, Subscription
from pbshared.platform.deadletters import replay
from pbshared.platform.kafka import new_producer, read_topic
from pbshared.platform.outbox import add_to_outbox, envelope_for
from pbshared.platform.people import replica
from pbshared.platform.relay import OutboxRelay
from pbshared.platform.tables import inbox, outbox, parked_events, person_copies
from pbshared.testing.harness import wait_for
from tests.integration.support import create_platform_topics, sessions_for
from tests.integration.test_handlers_in_process import record

pytestmark = pytest.mark.integration


class OrderedEffects:
    """Records each event a handler applies, in the order applied; fails chosen subjects' registrations."""

    def __init__(self, sessions) -> None:
        self.sessions = sessions
        self.failing: set[str] = set()

    async def create(self) -> None:
        async with self.sessions() as session, session.begin():
            serial = "bigserial" if session.bind.dialect.name == "postgresql" else "integer"  # both count up
            await session.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS ordered_effects ("
                    f" id {serial} PRIMARY KEY, subject text NOT NULL, sequence int, event_type text NOT NULL)"
                )
            )

    async def record(self, ctx: HandlerContext, event: object) -> None:
        envelope = ctx.envelope
        if envelope.event_type == "person.registered" and envelope.subject_id in self.failing:
            raise RuntimeError("the rule for this person is broken")
        await ctx.session.execute(
            text("INSERT INTO ordered_effects (subject, sequence, event_type) VALUES (:s, :n, :t)"),
            {"s": envelope.subject_id, "n": envelope.subject_sequence, "t": envelope.event_type},
        )

    def subscriptions(self) -> list[Subscription]:
        own = [Subscription(model, self.record) for model in (PersonRegistered, PersonUpdated, PersonMerged)]
        return own + replica.SUBSCRIPTIONS

    def consumer(self, bootstrap: str, max_attempts: int) -> EventConsumer:
        return EventConsumer(
            service="charging",
            group_id="ordered",
            sessions=self.sessions,
            bootstrap_servers=bootstrap,
            subscriptions=self.subscriptions(),
            max_attempts=max_attempts,
            backoff_seconds=0.01,
            request_timeout_ms=2000,
            enable_idempotence=False,  # Tansu lacks InitProducerId
        )

    async def applied(self, subject: str) -> list[tuple[int, str]]:
        async with self.sessions() as session:
            rows = await session.execute(
                text("SELECT sequence, event_type FROM ordered_effects WHERE subject = :s ORDER BY id"), {"s": subject}
            )
            return [(n, t) for n, t in rows]


def details(person: uuid.UUID, revision: int) -> dict:
    return {
        "person_id": person,
        "council_person_id": f"WY-{person.hex[:6]}",
        "given_name": f"Name{revision}",
        "family_name": "Ordered",
        "date_of_birth": date(1950, 1, 1),
        "postcode": "SK1 3XE",
        "client_group": "older_people",
        "revision": revision,
    }


async def write_events(sessions, *payloads_by_subject: tuple[uuid.UUID, object]) -> None:
    """Each in its own transaction, as ras writes them, through the outbox."""
    for subject, payload in payloads_by_subject:
        async with sessions() as session, session.begin():
            envelope = envelope_for(payload, producer="ras", council_id="wyvernshire", subject_id=str(subject))
            await add_to_outbox(session, envelope)


async def test_a_dead_lettered_event_parks_its_subjects_later_events_until_replayed_then_they_apply_in_order(
    databases, broker, background
):
    await create_platform_topics(broker.bootstrap_servers)
    ras_sessions = sessions_for(databases["ras"])
    effects = OrderedEffects(sessions_for(databases["ledger"]))
    await effects.create()
    held, flowing, survivor = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    effects.failing.add(str(held))

    await write_events(
        ras_sessions,
        (held, PersonRegistered(**details(held, 1))),
        (flowing, PersonRegistered(**details(flowing, 1))),
        (held, PersonUpdated(**details(held, 2), changed_fields=["given_name"])),
        (held, PersonUpdated(**details(held, 3), changed_fields=["given_name"])),
        (flowing, PersonUpdated(**details(flowing, 2), changed_fields=["given_name"])),
        (held, PersonMerged(merged_person_id=held, surviving_person_id=survivor)),
    )
    producer = new_producer(broker.bootstrap_servers, enable_idempotence=False)
    await producer.start()
    try:
        assert await OutboxRelay(service="ras", sessions=ras_sessions, producer=producer).publish_batch() == 6
    finally:
        await producer.stop()
    published = [Envelope.from_bytes(r.value) for r in await read_topic(broker.bootstrap_servers, events_topic("ras"))]
    assert sorted((e.subject_id, e.subject_sequence) for e in published if e.subject_id == str(held)) == [
        (str(held), n) for n in (1, 2, 3, 4)
    ], "the producer numbers each subject's events"

    consumer = effects.consumer(broker.bootstrap_servers, max_attempts=2)
    background(consumer.run())

    # The other subject flows on; the held subject's three later events are parked, not applied.
    await wait_for(lambda: _count(effects.sessions, parked_events, 3), 30, "three parked events")
    await wait_for(lambda: _applied(effects, flowing, [(1, "person.registered"), (2, "person.updated")]), 30, "flow")
    assert await effects.applied(str(held)) == []
    assert await _copy(effects.sessions, held) is None
    async with effects.sessions() as session:
        statuses = (await session.execute(select(inbox.c.status).where(inbox.c.consumer == "ordered"))).scalars()
        assert sorted(statuses) == ["handled", "handled", "parked", "parked", "parked"]

    effects.failing.clear()  # the rule is fixed: replay the dead letter
    [letter] = await replay(broker.bootstrap_servers, "charging", enable_idempotence=False)
    [first] = [e for e in published if e.subject_id == str(held) and e.subject_sequence == 1]
    assert letter.event_id == str(first.event_id)
    expected = [(1, "person.registered"), (2, "person.updated"), (3, "person.updated"), (4, "person.merged")]
    await wait_for(lambda: _applied(effects, held, expected), 30, "the held subject's events, in order")
    await wait_for(lambda: _count(effects.sessions, parked_events, 0), 30, "no event left parked")
    copy = await _copy(effects.sessions, held)
    assert (copy.revision, copy.given_name, copy.merged_into) == (3, "Name3", survivor)

    # The subject flows again: its next event applies at once, not parked.
    await write_events(ras_sessions, (held, PersonUpdated(**details(held, 4), changed_fields=["given_name"])))
    producer = new_producer(broker.bootstrap_servers, enable_idempotence=False)
    await producer.start()
    try:
        await OutboxRelay(service="ras", sessions=ras_sessions, producer=producer).publish_batch()
    finally:
        await producer.stop()
    await wait_for(lambda: _applied(effects, held, [*expected, (5, "person.updated")]), 30, "the next event")


async def _applied(effects: OrderedEffects, subject: uuid.UUID, expected: list) -> bool:
    return await effects.applied(str(subject)) == expected


async def _count(sessions, table, expected: int) -> bool:
    async with sessions() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one() == expected


async def _copy(sessions, person: uuid.UUID):
    async with sessions() as session:
        return (await session.execute(select(person_copies).where(person_copies.c.person_id == person))).one_or_none()


async def test_each_subjects_events_are_numbered_in_the_order_they_are_written(charging_url):
    sessions = sessions_for(charging_url)
    one, two = uuid.uuid4(), uuid.uuid4()

    def event(person: uuid.UUID):
        return envelope_for(
            PersonMerged(merged_person_id=person, surviving_person_id=uuid.uuid4()),
            producer="charging",
            council_id="wyvernshire",
            subject_id=str(person),
        )

    async with sessions() as session, session.begin():
        first = await add_to_outbox(session, event(one), event(two), event(one))
    async with sessions() as session, session.begin():
        second = await add_to_outbox(session, event(two), event(one))
    numbered = [(e.subject_id, e.subject_sequence) for e in first + second]
    assert numbered == [(str(one), 1), (str(two), 1), (str(one), 2), (str(two), 2), (str(one), 3)]
    async with sessions() as session:
        stored = [Envelope.from_bytes(m.encode()) for m in (await session.execute(select(outbox.c.message))).scalars()]
    assert sorted((e.subject_id, e.subject_sequence) for e in stored) == sorted(numbered)


async def test_one_event_a_transaction_is_numbered_next_in_its_message(charging_url):
    # A request's single event takes its sequence and its outbox row in one statement on PostgreSQL.
    sessions = sessions_for(charging_url)
    person = uuid.uuid4()
    written = []
    for _ in range(3):
        event = envelope_for(
            PersonMerged(merged_person_id=person, surviving_person_id=uuid.uuid4()),
            producer="charging",
            council_id="wyvernshire",
            subject_id=str(person),
        )
        async with sessions() as session, session.begin():
            written += await add_to_outbox(session, event)
    async with sessions() as session:
        messages = (
            await session.execute(
                select(outbox.c.message).where(outbox.c.message_key == str(person)).order_by(outbox.c.id)
            )
        ).scalars()
        stored = [Envelope.from_bytes(m.encode()) for m in messages]
    assert [e.subject_sequence for e in stored] == [1, 2, 3]
    assert stored == written


def test_an_envelope_written_before_subject_sequences_still_reads() -> None:
    old = envelope_for(
        PersonMerged(merged_person_id=uuid.uuid4(), surviving_person_id=uuid.uuid4()),
        producer="ras",
        council_id="wyvernshire",
        subject_id="s",
    )
    raw = old.model_dump(mode="json")
    del raw["subject_sequence"]
    assert Envelope.model_validate(raw).subject_sequence is None


def numbered(envelope: Envelope, sequence: int) -> Envelope:
    return envelope.model_copy(update={"subject_sequence": sequence})


def ras_event(payload, subject: uuid.UUID) -> Envelope:
    return envelope_for(payload, producer="ras", council_id="wyvernshire", subject_id=str(subject))


async def test_parking_and_release_in_order_on_either_database(charging_url, broker):
    await create_platform_topics(broker.bootstrap_servers)
    effects = OrderedEffects(sessions_for(charging_url))
    await effects.create()
    held, flowing, survivor = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    effects.failing.add(str(held))
    first = numbered(ras_event(PersonRegistered(**details(held, 1)), held), 1)
    messages = [
        record(first, 0),
        record(numbered(ras_event(PersonUpdated(**details(held, 2)), held), 2), 1),
        record(numbered(ras_event(PersonRegistered(**details(flowing, 1)), flowing), 1), 2),
        record(numbered(ras_event(PersonMerged(merged_person_id=held, surviving_person_id=survivor), held), 3), 3),
    ]
    consumer = effects.consumer(broker.bootstrap_servers, max_attempts=1)
    await consumer.process_batch(messages)
    assert await effects.applied(str(held)) == []
    assert await effects.applied(str(flowing)) == [(1, "person.registered")]
    assert await _count(effects.sessions, parked_events, 2)

    effects.failing.clear()
    await consumer.process_batch([record(first, 4)])  # the dead letter, replayed
    assert await effects.applied(str(held)) == [(1, "person.registered"), (2, "person.updated"), (3, "person.merged")]
    assert await _count(effects.sessions, parked_events, 0)
    assert (await _copy(effects.sessions, held)).merged_into == survivor
