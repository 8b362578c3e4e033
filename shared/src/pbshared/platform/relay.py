"""Outbox relay: publishes committed outbox rows to Kafka, then marks them published.

Several instances of a service may each run a relay. On PostgreSQL a batch is published under a
transaction-level advisory lock, so one relay publishes at a time and events keep their order per
subject across instances (two relays publishing neighbouring batches at once could swap a person's
registration and update); the others stand by and take over at once if it dies. A row is marked
only after the broker acknowledged it; if the relay dies in between, the row is published again
after restart (by design), and the consumers' inboxes drop the duplicate. While the broker is down,
rows simply wait: the API keeps accepting writes and the backlog goes out in order when the broker
is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import Row, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform import metrics
from pbshared.platform.db import SessionFactory
from pbshared.platform.outbox import OutboxSignal, backlog
from pbshared.platform.tables import outbox

log = logging.getLogger(__name__)

AfterPublish = Callable[[Sequence[Row[Any]]], Awaitable[None]]


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        sessions: SessionFactory,
        producer: AIOKafkaProducer,
        signal: OutboxSignal | None = None,
        batch_size: int = 500,
        idle_poll_seconds: float = 0.2,
        publish_timeout_seconds: float = 10.0,
        after_publish: AfterPublish | None = None,
    ):
        self.service = service
        self._sessions = sessions
        self._producer = producer
        self._signal = signal or OutboxSignal()
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self._publish_timeout = publish_timeout_seconds
        # Test seam: runs after the broker acknowledged a batch and before the rows are marked.
        self._after_publish = after_publish

    async def publish_batch(self) -> int:
        """Publish one batch of unpublished rows in id order; returns how many were published."""
        async with self._sessions() as session, session.begin():
            if not await self._is_the_publishing_relay(session):
                return 0
            rows = (
                await session.execute(
                    select(outbox).where(outbox.c.published_at.is_(None)).order_by(outbox.c.id).limit(self._batch_size)
                )
            ).all()
            if not rows:
                return 0
            await asyncio.wait_for(self._send_all(rows), self._publish_timeout)
            if self._after_publish is not None:
                await self._after_publish(rows)
            await session.execute(
                update(outbox).where(outbox.c.id.in_([r.id for r in rows])).values(published_at=datetime.now(UTC))
            )
        metrics.OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def _is_the_publishing_relay(self, session: AsyncSession) -> bool:
        if session.bind.dialect.name != "postgresql":
            return True  # SQLite (embedded run): one process, one relay
        result = await session.execute(text("SELECT pg_try_advisory_xact_lock(hashtext('outbox-relay'))"))
        return bool(result.scalar_one())

    async def _send_all(self, rows: Sequence[Row[Any]]) -> None:
        # send() only queues; awaiting every future means every message was acknowledged.
        # aiokafka keeps one request in flight per partition, so order per key is kept.
        futures = []
        for row in rows:
            headers = [(k, str(v).encode()) for k, v in row.headers.items()]
            futures.append(
                await self._producer.send(
                    row.topic, value=row.message.encode(), key=row.message_key.encode(), headers=headers
                )
            )
        await asyncio.gather(*futures)

    async def refresh_backlog_metric(self) -> None:
        async with self._sessions() as session:
            metrics.OUTBOX_BACKLOG.labels(self.service).set(await backlog(session))

    async def run(self) -> None:
        """Publish until cancelled, backing off while the broker or database is unavailable."""
        failures = 0
        last_metric = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                published = await self.publish_batch()
                failures = 0
                if loop.time() - last_metric > 1.0:
                    await self.refresh_backlog_metric()
                    last_metric = loop.time()
                if published < self._batch_size:
                    await self._signal.wait(self._idle_poll)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # broker or database trouble: wait and try again
                failures += 1
                delay = min(0.1 * 2**failures, 5.0)
                metrics.OUTBOX_PUBLISH_FAILURES.labels(self.service).inc()
                log.warning(
                    "outbox publish failed; retrying",
                    extra={"error": repr(error), "retry_in_seconds": delay},
                )
                await asyncio.sleep(delay)
