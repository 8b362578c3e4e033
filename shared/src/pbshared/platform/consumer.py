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
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.envelope import Envelope
from pbshared.contract.registry import CATALOGUE, UnsupportedEventVersion
from pbshared.contract.topics import dead_letter_topic
from pbshared.platform import context, inbox, metrics
from pbshared.platform.db import SessionFactory
from pbshared.platform.kafka import new_producer
from pbshared.platform.outbox import OutboxSignal, add_to_outbox, envelope_for

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
        await add_to_outbox(self.session, envelope)
        return envelope


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


class _StoppedAt(Exception):
    """A message of a batch failed; the batch's transaction is rolled back."""

    def __init__(self, index: int):
        self.index = index


@dataclass(frozen=True)
class _Readable:
    """A message this consumer can apply: its envelope, the handler, and the payload read for it."""

    envelope: Envelope
    subscription: Subscription
    payload: BaseModel
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
    ):
        self.service = service
        self.group_id = group_id or service
        self._sessions = sessions
        self._bootstrap = bootstrap_servers
        self._handlers = {s.event_type: s for s in subscriptions}
        self._topics = sorted({s.topic for s in subscriptions})
        self._signal = signal
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._request_timeout_ms = request_timeout_ms
        self._fetch_max_wait_ms = fetch_max_wait_ms
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq_producer: AIOKafkaProducer | None = None
        self.assigned = asyncio.Event()

    @property
    def topics(self) -> list[str]:
        return list(self._topics)

    async def run(self) -> None:
        """Consume until cancelled; restarts the Kafka clients after a failure."""
        failures = 0
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures += 1
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
        producer = new_producer(self._bootstrap, self._request_timeout_ms)
        await producer.start()
        try:
            await consumer.start()
        except BaseException:
            await producer.stop()
            raise
        self._consumer, self._dlq_producer = consumer, producer
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=200, max_records=500)
                if consumer.assignment():
                    self.assigned.set()
                if batches:
                    # Partitions are independent: handle them side by side (each keeps its order,
                    # in its own transaction), so one partition's database round trips do not
                    # hold up the others. Offsets are committed once all of them are done.
                    await asyncio.gather(*(self.process_batch(messages) for messages in batches.values()))
                    await self._commit(consumer, {tp: messages[-1].offset + 1 for tp, messages in batches.items()})
                await self._record_lag(consumer)
        finally:
            self._consumer = self._dlq_producer = None
            await consumer.stop()
            await producer.stop()

    async def _commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        try:
            await consumer.commit(offsets)
        except KafkaError as error:
            # A partition moved to another instance in a rebalance. It resumes from the last
            # committed offset and its inbox drops what we already handled.
            log.info("offset commit refused", extra={"offsets": str(offsets), "error": repr(error)})

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
            read = self._read(message)
            if read is None:
                break  # unreadable: the single path dead-letters it
            if isinstance(read, str):
                ignored.append(read)
            else:
                readable.append((index, read))
        taken = len(readable) + len(ignored)  # a prefix of `messages`, in order
        outcomes: list[tuple[str, str]] = [(event_type, "ignored") for event_type in ignored]
        async with self._sessions() as session, session.begin():
            events = [(read.envelope.event_id, read.envelope.event_type) for _, read in readable]
            new = await inbox.claim(session, self.group_id, events)
            for index, read in readable:
                if read.envelope.event_id not in new:
                    outcomes.append((read.envelope.event_type, "duplicate"))
                    continue
                new.discard(read.envelope.event_id)  # the same event twice in one batch: once
                try:
                    with self._bound(read):
                        await read.subscription.handler(
                            HandlerContext(session, read.envelope, self.service), read.payload
                        )
                except Exception as error:
                    raise _StoppedAt(index) from error
                outcomes.append((read.envelope.event_type, "handled"))
            wrote_events = bool(session.info.get("wrote_events"))
        self._after_commit(wrote_events)
        for event_type, outcome in outcomes:
            self._count(event_type, outcome)
        return taken

    def _read(self, message: ConsumerRecord) -> _Readable | str | None:
        """The message ready to apply; its event type if no handler wants it; None if unreadable."""
        try:
            envelope = Envelope.from_bytes(message.value)
            subscription = self._handlers.get(envelope.event_type)
            if subscription is None:
                return envelope.event_type
            payload = CATALOGUE.parse(envelope, subscription.payload_model)
        except (ValidationError, ValueError, UnsupportedEventVersion):
            return None
        return _Readable(envelope, subscription, payload, _header(message, "traceparent"))

    @staticmethod
    def _bound(readable: _Readable) -> contextlib.AbstractContextManager[None]:
        return context.bound(
            correlation_id=readable.envelope.correlation_id,
            causation_id=readable.envelope.event_id,
            traceparent=readable.traceparent,
        )

    async def _apply(self, session: AsyncSession, readable: _Readable) -> str:
        """Claim the event in the inbox and run its handler, inside the caller's transaction."""
        envelope, subscription = readable.envelope, readable.subscription
        if not await inbox.claim(session, self.group_id, [(envelope.event_id, envelope.event_type)]):
            return "duplicate"
        await subscription.handler(HandlerContext(session, envelope, self.service), readable.payload)
        return "handled"

    def _after_commit(self, wrote_events: bool) -> None:
        if wrote_events and self._signal is not None:
            self._signal.notify()  # a handler wrote follow-on events: wake the relay

    async def process(self, message: ConsumerRecord) -> str:
        """Handle one message on its own, with retries and dead letters; returns the outcome
        (handled, duplicate, ignored, dead_lettered)."""
        try:
            envelope = Envelope.from_bytes(message.value)
        except (ValidationError, ValueError) as error:
            await self._dead_letter(message, error, attempts=1)
            return self._count("unparseable", "dead_lettered")
        subscription = self._handlers.get(envelope.event_type)
        if subscription is None:
            return self._count(envelope.event_type, "ignored")
        try:
            payload = CATALOGUE.parse(envelope, subscription.payload_model)
        except (UnsupportedEventVersion, ValidationError) as error:  # retrying cannot help
            await self._dead_letter(message, error, attempts=1)
            return self._count(envelope.event_type, "dead_lettered")
        readable = _Readable(envelope, subscription, payload, _header(message, "traceparent"))
        with self._bound(readable):
            error: BaseException | None = None
            for attempt in range(1, self._max_attempts + 1):
                try:
                    outcome = await self._handle_alone(readable)
                    return self._count(envelope.event_type, outcome)
                except Exception as failure:  # transient, or a bug: retry, then dead-letter
                    error = failure
                    log.warning(
                        "handler failed",
                        extra={"event_id": str(envelope.event_id), "attempt": attempt, "error": repr(failure)},
                    )
                    if attempt < self._max_attempts:
                        await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
            assert error is not None
            await self._dead_letter(message, error, attempts=self._max_attempts)
            return self._count(envelope.event_type, "dead_lettered")

    async def _handle_alone(self, readable: _Readable) -> str:
        async with self._sessions() as session, session.begin():
            outcome = await self._apply(session, readable)
            wrote_events = bool(session.info.get("wrote_events"))
        self._after_commit(wrote_events)
        return outcome

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
            producer = new_producer(self._bootstrap, self._request_timeout_ms)
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
