"""The state store's own limit: the platform's database work with no broker in between.

The same writes and the same effects as the platform path, committed to the same PostgreSQL
database. Writers commit their outbox rows through `UnitOfWork`, as a service's API does. Appliers,
one per partition as the consumer handles partitions side by side, take every committed event waiting
for them (up to the consumer's batch of 500) and apply in one transaction what the consumer would (one
inbox claim, the person-copy upsert through the real handler) and the relay's mark. Nothing waits on
a broker, a fetch or a network hop, so this is what the database alone carries on this machine with
the platform's batching: the fair ceiling for the platform's end-to-end figures.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from sqlalchemy import update

from bench.sink import Record
from bench.workload import COUNCIL, person_registered
from bench.writers import Writers
from pbshared.contract.envelope import Envelope
from pbshared.contract.events.people import PersonRegistered
from pbshared.platform import inbox
from pbshared.platform.consumer import HandlerContext
from pbshared.platform.db import SessionFactory, create_engine, session_factory
from pbshared.platform.outbox import OutgoingEvent
from pbshared.platform.people import replica
from pbshared.platform.tables import outbox
from pbshared.platform.unit_of_work import UnitOfWork

CONSUMER = "bench-store"
BATCH = 500  # the consumer's max_records per fetch

Committed = tuple[Envelope, PersonRegistered]


class StorePath(Writers):
    """Writers and appliers on one database; records like a sink's, read back with collect()."""

    def __init__(self, database_url: str, *, per_transaction: int, writers: int, partitions: int):
        super().__init__(per_transaction=per_transaction, writers=writers)
        self._engine = create_engine(database_url)  # as a service builds it
        self._sessions = session_factory(self._engine)
        self._queues: list[asyncio.Queue[Committed]] = [asyncio.Queue() for _ in range(partitions)]
        self._appliers: list[asyncio.Task[None]] = []
        self.records: list[Record] = []

    async def start(self) -> None:
        self._appliers = [asyncio.create_task(_apply_forever(q, self._sessions, self.records)) for q in self._queues]

    async def close(self) -> None:
        for task in self._appliers:
            task.cancel()
        await asyncio.gather(*self._appliers, return_exceptions=True)
        await self._engine.dispose()

    async def collect(self, count: int, timeout: float) -> list[Record]:
        """The next `count` effects, or fewer if `timeout` passes first (a sink's interface)."""
        deadline = time.monotonic() + timeout
        while len(self.records) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)  # only delays the reply; each record holds its own moment
        taken = self.records[:count]
        del self.records[:count]
        return taken

    async def _transaction(self, size: int) -> tuple[list[str], float]:
        uow = UnitOfWork(self._sessions, "ras")
        written: list[tuple[OutgoingEvent, PersonRegistered]] = []
        async with uow:
            for _ in range(size):
                payload = person_registered()
                event = await uow.publish(payload, council_id=COUNCIL, subject_id=str(payload.person_id))
                written.append((event, payload))
            await uow.commit()
        committed = time.monotonic()
        for event, payload in written:  # a subject always goes to the same applier, as to a partition
            queue = self._queues[hash(event.subject_id) % len(self._queues)]
            queue.put_nowait((event.as_envelope(), payload))  # as the consumer reads it, without a broker
        return [str(event.event_id) for event, _ in written], committed


async def _apply_forever(queue: asyncio.Queue[Committed], sessions: SessionFactory, records: list[Record]) -> None:
    while True:
        batch = [await queue.get()]
        while len(batch) < BATCH and not queue.empty():
            batch.append(queue.get_nowait())
        started = time.monotonic()
        async with sessions() as session, session.begin():
            await inbox.claim(session, CONSUMER, [(e.event_id, e.event_type) for e, _ in batch])
            for envelope, payload in batch:
                await replica.on_person_registered(HandlerContext(session, envelope, "charging"), payload)
            await session.execute(
                update(outbox)
                .where(outbox.c.event_id.in_([e.event_id for e, _ in batch]))
                .values(published_at=datetime.now(UTC))
            )
        effect = time.monotonic()
        records.extend((str(envelope.event_id), started, effect) for envelope, _ in batch)
