"""Consumer loop: at-least-once delivery from Kafka made exactly-once in effect by the inbox.

For each message: claim its event id in the inbox (a duplicate stops here) and run the handler, in
the same transaction. The messages fetched from one partition are handled together, in order, in
one transaction: a commit per message would cap a consumer at a few hundred events a second. If one
of them fails, the batch is rolled back, the messages before it are handled again together, and the
failing one goes on alone: retried with backoff a bounded number of times, then sent to the
service's dead-letter topic with the error, so the partition moves on. Offsets are committed only
after the messages before them were handled or dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.envelope import Envelope
from pbshared.contract.registry import CATALOGUE
from pbshared.contract.topics import dead_letter_topic
from pbshared.platform import context, inbox, metrics, parking
from pbshared.platform.db import SessionFactory
from pbshared.platform.kafka import new_producer
from pbshared.platform.outbox import OutboxSignal, add_to_outbox, envelope_for
from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class HandlerContext:
    """What a handler gets besides the payload: the open transaction and the envelope."""

    session: AsyncSession
    envelope: Envelope
    producer: str

    async def publish(self, payload: BaseModel, *, council_id: str, subject_id: str) -> Envelope:
        """Write a follow-on event in the same transaction (its causation is the handled event)."""
        envelope = envelope_for(payload, producer=self.producer, council_id=council_id, subject_id=subject_id)
        [written] = await add_to_outbox(self.session, envelope)
        return written

    @property
    def uow(self) -> UnitOfWork:
        """A unit of work joining this transaction: a use case commits with the inbox claim."""
        return UnitOfWork.joining(self.session, self.producer)


Handler = Callable[[HandlerContext, Any], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """Handle `payload_model`'s event type; older schema versions are upcast to it first."""

    payload_model: type[BaseModel]
    handler: Handler

    @property
    def event_type(self) -> str:
        return CATALOGUE.spec_for_model(self.payload_model).event_type

    @property
    def topic(self) -> str:
        return CATALOGUE.spec_for_model(self.payload_model).topic


def subscriptions_by_event_type(subscriptions: list[Subscription]) -> dict[str, list[Subscription]]:
    """The handlers of each event type, in declaration order. The same handler twice for one event
    type is a wiring mistake (it would apply the event twice), so it is refused at start-up."""
    by_type: dict[str, list[Subscription]] = {}
    for subscription in subscriptions:
        handlers = by_type.setdefault(subscription.event_type, [])
        if any(s.handler == subscription.handler for s in handlers):
            name = getattr(subscription.handler, "__qualname__", repr(subscription.handler))
            raise ValueError(f"handler {name} is subscribed to {subscription.event_type} twice")
        handlers.append(subscription)
    return by_type


class Unreadable(Exception):
    """The message cannot be read as an event this consumer handles; retrying cannot help."""


def is_infrastructure_failure(error: BaseException) -> bool:
    """The database itself failed (lost connection, server gone), not the handler: nothing about the
    message is wrong, so it must not be dead-lettered; the consumer restarts and it comes round again.

    Only SQLAlchemy's connection-level errors count. A handler that times out calling something
    outside (a FHIR server, a card provider: TimeoutError, httpx.TimeoutException, ConnectionError)
    has failed like any other handler: retried, then dead-lettered. Were those an outage, one
    unreachable supplier would restart the consumer forever and hold up every partition.
    """
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (OperationalError, InterfaceError))


class _StoppedAt(Exception):
    """A message of a batch failed; the batch's transaction is rolled back."""

    def __init__(self, index: int):
        self.index = index


@dataclass(frozen=True)
class _Readable:
    """A message this consumer can apply: its envelope, and each handler with the payload read for it."""

    envelope: Envelope
    handlers: list[tuple[Handler, BaseModel]]
    traceparent: str | None


