"""Exactly once in effect, whatever fails in between: each test counts what it sent and what took effect.

Run against the real broker (a fresh Tansu per test) and PostgreSQL. The effect log records a row
for every handler run that committed, so a double effect would show as a second row.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select

from pbshared.contract.topics import dead_letter_topic, events_topic
from pbshared.platform.auth import Role
from pbshared.platform.deadletters import main as deadletters_command
from pbshared.platform.deadletters import read_dead_letters, replay
from pbshared.platform.kafka import new_producer
from pbshared.platform.outbox import backlog
from pbshared.platform.relay import OutboxRelay
from pbshared.platform.tables import inbox, person_copies
from pbshared.testing.harness import auth, wait_for
from tests.integration.support import (
    EffectLog,
    counting_consumer,
    create_platform_topics,
    messages_on_topic,
    person_registered,
    publish_raw,
    sessions_for,
)
from tests.integration.test_schema_evolution import registered_v1_envelope

pytestmark = pytest.mark.integration
RAS_TOPIC = events_topic("ras")


@pytest.fixture
async def effects(databases: dict[str, str], broker) -> EffectLog:
    # The ledger database: no test here runs the ledger service, so its tables are the counter's alone.
    log = EffectLog(sessions_for(databases["ledger"]))
    await log.create()
    await create_platform_topics(broker.bootstrap_servers)
    return log


def person_body(i: int) -> dict[str, str]:
    return {
        "council_person_id": f"WY-{i:05d}",
        "given_name": f"Person{i}",
        "family_name": "Example",
        "date_of_birth": "1948-03-01",
        "postcode": "SK1 3XE",
        "client_group": "older_people",
    }


async def register(ras, first: int, count: int) -> None:
    for i in range(first, first + count):
        response = await ras.client.post("/people", json=person_body(i), headers=auth(Role.social_worker))
        assert response.status_code == 201, response.text


class RelayKilled(Exception):
    pass


async def test_relay_killed_between_publish_and_mark_republishes_and_consumers_drop_duplicates(
    start_service, broker, effects, background
):
    sent = 25
    ras = await start_service("ras", relay_enabled=False)  # this test drives the relay by hand
    consumer = counting_consumer(effects, broker.bootstrap_servers, "only")
    background(consumer.run())
    await register(ras, 0, sent)

    async def die_before_marking(_rows: Any) -> None:
        raise RelayKilled

    producer = new_producer(broker.bootstrap_servers, enable_idempotence=False)
    await producer.start()
    try:
        doomed = OutboxRelay(service="ras", sessions=ras.sessions, producer=producer, after_publish=die_before_marking)
        with pytest.raises(RelayKilled):
            await doomed.publish_batch()
        async with ras.sessions() as session:
            assert await backlog(session) == sent, "rows must stay unpublished when the relay dies before marking"
        assert await messages_on_topic(broker.bootstrap_servers, RAS_TOPIC) == sent

        restarted = OutboxRelay(service="ras", sessions=ras.sessions, producer=producer)
        assert await restarted.publish_batch() == sent
        async with ras.sessions() as session:
            assert await backlog(session) == 0
    finally:
        await producer.stop()

    assert await messages_on_topic(broker.bootstrap_servers, RAS_TOPIC) == 2 * sent  # every event twice
    await wait_for(lambda: _equals(effects.distinct_events, sent), 30, "every event to take effect")
    await asyncio.sleep(1.0)  # give any second effect time to appear
    assert await effects.count() == sent


async def test_redelivered_and_duplicated_messages_have_no_second_effect(broker, effects, background):
    events = [person_registered(f"Dup{i}") for i in range(20)]
    copies_of_each = 3
    await publish_raw(
        broker.bootstrap_servers,
        [(RAS_TOPIC, e.subject_id.encode(), e.to_bytes()) for e in events for _ in range(copies_of_each)],
    )
    first = counting_consumer(effects, broker.bootstrap_servers, "first")
    first_run = background(first.run())
    await wait_for(lambda: _equals(effects.count, len(events)), 30, "first pass")

    # Redelivery: stop the consumer and rewind the group to the beginning, as after a lost commit.
    first_run.cancel()
    await asyncio.gather(first_run, return_exceptions=True)
    await _rewind_group(broker.bootstrap_servers, "effect-counter", RAS_TOPIC)
    second = counting_consumer(effects, broker.bootstrap_servers, "second")
    background(second.run())
    await second.assigned.wait()
    total_sent = len(events) * copies_of_each
    await wait_for(
        lambda: _group_committed(broker.bootstrap_servers, "effect-counter", RAS_TOPIC, total_sent), 30, "catch-up"
    )

    assert await messages_on_topic(broker.bootstrap_servers, RAS_TOPIC) == total_sent
    assert await effects.count() == len(events)
    assert await effects.by_instance() == {"first": len(events)}


async def test_broker_paused_while_writing_keeps_the_api_up_and_delivers_the_backlog_once(
    start_service, broker, effects, background
):
    ras = await start_service("ras")
    charging = await start_service("charging")
    counter = counting_consumer(effects, broker.bootstrap_servers, "counter")
    background(counter.run())
    await charging.consumer_ready()
    await counter.assigned.wait()

    await register(ras, 0, 5)
    await wait_for(lambda: _equals(effects.count, 5), 30, "writes before the outage")

    broker.pause()
    try:
        during_outage = 20
        await asyncio.wait_for(register(ras, 5, during_outage), timeout=20)  # the API does not wait for Kafka
        async with ras.sessions() as session:
            assert await backlog(session) > 0
        await asyncio.sleep(3)  # longer than the request timeout: publishes time out, ambiguously
    finally:
        broker.resume()

    total = 5 + during_outage
    await wait_for(lambda: _equals(effects.distinct_events, total), 60, "the backlog after the outage")
    await wait_for(lambda: _count_rows(charging.sessions, person_copies, total), 60, "charging's copies")
    async with ras.sessions() as session:
        await wait_for(lambda: _backlog_is_zero(ras.sessions), 30, "outbox drained")
    await asyncio.sleep(1.0)
    assert await effects.count() == total
    assert await _rows(charging.sessions, inbox) == total


async def test_poison_message_is_dead_lettered_without_blocking_its_partition_and_can_be_replayed(
    broker, effects, background, capsys
):
    effects.poisoned_names.add("Poison")
    subject = person_registered("Before")
    same_key = subject.subject_id.encode()  # all three on one partition, in this order
    before, poison, after = subject, person_registered("Poison"), person_registered("After")
    unreadable = b"{not json"
    # An old version whose payload the upcast cannot read (v1 without its name).
    broken_v1 = registered_v1_envelope("Broken Record")
    broken_v1 = broken_v1.model_copy(update={"payload": {k: v for k, v in broken_v1.payload.items() if k != "name"}})
    await publish_raw(
        broker.bootstrap_servers,
        [(RAS_TOPIC, same_key, e.to_bytes()) for e in (before, poison)]
        + [(RAS_TOPIC, same_key, m) for m in (unreadable, broken_v1.to_bytes(), after.to_bytes())],
    )
    consumer = counting_consumer(effects, broker.bootstrap_servers, "c", max_attempts=3)
    background(consumer.run())

    await wait_for(lambda: _equals(effects.count, 2), 30, "the messages around the poison")
    letters = await _wait_for_dead_letters(broker.bootstrap_servers, 3)
    by_error = {letter.event_id: letter for letter in letters}
    poisoned = by_error[str(poison.event_id)]
    assert poisoned.value == poison.to_bytes(), "the original envelope is kept unchanged"
    assert "cannot handle Poison" in poisoned.headers["dlq.error"]
    assert poisoned.headers["dlq.attempts"] == "3"
    assert poisoned.headers["dlq.original_topic"] == RAS_TOPIC
    assert by_error[None].headers["dlq.attempts"] == "1", "an unreadable message is not retried"
    assert by_error[str(broken_v1.event_id)].headers["dlq.attempts"] == "1"
    assert "KeyError" in by_error[str(broken_v1.event_id)].headers["dlq.error"]

    listed = await asyncio.to_thread(
        deadletters_command, ["list", "charging", "--bootstrap-servers", broker.bootstrap_servers]
    )
    assert listed == 0
    assert str(poison.event_id) in capsys.readouterr().out

    effects.poisoned_names.clear()  # the bug is fixed; replay the poison
    replayed = await replay(broker.bootstrap_servers, "charging", {str(poison.event_id)}, enable_idempotence=False)
    assert [r.event_id for r in replayed] == [str(poison.event_id)]
    await wait_for(lambda: _equals(effects.count, 3), 30, "the replayed message")
    await replay(
        broker.bootstrap_servers, "charging", {str(poison.event_id)}, enable_idempotence=False
    )  # replaying twice is harmless
    await asyncio.sleep(1.5)
    assert await effects.count() == 3


async def test_a_database_outage_is_waited_out_never_dead_lettered(broker, effects, background):
    effects.database_outages = 3  # more than the consumer's attempts at one message
    event = person_registered("Patient")
    await publish_raw(broker.bootstrap_servers, [(RAS_TOPIC, event.subject_id.encode(), event.to_bytes())])
    background(counting_consumer(effects, broker.bootstrap_servers, "c", max_attempts=2).run())
    await wait_for(lambda: _equals(effects.count, 1), 60, "the event after the outage")
    assert effects.database_outages == 0
    assert await read_dead_letters(broker.bootstrap_servers, "charging") == []


async def test_a_handler_timing_out_on_an_outside_call_is_retried_then_dead_lettered(broker, effects, background):
    effects.slow_suppliers.add("Slow")
    slow, next_one = person_registered("Slow"), person_registered("Next")
    await publish_raw(broker.bootstrap_servers, [(RAS_TOPIC, b"one-key", e.to_bytes()) for e in (slow, next_one)])
    background(counting_consumer(effects, broker.bootstrap_servers, "c", max_attempts=2).run())
    [letter] = await _wait_for_dead_letters(broker.bootstrap_servers, 1)
    assert letter.event_id == str(slow.event_id)
    assert letter.headers["dlq.attempts"] == "2"
    assert "ReadTimeout" in letter.headers["dlq.error"]
    await wait_for(lambda: _equals(effects.count, 1), 30, "the event behind the timed-out one")


async def test_two_instances_in_one_group_share_partitions_without_double_effects(broker, effects, background):
    one = counting_consumer(effects, broker.bootstrap_servers, "one")
    two = counting_consumer(effects, broker.bootstrap_servers, "two")
    one_run = background(one.run())
    await one.assigned.wait()
    background(two.run())
    await wait_for(lambda: _both_hold_partitions(one, two), 60, "a rebalance that splits the partitions")

    first_batch = [person_registered(f"A{i}") for i in range(150)]
    await publish_raw(broker.bootstrap_servers, [(RAS_TOPIC, e.subject_id.encode(), e.to_bytes()) for e in first_batch])
    await wait_for(lambda: _equals(effects.count, len(first_batch)), 60, "the first batch")
    shares = await effects.by_instance()
    assert shares.get("one", 0) > 0 and shares.get("two", 0) > 0, shares

    # One instance goes away mid-stream; the other takes over its partitions.
    second_batch = [person_registered(f"B{i}") for i in range(150)]
    sending = asyncio.ensure_future(
        publish_raw(broker.bootstrap_servers, [(RAS_TOPIC, e.subject_id.encode(), e.to_bytes()) for e in second_batch])
    )
    one_run.cancel()
    await asyncio.gather(one_run, sending, return_exceptions=True)
    total = len(first_batch) + len(second_batch)
    await wait_for(lambda: _equals(effects.distinct_events, total), 90, "the second batch after the rebalance")
    await asyncio.sleep(1.0)
    assert await effects.count() == total


async def test_an_old_schema_version_is_still_consumed(broker, effects, background, databases):
    old = registered_v1_envelope("Grace Brewster Hopper")
    await publish_raw(broker.bootstrap_servers, [(RAS_TOPIC, old.subject_id.encode(), old.to_bytes())])
    background(counting_consumer(effects, broker.bootstrap_servers, "c").run())
    await wait_for(lambda: _equals(effects.count, 1), 30, "the v1 event")
    async with effects.sessions() as session:
        copy = (await session.execute(select(person_copies))).one()
    assert (copy.given_name, copy.family_name) == ("Grace Brewster", "Hopper")


# --- helpers -------------------------------------------------------------------------------------


async def _equals(measure: Callable[[], Awaitable[int]], expected: int) -> bool:
    return await measure() == expected


async def _rows(sessions, table) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def _count_rows(sessions, table, expected: int) -> bool:
    return await _rows(sessions, table) == expected


async def _backlog_is_zero(sessions) -> bool:
    async with sessions() as session:
        return await backlog(session) == 0


async def _both_hold_partitions(one, two) -> bool:
    held = [c._consumer.assignment() if c._consumer else set() for c in (one, two)]
    return all(held) and not (held[0] & held[1])


async def _wait_for_dead_letters(bootstrap: str, expected: int):
    letters: list = []

    async def arrived() -> bool:
        nonlocal letters
        letters = await read_dead_letters(bootstrap, "charging")
        return len(letters) >= expected

    await wait_for(arrived, 30, f"{expected} dead letters on {dead_letter_topic('charging')}")
    return letters


async def _rewind_group(bootstrap: str, group: str, topic: str) -> None:
    """Commit offset 0 for every partition, as a member of the group (Tansu refuses commits from
    outside the group), so the next member starts again from the beginning."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200, max_records=1)
        await consumer.commit({tp: 0 for tp in consumer.assignment()})
    finally:
        await consumer.stop()


