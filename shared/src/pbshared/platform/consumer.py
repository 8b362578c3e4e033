"""Consumer loop: at-least-once delivery from Kafka made exactly-once in effect by the inbox.

For each message: open a transaction, claim the event id in the inbox (a duplicate stops here), run
the handler, commit. A handler that fails is retried with backoff, a bounded number of times; then the
message goes to the service's dead-letter topic with the error, and the partition moves on. Offsets
are committed only after the messages before them were handled or dead-lettered.
"""

from __future__ import annotations

import asyncio
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


class PermanentFailure(Exception):
    """Retrying cannot help (malformed message, unknown version): dead-letter at once."""


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
                for tp, messages in batches.items():
                    for message in messages:
                        await self.process(message)
                    await self._commit(consumer, tp, messages[-1].offset + 1)
                await self._record_lag(consumer)
        finally:
            self._consumer = self._dlq_producer = None
            await consumer.stop()
            await producer.stop()

    async def _commit(self, consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> None:
        try:
            await consumer.commit({tp: offset})
        except KafkaError as error:
            # The partition moved to another instance in a rebalance. It resumes from the last
            # committed offset and its inbox drops what we already handled.
            log.info("offset commit refused", extra={"partition": str(tp), "error": repr(error)})

    async def _record_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            position = await consumer.position(tp)
            metrics.CONSUMER_LAG.labels(self.service, tp.topic, str(tp.partition)).set(max(highwater - position, 0))

    async def process(self, message: ConsumerRecord) -> str:
        """Handle one message; returns the outcome (handled, duplicate, ignored, dead_lettered)."""
        try:
            envelope = Envelope.from_bytes(message.value)
        except (ValidationError, ValueError) as error:
            await self._dead_letter(message, error, attempts=1)
            return self._count("unparseable", "dead_lettered")
        subscription = self._handlers.get(envelope.event_type)
        if subscription is None:
            return self._count(envelope.event_type, "ignored")
        traceparent = _header(message, "traceparent")
        with context.bound(
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
            traceparent=traceparent,
        ):
            error: BaseException | None = None
            for attempt in range(1, self._max_attempts + 1):
                try:
                    outcome = await self._handle_once(envelope, subscription)
                    return self._count(envelope.event_type, outcome)
                except PermanentFailure as failure:
                    await self._dead_letter(message, failure.__cause__ or failure, attempts=attempt)
                    return self._count(envelope.event_type, "dead_lettered")
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

    async def _handle_once(self, envelope: Envelope, subscription: Subscription) -> str:
        try:
            payload = CATALOGUE.parse(envelope, subscription.payload_model)
        except (UnsupportedEventVersion, ValidationError) as error:
            raise PermanentFailure(str(error)) from error
        async with self._sessions() as session, session.begin():
            if not await inbox.claim(session, self.group_id, envelope.event_id, envelope.event_type):
                return "duplicate"
            await subscription.handler(HandlerContext(session, envelope, self.service), payload)
            wrote_events = bool(session.info.get("wrote_events"))
        if wrote_events and self._signal is not None:
            self._signal.notify()
        return "handled"

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
