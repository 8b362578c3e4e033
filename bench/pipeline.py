"""The platform's producing side, as a producing service runs it: UnitOfWork writes and the relay.

Writers and relay share this process and its event loop, as a service's API and relay do; the
consumer runs in another process (bench.sink).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from bench.workload import COUNCIL, person_registered
from bench.writers import Writers
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.kafka import new_producer
from pbshared.platform.outbox import OutboxSignal
from pbshared.platform.relay import OutboxRelay
from pbshared.platform.settings import ServiceSettings
from pbshared.platform.unit_of_work import UnitOfWork

# The relay as a service configures it by default (ServiceSettings), not tuned for the benchmark.
_DEFAULTS = ServiceSettings(service_name="ras")


class Pipeline(Writers):
    def __init__(self, database_url: str, bootstrap: str, *, per_transaction: int, writers: int):
        super().__init__(per_transaction=per_transaction, writers=writers)
        self._engine = create_engine(database_url)  # as a service builds it
        self._sessions = session_factory(self._engine)
        self._signal = OutboxSignal()
        self._producer = new_producer(bootstrap, _DEFAULTS.kafka_request_timeout_ms, enable_idempotence=False)  # Tansu
        self._relay = OutboxRelay(
            service="ras",
            sessions=self._sessions,
            producer=self._producer,
            signal=self._signal,
            batch_size=_DEFAULTS.relay_batch_size,
            idle_poll_seconds=_DEFAULTS.relay_idle_poll_ms / 1000,
            publish_timeout_seconds=_DEFAULTS.kafka_request_timeout_ms / 1000 * 2,
            after_publish=self._note_acknowledged,
        )
        self._relay_task: asyncio.Task[None] | None = None
        self.acknowledged: dict[str, float] = {}  # event id -> moment the broker acknowledged it
        self.published_at = 0.0  # moment of the latest acknowledgement

    async def start(self) -> None:
        await self._producer.start()
        self._relay_task = asyncio.create_task(self._relay.run())

    async def close(self) -> None:
        if self._relay_task is not None:
            self._relay_task.cancel()
            await asyncio.gather(self._relay_task, return_exceptions=True)
        await self._producer.stop()
        await self._engine.dispose()

    async def _note_acknowledged(self, rows: Sequence[Any]) -> None:
        # The relay's hook after the broker acknowledged a batch: splits each event's latency into
        # the relay's share (commit to acknowledgement) and the broker's and consumer's.
        self.published_at = time.monotonic()
        self.acknowledged.update(dict.fromkeys((str(row.event_id) for row in rows), self.published_at))

    async def _transaction(self, size: int) -> tuple[list[str], float]:
        uow = UnitOfWork(self._sessions, "ras", self._signal)
        async with uow:
            event_ids = []
            for _ in range(size):
                payload = person_registered()
                event = await uow.publish(payload, council_id=COUNCIL, subject_id=str(payload.person_id))
                event_ids.append(str(event.event_id))
            await uow.commit()
            return event_ids, time.monotonic()
