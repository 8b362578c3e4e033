"""A use case runs the same from an event handler as from a route: through `ctx.uow`, it joins the
consumer's transaction, so the inbox claim, its effect and its follow-on events commit together.

The use case here is RAS's own registration (a people row and a person.registered event), called
from a handler as an import from another system would call it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select

from pbshared.contract.envelope import Envelope
from pbshared.contract.events.people import PersonRegistered
from pbshared.contract.topics import events_topic
from pbshared.errors import Conflict
from pbshared.platform.consumer import EventConsumer, HandlerContext, Subscription
from pbshared.platform.migrations import upgrade
from pbshared.platform.tables import inbox, outbox
from pbshared.testing.harness import wait_for
from ras.adapters.tables import people
from ras.service_layer.people import register_person
from tests.integration.support import create_platform_topics, person_registered, publish_raw, sessions_for
from tests.integration.test_handlers_in_process import record
from tools.services import definition

pytestmark = pytest.mark.integration
RAS_TOPIC = events_topic("ras")


def _import_details(event: PersonRegistered) -> dict[str, Any]:
    details = event.model_dump(include=set(PersonRegistered.model_fields) - {"person_id", "revision"})
    details["council_person_id"] = f"IMPORT-{event.person_id.hex[:8]}"
    return details


async def import_person(ctx: HandlerContext, event: PersonRegistered) -> None:
    await register_person(ctx.uow, ctx.envelope.council_id, _import_details(event))


async def _counts(sessions) -> tuple[int, int, int]:
    """(people rows, outbox rows, inbox rows)."""
    async with sessions() as session:
        people_rows, outbox_rows, inbox_rows = [
            int((await session.execute(select(func.count()).select_from(table))).scalar_one())
            for table in (people, outbox, inbox)
        ]
    return people_rows, outbox_rows, inbox_rows


class KilledBeforeOffsetCommit(EventConsumer):
    """Dies (hangs until cancelled) after its transaction committed, before the offset commit."""

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.between_effect_and_offset = asyncio.Event()

    async def _commit(self, consumer: Any, offsets: dict[TopicPartition, int]) -> None:
        self.between_effect_and_offset.set()
        await asyncio.Event().wait()


def _consumer(cls: type[EventConsumer], sessions, bootstrap: str) -> EventConsumer:
    return cls(
        service="ras",
        group_id="importer",
        sessions=sessions,
        bootstrap_servers=bootstrap,
        subscriptions=[Subscription(PersonRegistered, import_person)],
        backoff_seconds=0.02,
        request_timeout_ms=2000,
        enable_idempotence=False,  # Tansu lacks InitProducerId
    )


@pytest.fixture
async def running() -> AsyncIterator[list[asyncio.Task[Any]]]:
    tasks: list[asyncio.Task[Any]] = []
    yield tasks
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _committed_offset(bootstrap: str, partition: TopicPartition) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id="importer", enable_auto_commit=False)
    await consumer.start()
    try:
        return await consumer.committed(partition) or 0
    finally:
        await consumer.stop()


async def test_a_use_case_in_a_killed_handler_takes_effect_once_with_one_follow_on_event(broker, databases, running):
    sessions = sessions_for(databases["ras"])
    bootstrap = broker.bootstrap_servers
    await create_platform_topics(bootstrap)
    incoming = person_registered("Imported")
    await publish_raw(bootstrap, [(RAS_TOPIC, incoming.subject_id.encode(), incoming.to_bytes())])

    doomed = _consumer(KilledBeforeOffsetCommit, sessions, bootstrap)
    doomed_run = asyncio.ensure_future(doomed.run())
    running.append(doomed_run)
    await asyncio.wait_for(doomed.between_effect_and_offset.wait(), 60)  # type: ignore[attr-defined]
    assert await _counts(sessions) == (1, 1, 1), "effect, follow-on event and inbox claim commit together"
    doomed_run.cancel()  # killed: the offset was never committed
    await asyncio.gather(doomed_run, return_exceptions=True)

    restarted = _consumer(EventConsumer, sessions, bootstrap)
    running.append(asyncio.ensure_future(restarted.run()))
    partition = TopicPartition(RAS_TOPIC, await _partition_of(bootstrap, incoming))

    async def caught_up() -> bool:
        return await _committed_offset(bootstrap, partition) == 1

    await wait_for(caught_up, 60, "the restarted consumer to pass the redelivered event")
    assert await _counts(sessions) == (1, 1, 1)
    async with sessions() as session:
        follow_on = Envelope.from_bytes((await session.execute(select(outbox.c.message))).scalar_one().encode())
    assert follow_on.event_type == "person.registered"
    assert follow_on.causation_id == incoming.event_id


async def _partition_of(bootstrap: str, envelope: Envelope) -> int:
    consumer = AIOKafkaConsumer(RAS_TOPIC, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        while True:
            for tp, messages in (await consumer.getmany(timeout_ms=500)).items():
                if any(m.value == envelope.to_bytes() for m in messages):
                    return tp.partition
    finally:
        await consumer.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def ras_sessions(request, tmp_path):
    """RAS's database, migrated: on PostgreSQL, and on a SQLite file (the embedded run)."""
    if request.param == "postgresql":
        return sessions_for(request.getfixturevalue("databases")["ras"])
    url = f"sqlite+aiosqlite:///{tmp_path / 'ras.db'}"
    upgrade(definition("ras").migrations_dir, url)
    return sessions_for(url)


