"""Outbox relay: publishes committed outbox rows to Kafka, then marks them published.

No database transaction stays open while the relay waits for the broker: it claims a batch in one
short transaction, publishes it, and marks it in another. Several instances of a service may each
run a relay; one batch is in flight at a time, under a lease (a `relay_leases` row with a holder and
an expiry) taken when the batch is claimed and given up when it is marked, so events keep their
order per subject across instances (two relays publishing neighbouring batches at once could swap a
person's registration and update). The others stand by meanwhile. A relay whose publish fails gives
the lease up at once; one that died mid-batch holds it until it lapses, and then another takes over.
A publish is bounded by a timeout shorter than the lease, so no batch is still going out when
another relay may start.

A row is marked only after the broker acknowledged it; if the relay dies in between, the row is
published again later (by design), and the consumers' inboxes drop the duplicate. While the broker
is down, rows simply wait: the API keeps accepting writes and the backlog goes out in order when
the broker is back.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import Row, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform import metrics
from pbshared.platform.db import SessionFactory
from pbshared.platform.outbox import OutboxSignal, backlog
from pbshared.platform.tables import outbox, relay_leases

log = logging.getLogger(__name__)

AfterPublish = Callable[[Sequence[Row[Any]]], Awaitable[None]]
LEASE = "outbox"
_LAPSED = datetime(2000, 1, 1, tzinfo=UTC)


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
        lease_seconds: float = 30.0,
        after_publish: AfterPublish | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        if lease_seconds <= publish_timeout_seconds:
            raise ValueError("the relay's lease must outlast a publish (lease_seconds > publish_timeout_seconds)")
        self.service = service
        self.holder = f"{service}-{uuid.uuid4().hex[:12]}"
        self._sessions = sessions
        self._producer = producer
        self._signal = signal or OutboxSignal()
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self._publish_timeout = publish_timeout_seconds
        self._lease = timedelta(seconds=lease_seconds)
        # Test seam: runs after the broker acknowledged a batch and before the rows are marked.
        self._after_publish = after_publish
        self._clock = clock  # when leases lapse; tests move it on

    async def publish_batch(self) -> int:
        """Publish one batch of unpublished rows in id order; returns how many were published."""
        rows = await self._claim()
        if not rows:
            return 0
        try:
            await asyncio.wait_for(self._send_all(rows), self._publish_timeout)
            if self._after_publish is not None:
                await self._after_publish(rows)
        except BaseException:
            await self._give_up_lease()  # another relay (or this one, retrying) may go on at once
            raise
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(outbox).where(outbox.c.id.in_([r.id for r in rows])).values(published_at=datetime.now(UTC))
            )
            await session.execute(self._lease_given_up(self.holder))  # the next batch may go from any relay
        metrics.OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def _claim(self) -> Sequence[Row[Any]]:
        """The next batch, under the lease; one short transaction. Nothing is written when the
        outbox is empty, so an idle relay only reads."""
        async with self._sessions() as session, session.begin():
            waiting = await session.execute(select(outbox.c.id).where(outbox.c.published_at.is_(None)).limit(1))
            if waiting.first() is None or not await self._take_lease(session):
                return []
            return (
                await session.execute(
                    select(outbox).where(outbox.c.published_at.is_(None)).order_by(outbox.c.id).limit(self._batch_size)
                )
            ).all()

    async def _take_lease(self, session: AsyncSession) -> bool:
        now = self._clock()
        until = now + self._lease
        # Conditional: of two relays taking a free lease at once, PostgreSQL lets one update the
        # row and re-checks the condition for the other, which then finds it held.
        taken = await session.execute(
            update(relay_leases)
            .where(_lease_row(), or_(relay_leases.c.holder == self.holder, relay_leases.c.expires_at < now))
            .values(holder=self.holder, expires_at=until)
        )
        if taken.rowcount:
            return True
        dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
        inserted = await session.execute(
            dialect.insert(relay_leases)
            .values(name=LEASE, holder=self.holder, expires_at=until)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        return bool(inserted.rowcount)

    @staticmethod
    def _lease_given_up(holder: str) -> Any:
        return update(relay_leases).where(_lease_row(), relay_leases.c.holder == holder).values(expires_at=_LAPSED)

    async def _give_up_lease(self) -> None:
        try:
            async with self._sessions() as session, session.begin():
                await session.execute(self._lease_given_up(self.holder))
        except Exception as error:  # the database may be what failed: the lease lapses on its own
            log.info("relay lease not given up", extra={"error": repr(error)})

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


def _lease_row() -> Any:
    return relay_leases.c.name == LEASE
