"""The pool's queue serves those waiting for a connection in the order they asked (platform/pool.py)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.util.concurrency import greenlet_spawn
from sqlalchemy.util.queue import Empty

from pbshared.platform.db import create_engine
from pbshared.platform.pool import InOrderPool, InOrderQueue


async def _get(queue: InOrderQueue, timeout: float | None = None) -> str:
    return await greenlet_spawn(queue.get, True, timeout)  # as the pool asks, in SQLAlchemy's greenlet


async def test_a_connection_given_back_goes_to_the_first_waiter_not_to_whoever_asks_next():
    queue = InOrderQueue(maxsize=2)
    first = asyncio.create_task(_get(queue))
    await asyncio.sleep(0)  # the first is waiting

    def give_back_and_ask_again() -> str:
        # A busy request: gives its connection back and asks for one again before the waiter has run.
        queue.put_nowait("connection")
        return queue.get(True, 0.05)

    with pytest.raises(Empty):  # it waited its turn, behind the first, and no other came back
        await greenlet_spawn(give_back_and_ask_again)
    assert await first == "connection"


async def test_waiters_are_served_in_the_order_they_asked():
    queue = InOrderQueue(maxsize=5)
    waiting = []
    for _ in range(5):
        waiting.append(asyncio.create_task(_get(queue)))
        await asyncio.sleep(0)
    for n in range(5):
        queue.put_nowait(f"c{n}")
    assert [await task for task in waiting] == [f"c{n}" for n in range(5)]


async def test_a_free_connection_is_taken_at_once_when_no_one_waits():
    queue = InOrderQueue(maxsize=1)
    queue.put_nowait("free")
    assert await _get(queue) == "free"


async def test_a_waiter_that_times_out_is_passed_over_and_reported_empty():
    queue = InOrderQueue(maxsize=1)
    with pytest.raises(Empty):
        await _get(queue, timeout=0.01)
    queue.put_nowait("kept")  # no one waits any more: it stays in the queue
    assert await _get(queue) == "kept"


async def test_a_waiter_cancelled_after_a_connection_was_handed_to_it_passes_it_on():
    queue = InOrderQueue(maxsize=2)
    first = asyncio.create_task(_get(queue))
    await asyncio.sleep(0)
    second = asyncio.create_task(_get(queue))
    await asyncio.sleep(0)
    queue.put_nowait("connection")  # handed to the first...
    first.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await second == "connection"


def test_a_postgresql_engine_uses_the_in_order_pool():
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert isinstance(engine.sync_engine.pool, InOrderPool)