def _in_process(sessions, handler) -> EventConsumer:
    return EventConsumer(
        service="ras",
        sessions=sessions,
        bootstrap_servers="127.0.0.1:1",
        subscriptions=[Subscription(PersonRegistered, handler)],
    )


async def test_a_handler_failing_after_its_use_case_committed_leaves_nothing(ras_sessions):
    sessions = ras_sessions
    runs = 0

    async def import_then_fail(ctx: HandlerContext, event: PersonRegistered) -> None:
        nonlocal runs
        runs += 1
        await import_person(ctx, event)
        if runs == 1:
            raise RuntimeError("the handler failed after the use case committed its unit")

    consumer = _in_process(sessions, import_then_fail)
    incoming = person_registered("Retried")
    await consumer.process_batch([record(incoming, 0)])
    # The first run rolled back whole (use case, events, inbox claim); the retry took effect once.
    assert runs == 2
    assert await _counts(sessions) == (1, 1, 1)


async def test_a_domain_error_from_a_use_case_in_a_handler_rolls_back_the_inbox_claim_too(ras_sessions):
    sessions = ras_sessions
    refusals: list[Conflict] = []

    async def import_twice(ctx: HandlerContext, event: PersonRegistered) -> None:
        await import_person(ctx, event)
        try:
            await import_person(ctx, event)  # the same council person id again: refused
        except Conflict as conflict:
            refusals.append(conflict)
            raise

    consumer = _in_process(sessions, import_twice)
    consumer._max_attempts, consumer._backoff = 1, 0.0
    dead: list[BaseException] = []

    async def dead_letter(_message: Any, error: BaseException, attempts: int) -> None:
        dead.append(error)

    consumer._dead_letter = dead_letter  # type: ignore[method-assign]
    await consumer.process_batch([record(person_registered("Twice"), 0)])
    assert [issue.field for issue in refusals[0].issues] == ["council_person_id"]
    assert len(dead) == 1
    assert await _counts(sessions) == (0, 0, 0), "the first registration and the claim went with the refusal"


async def test_a_joined_unit_left_without_commit_undoes_only_its_own_work(ras_sessions):
    sessions = ras_sessions

    async def abandon(ctx: HandlerContext, event: PersonRegistered) -> None:
        async with ctx.uow as uow:
            await uow.session.execute(
                people.insert().values(
                    person_id=uuid.uuid4(),
                    council_id="wyvernshire",
                    revision=1,
                    created_at=datetime.now(UTC),
                    updated_at=datetime.now(UTC),
                    **_import_details(event),
                )
            )
            await uow.publish(event, council_id="wyvernshire", subject_id=str(event.person_id))
            # no commit: the unit's work and its queued event are undone

    await _in_process(sessions, abandon).process_batch([record(person_registered("Abandoned"), 0)])
    assert await _counts(sessions) == (0, 0, 1), "the handler ran (its claim stands); the unit left nothing"