async def _group_committed(bootstrap: str, group: str, topic: str, expected: int) -> bool:
    """The group has committed offsets past all `expected` messages (every one was processed)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        return sum([await consumer.committed(tp) or 0 for tp in partitions]) >= expected
    finally:
        await consumer.stop()


async def test_two_relays_publish_every_row_once_and_keep_each_subjects_order(
    start_service, broker, databases, background
):
    ras = await start_service("ras", relay_enabled=False)
    people, rounds = 10, 5
    person_ids = []
    for i in range(people):
        response = await ras.client.post("/people", json=person_body(i), headers=auth(Role.social_worker))
        person_ids.append(response.json()["person_id"])
    for change in range(rounds):  # each person's updates spread across batches: their order matters
        for person_id in person_ids:
            changed = await ras.client.patch(
                f"/people/{person_id}",
                json={"given_name": f"Name{change}", "revision": change + 1},
                headers=auth(Role.social_worker),
            )
            assert changed.status_code == 200, changed.text
    written = people * (1 + rounds)

    producers = [new_producer(broker.bootstrap_servers, enable_idempotence=False) for _ in range(2)]
    for producer in producers:
        await producer.start()
    try:
        # While one relay is publishing a batch, the other stands by: were both to publish
        # neighbouring batches at once, a person's update could overtake their registration.
        publishing, release = asyncio.Event(), asyncio.Event()

        async def hold_the_batch(_rows: Any) -> None:
            publishing.set()
            await release.wait()

        first = OutboxRelay(
            service="ras", sessions=ras.sessions, producer=producers[0], batch_size=4, after_publish=hold_the_batch
        )
        second = OutboxRelay(service="ras", sessions=ras.sessions, producer=producers[1], batch_size=4)
        first_batch = background(first.publish_batch())
        await publishing.wait()
        assert await second.publish_batch() == 0, "a second relay published while the first held a batch"
        release.set()
        assert await first_batch == 4

        relays = [
            OutboxRelay(service="ras", sessions=ras.sessions, producer=p, batch_size=4, idle_poll_seconds=0.01)
            for p in producers
        ]
        for relay in relays:
            background(relay.run())
        await wait_for(lambda: _backlog_is_zero(ras.sessions), 30, "both relays to drain the outbox")
    finally:
        await asyncio.sleep(0.2)
        for producer in producers:
            await producer.stop()

    from pbshared.contract.envelope import Envelope
    from pbshared.platform.kafka import read_topic

    records = await read_topic(broker.bootstrap_servers, RAS_TOPIC)
    envelopes = [Envelope.from_bytes(r.value) for r in records]
    assert len(envelopes) == written
    assert len({e.event_id for e in envelopes}) == written
    by_subject: dict[str, list[int]] = {}
    for e in sorted(zip(records, envelopes, strict=True), key=lambda pair: (pair[0].partition, pair[0].offset)):
        by_subject.setdefault(e[1].subject_id, []).append(e[1].payload["revision"])
    for subject, revisions in by_subject.items():
        assert revisions == sorted(revisions), f"{subject} out of order: {revisions}"


async def test_the_relay_holds_no_transaction_open_while_it_waits_for_the_broker(start_service, broker, databases):
    ras = await start_service("ras", relay_enabled=False)
    producer = new_producer(broker.bootstrap_servers, enable_idempotence=False)
    await producer.start()
    relay = OutboxRelay(service="ras", sessions=ras.sessions, producer=producer, publish_timeout_seconds=4)
    await register(ras, 0, 5)
    assert await relay.publish_batch() == 5  # connected to the broker before it is paused
    await register(ras, 5, 5)
    broker.pause()
    try:
        publishing = asyncio.ensure_future(relay.publish_batch())
        await asyncio.sleep(1.5)  # the batch is claimed and waits for the paused broker
        assert not publishing.done()
        assert await _sessions_in_transaction(databases["ras"]) == []
    finally:
        broker.resume()
    with contextlib.suppress(Exception):  # it may have timed out while paused: the next batch goes
        await publishing
    while await relay.publish_batch():
        pass
    await producer.stop()
    assert await _backlog_is_zero(ras.sessions)


async def _sessions_in_transaction(database_url: str) -> list[str]:
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await connection.fetch(
            "SELECT state FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
        )
        return [row["state"] for row in rows]
    finally:
        await connection.close()
