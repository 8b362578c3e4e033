"""The pool's queue serves those waiting for a connection in the order they asked (platform/pool.py)."""

from __future__ import annotations

import asyncio
from unittest import mock

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


async def test_a_waiter_cancelled_as_a_connection_is_handed_over_is_cancelled_and_passes_it_on():
    # As the pool asks, always with a time limit: on Python 3.11 asyncio.wait_for kept the connection
    # and dropped the cancellation, and a task being stopped went on running.
    queue = InOrderQueue(maxsize=2)
    first = asyncio.create_task(_get(queue, 30.0))
    await asyncio.sleep(0)
    second = asyncio.create_task(_get(queue, 30.0))
    await asyncio.sleep(0)
    queue.put_nowait("connection")
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await asyncio.wait_for(second, 1) == "connection"


async def test_a_connection_handed_over_as_the_time_runs_out_is_taken_not_lost():
    queue = InOrderQueue(maxsize=1)
    loop = asyncio.get_running_loop()
    waiter = asyncio.create_task(_get(queue, 0.05))
    await asyncio.sleep(0.049)
    busy_until = loop.time() + 0.01
    while loop.time() < busy_until:  # the deadline and the hand-over fall in one turn of the loop
        pass
    loop.call_soon(queue.put_nowait, "connection")
    assert await waiter == "connection"


async def test_a_waiter_whose_loop_has_closed_is_passed_over():
    queue = InOrderQueue(maxsize=1)
    other_loop = asyncio.new_event_loop()
    abandoned = other_loop.create_future()
    other_loop.close()
    queue._waiting.append(abandoned)
    queue.put_nowait("connection")
    assert await _get(queue) == "connection"


def _pool(size: int = 1, overflow: int = 0) -> InOrderPool:
    return InOrderPool(lambda: mock.MagicMock(), pool_size=size, max_overflow=overflow, timeout=30)


async def test_the_pool_counts_right_after_a_waiter_is_cancelled():
    pool = _pool()
    held = await greenlet_spawn(pool.connect)
    waiter = asyncio.create_task(greenlet_spawn(pool.connect))
    await asyncio.sleep(0)
    assert "Current Checked out connections: 1" in pool.status()
    await greenlet_spawn(held.close)  # handed to the waiter, which is then cancelled
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert (pool.checkedin(), pool.checkedout()) == (1, 0)
    again = await greenlet_spawn(pool.connect)
    await greenlet_spawn(again.close)


async def test_an_overflow_connection_handed_to_a_cancelled_waiter_is_closed_not_leaked():
    pool = _pool(size=1, overflow=1)
    first = await greenlet_spawn(pool.connect)
    overflow = await greenlet_spawn(pool.connect)
    waiter = asyncio.create_task(greenlet_spawn(pool.connect))
    await asyncio.sleep(0)
    await greenlet_spawn(first.close)  # handed to the waiter
    await greenlet_spawn(overflow.close)  # no one waits: it fills the queue
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    # One connection closed (no room for it), one kept: nothing held by no one, nothing lost.
    assert (pool.checkedout(), pool.checkedin(), pool.overflow()) == (0, 1, 0)


async def test_disposed_and_recreated_the_pool_stays_in_order():
    pool = _pool()
    connection = await greenlet_spawn(pool.connect)
    await greenlet_spawn(connection.close)
    pool.dispose()
    assert pool.checkedin() == 0
    assert isinstance(pool.recreate()._pool, InOrderQueue)
