"""How both producing paths (the platform's and PostgreSQL alone) offer their writes: a burst from
concurrent writers, or one transaction per tick at a steady rate (open loop, as requests arrive)."""

from __future__ import annotations

import asyncio
import math
import time

from bench.workload import paced_ticks, tick_size


class Writers:
    """Subclasses write one transaction of `size` events and return its event ids and commit moment."""

    def __init__(self, *, per_transaction: int, writers: int):
        self.per_transaction = per_transaction
        self.writers = writers

    async def _transaction(self, size: int) -> tuple[list[str], float]:
        raise NotImplementedError

    async def write_burst(self, count: int) -> float:
        """Write `count` events with `writers` concurrent writers; returns when all were committed."""
        transactions = math.ceil(count / self.per_transaction)
        sizes = iter([tick_size(t, self.per_transaction, count) for t in range(transactions)])

        async def writer() -> None:
            for size in sizes:  # one shared iterator: each transaction is taken by one writer
                await self._transaction(size)

        await asyncio.gather(*(writer() for _ in range(self.writers)))
        return time.monotonic()

    async def write_steady(self, rate: float, count: int) -> dict[str, float]:
        """Start one transaction every tick (open loop: a late tick is not skipped); returns each
        event's commit moment."""
        pending = [
            asyncio.create_task(self._transaction(tick_size(tick, self.per_transaction, count)))
            async for tick in paced_ticks(rate, self.per_transaction, count)
        ]
        committed: dict[str, float] = {}
        for event_ids, moment in await asyncio.gather(*pending):
            committed.update(dict.fromkeys(event_ids, moment))
        return committed