class EventConsumer:
    def __init__(
        self,
        *,
        service: str,
        sessions: SessionFactory,
        bootstrap_servers: list[str] | str,
        subscriptions: list[Subscription],
        signal: OutboxSignal | None = None,
        max_attempts: int = 5,
        backoff_seconds: float = 0.2,
        group_id: str | None = None,
        request_timeout_ms: int = 5000,
        fetch_max_wait_ms: int = 20,
        enable_idempotence: bool = True,
    ):
        self.service = service
        self.group_id = group_id or service
        self._sessions = sessions
        self._bootstrap = bootstrap_servers
        self._handlers = subscriptions_by_event_type(subscriptions)
        self._topics = sorted({s.topic for s in subscriptions})
        self._signal = signal
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._request_timeout_ms = request_timeout_ms
        self._fetch_max_wait_ms = fetch_max_wait_ms
        self._enable_idempotence = enable_idempotence
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq_producer: AIOKafkaProducer | None = None
        self.assigned = asyncio.Event()
        self._made_progress = False

    @property
    def topics(self) -> list[str]:
        return list(self._topics)

    async def run(self) -> None:
        """Consume until cancelled; restarts the Kafka clients after a failure, backing off while
        failures follow each other and starting afresh once a batch has gone through."""
        failures = 0
        while True:
            self._made_progress = False
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures = 1 if self._made_progress else failures + 1
                delay = min(0.2 * 2**failures, 5.0)
                log.warning("consumer failed; restarting", extra={"error": repr(error), "retry_in_seconds": delay})
                await asyncio.sleep(delay)

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=self._bootstrap,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            request_timeout_ms=max(self._request_timeout_ms, 6000),
            metadata_max_age_ms=5000,
            fetch_max_wait_ms=self._fetch_max_wait_ms,
        )
        producer = self._new_producer()
        await producer.start()
        try:
            await consumer.start()
        except BaseException:
            await producer.stop()
            raise
        self._consumer, self._dlq_producer = consumer, producer
        try:
            await self._resume_releases()
            while True:
                batches = await consumer.getmany(timeout_ms=200, max_records=500)
                if consumer.assignment():
                    self.assigned.set()
                else:
                    self.assigned.clear()
                if batches:
                    # Partitions are independent: handle them side by side, each in order and in
                    # its own transactions, so one partition's round trips do not hold up the
                    # others. A task group: if one fails, the others stop before the consumer
                    # restarts, so no stale task goes on applying messages behind the new one.
                    async with asyncio.TaskGroup() as group:
                        for messages in batches.values():
                            group.create_task(self.process_batch(messages))
                    await self._commit(consumer, {tp: messages[-1].offset + 1 for tp, messages in batches.items()})
                    self._made_progress = True
                await self._record_lag(consumer)
        finally:
            self.assigned.clear()
            self._consumer = self._dlq_producer = None
            await consumer.stop()
            await producer.stop()

    async def _commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        # A partition revoked during the batch went to another instance, which resumes from its last
        # committed offset (its inbox drops what we handled). Committing it would fail the whole
        # commit, so commit only the partitions we still hold.
        held = {tp: offset for tp, offset in offsets.items() if tp in consumer.assignment()}
        if not held:
            return
        try:
            await consumer.commit(held)
        except KafkaError as error:  # a rebalance began meanwhile: the next owner redoes these
            log.info("offset commit refused", extra={"offsets": str(held), "error": repr(error)})

    async def _record_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            position = await consumer.position(tp)
            metrics.CONSUMER_LAG.labels(self.service, tp.topic, str(tp.partition)).set(max(highwater - position, 0))

    async def process_batch(self, messages: list[ConsumerRecord]) -> None:
        """Handle one partition's messages in order, as many as possible per transaction."""
        start = 0
        while start < len(messages):
            start += await self._handle_leading_run(messages[start:])
            if start < len(messages):
                await self.process(messages[start])  # the one that stopped the run goes alone
                start += 1

    async def _handle_leading_run(self, messages: list[ConsumerRecord]) -> int:
        """Handle the longest run from the front that succeeds in one transaction; its length."""
        limit = len(messages)
        while limit:
            try:
                return await self._handle_together(messages[:limit])
            except _StoppedAt as stop:
                limit = stop.index  # rolled back: again, up to the message that failed
        return 0

    async def _handle_together(self, messages: list[ConsumerRecord]) -> int:
        readable: list[tuple[int, _Readable]] = []
        ignored: list[str] = []
        for index, message in enumerate(messages):
            try:
                read = self._read(message)
            except Unreadable:
                break  # the single path dead-letters it
            if isinstance(read, str):
                ignored.append(read)
            else:
                readable.append((index, read))
        taken = len(readable) + len(ignored)  # a prefix of `messages`, in order
        outcomes: list[tuple[str, str]] = [(event_type, "ignored") for event_type in ignored]
        async with self._sessions() as session, session.begin():
            held = await parking.blocks(session, self.group_id)
            for index, read in readable:
                if parking.Subject.of(read.envelope) in held:
                    raise _StoppedAt(index)  # parking and releasing are the single path's
            events = [(read.envelope.event_id, read.envelope.event_type) for _, read in readable]
            new = await inbox.claim(session, self.group_id, events)
            for index, read in readable:
                if read.envelope.event_id not in new:
                    outcomes.append((read.envelope.event_type, "duplicate"))
                    continue
                new.discard(read.envelope.event_id)  # the same event twice in one batch: once
                try:
                    with self._bound(read):
                        await self._run_handler(session, read)
                except Exception as error:
                    if is_infrastructure_failure(error):
                        raise  # the database is away: restart and retry, never dead-letter
                    raise _StoppedAt(index) from error
                outcomes.append((read.envelope.event_type, "handled"))
            wrote_events = bool(session.info.get("wrote_events"))
        self._after_commit(wrote_events)
        for event_type, outcome in outcomes:
            self._count(event_type, outcome)
        return taken

    def _read(self, message: ConsumerRecord) -> _Readable | str:
        """The message ready to apply, or the event type of one no handler wants.

        Raises Unreadable if it cannot be read at all: not an envelope, a version this consumer
        cannot upcast, a payload that fails its model. Retrying cannot change that.
        """
        try:
            envelope = Envelope.from_bytes(message.value)
            subscriptions = self._handlers.get(envelope.event_type)
            if not subscriptions:
                return envelope.event_type
            handlers = [(s.handler, CATALOGUE.parse(envelope, s.payload_model)) for s in subscriptions]
            traceparent = _header(message, "traceparent")
        except Exception as error:  # an upcast may raise anything on a malformed old payload
            raise Unreadable(f"{type(error).__name__}: {error}") from error
        return _Readable(envelope, handlers, traceparent)

    @staticmethod
    def _bound(readable: _Readable) -> contextlib.AbstractContextManager[None]:
        return context.bound(
            correlation_id=readable.envelope.correlation_id,
            causation_id=readable.envelope.event_id,
            traceparent=readable.traceparent,
        )

    async def _run_handler(self, session: AsyncSession, readable: _Readable) -> None:
        ctx = HandlerContext(session, readable.envelope, self.service)
        for handler, payload in readable.handlers:  # in declaration order, in one transaction
            await handler(ctx, payload)

    def _after_commit(self, wrote_events: bool) -> None:
        if wrote_events and self._signal is not None:
            self._signal.notify()  # a handler wrote follow-on events: wake the relay

    async def process(self, message: ConsumerRecord) -> str:
        """Handle one message on its own, with retries and dead letters; returns the outcome
        (handled, duplicate, ignored, parked, dead_lettered)."""
        try:
            readable = self._read(message)
        except Unreadable as unreadable:
            await self._dead_letter(message, unreadable, attempts=1)
            return self._count("unreadable", "dead_lettered")
        if isinstance(readable, str):
            return self._count(readable, "ignored")
        outcome, releasing = await self._with_retries(message, readable, parked=False)
        if releasing:
            await self._release(parking.Subject.of(readable.envelope))
        return outcome

    async def _with_retries(self, message: ConsumerRecord, readable: _Readable, *, parked: bool) -> tuple[str, bool]:
        """Apply one event, retrying with backoff; dead-letter it (and block its subject) when
        every attempt failed. Returns the outcome and whether its subject's parked events may go."""
        event_type = readable.envelope.event_type
        with self._bound(readable):
            error: BaseException | None = None
            for attempt in range(1, self._max_attempts + 1):
                try:
                    outcome, releasing = await self._handle_alone(message, readable, parked=parked)
                    return self._count(event_type, outcome), releasing
                except Exception as failure:
                    if is_infrastructure_failure(failure):
                        raise  # the database is away: restart and retry, never dead-letter
                    error = failure  # the handler failed: retry, then dead-letter
                    log.warning(
                        "handler failed",
                        extra={"event_id": str(readable.envelope.event_id), "attempt": attempt, "error": repr(failure)},
                    )
                    if attempt < self._max_attempts:
                        await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
            assert error is not None
            # Dead letter first, block second: if we die in between, the event comes round again
            # (from the partition, or from parked_events), so it is never lost.
            await self._dead_letter(message, error, attempts=self._max_attempts)
            await self._block(readable.envelope)
            return self._count(event_type, "dead_lettered"), False

    async def _handle_alone(self, message: ConsumerRecord, readable: _Readable, *, parked: bool) -> tuple[str, bool]:
        envelope = readable.envelope
        subject = parking.Subject.of(envelope)
        releasing = False
        async with self._sessions() as session, session.begin():
            if parked:
                if not await parking.unpark(session, self.group_id, envelope.event_id):
                    return "duplicate", False  # another instance released it meanwhile
            else:
                if not await inbox.claim(session, self.group_id, [(envelope.event_id, envelope.event_type)]):
                    return "duplicate", False
                held = await parking.block_of(session, self.group_id, subject)
                if held is not None and held.event_id != envelope.event_id:
                    await parking.park(session, self.group_id, message, envelope)
                    return "parked", held.releasing
                if held is not None:  # the dead letter that held its subject back, replayed
                    await parking.start_releasing(session, self.group_id, subject)
                    releasing = True
            await self._run_handler(session, readable)
            wrote_events = bool(session.info.get("wrote_events"))
        self._after_commit(wrote_events)
        return ("released" if parked else "handled"), releasing

    async def _release(self, subject: parking.Subject) -> None:
        """Apply a subject's parked events in sequence order, each in its own transaction, until
        none are left (the subject flows again) or one is dead-lettered (it holds the rest)."""
        while True:
            async with self._sessions() as session, session.begin():
                message = await parking.next_parked(session, self.group_id, subject)
                if message is None:
                    await parking.finish_releasing(session, self.group_id, subject)
                    return
            try:
                readable = self._read(message)
            except Unreadable as unreadable:  # parked by a version that could read it
                await self._dead_letter(message, unreadable, attempts=1)
                await self._block(Envelope.from_bytes(message.value))
                return
            if isinstance(readable, str):  # no handler wants it any more
                async with self._sessions() as session, session.begin():
                    await parking.unpark(session, self.group_id, Envelope.from_bytes(message.value).event_id)
                continue
            outcome, _ = await self._with_retries(message, readable, parked=True)
            if outcome == "dead_lettered":
                return

    async def _block(self, envelope: Envelope) -> None:
        async with self._sessions() as session, session.begin():
            await parking.block(session, self.group_id, envelope)

    async def _resume_releases(self) -> None:
        """Finish releases a previous run left half done (it stopped between two parked events)."""
        async with self._sessions() as session:
            held = await parking.blocks(session, self.group_id)
        for block in held.values():
            if block.releasing:
                await self._release(block.subject)

    async def _dead_letter(self, message: ConsumerRecord, error: BaseException, attempts: int) -> None:
        assert self._dlq_producer is not None or self._consumer is None, "consumer not started"
        headers = list(message.headers or []) + [
            ("dlq.error", _truncate(f"{type(error).__name__}: {error}").encode()),
            ("dlq.traceback", _truncate("".join(traceback.format_exception(error)), 4000).encode()),
            ("dlq.original_topic", message.topic.encode()),
            ("dlq.original_partition", str(message.partition).encode()),
            ("dlq.original_offset", str(message.offset).encode()),
            ("dlq.consumer", self.group_id.encode()),
            ("dlq.attempts", str(attempts).encode()),
            ("dlq.failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        producer = self._dlq_producer
        if producer is None:  # process() called directly (tests): use a short-lived producer
            producer = self._new_producer()
            await producer.start()
        try:
            # If this raises, the offset is not committed and the message comes round again.
            await producer.send_and_wait(
                dead_letter_topic(self.service), value=message.value, key=message.key, headers=headers
            )
        finally:
            if producer is not self._dlq_producer:
                await producer.stop()
        metrics.DEAD_LETTERS.labels(self.service).inc()
        log.error(
            "message dead-lettered",
            extra={
                "topic": message.topic,
                "partition": message.partition,
                "offset": message.offset,
                "error": repr(error),
            },
        )

    def _new_producer(self) -> AIOKafkaProducer:
        return new_producer(self._bootstrap, self._request_timeout_ms, enable_idempotence=self._enable_idempotence)

    def _count(self, event_type: str, outcome: str) -> str:
        metrics.EVENTS_HANDLED.labels(self.service, event_type, outcome).inc()
        return outcome


def _header(message: ConsumerRecord, name: str) -> str | None:
    for key, value in message.headers or []:
        if key == name:
            return value.decode()
    return None


def _truncate(text: str, limit: int = 1000) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
