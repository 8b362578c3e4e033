"""A connection pool that serves the requests waiting for a connection in the order they asked.

SQLAlchemy's asyncio pool takes a free connection from its queue whenever one is there. A connection
given back while others wait wakes the first of them, but until that one runs, anyone else who asks
takes the connection first: in a busy process, a request that has just given one back and starts
its next statement. The woken waiter finds the queue empty and goes to the back of the line again.
With more requests in flight than connections, some waited for many turns: at 50 concurrent stored
assessments on a pool of 20, 30 requests waited for as long as the load lasted (in process), and
over HTTP the slowest hundredth took about twice the median (bench/README.md, "RAS: where it
stands", fifth round).

Here a connection given back while someone waits is handed to the first waiter directly, and no one
takes a free connection while others are waiting for one.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util.concurrency import await_
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty


class InOrderQueue(AsyncAdaptedQueue[Any]):
    def __init__(self, maxsize: int = 0, use_lifo: bool = False):
        super().__init__(maxsize, use_lifo)
        self._waiting: deque[asyncio.Future[Any]] = deque()
        # Where a connection handed to a waiter that then gave up goes: the next in line, or the queue.
        # The pool sets its own return, which closes one the queue has no room for (an overflow one).
        self.give_back: Callable[[Any], None] = self.put_nowait

    def put_nowait(self, item: Any) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            # One that gave up (timed out, cancelled), or whose loop is gone, is passed over.
            if not waiter.done() and not waiter.get_loop().is_closed():
                waiter.set_result(item)
                return
        super().put_nowait(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if not self._waiting:
            try:
                return self.get_nowait()
            except Empty:
                if not block:
                    raise
        elif not block:
            raise Empty()
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        return await_(self._wait(waiter, timeout))

    async def _wait(self, waiter: asyncio.Future[Any], timeout: float | None) -> Any:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for returns a result that arrived as the
        # task was cancelled and drops the cancellation (CPython gh-86296), and a task stopping (a
        # shutdown) must stop.
        try:
            async with asyncio.timeout(timeout):
                return await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                return waiter.result()  # handed over as the time ran out: taken, not lost
            raise Empty() from None  # the pool reports its own timeout
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.give_back(waiter.result())  # handed over, then cancelled: passed on, not lost
            raise


class InOrderPool(AsyncAdaptedQueuePool):
    """AsyncAdaptedQueuePool with InOrderQueue: waiters served first come, first served."""

    _queue_class = InOrderQueue

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        assert isinstance(self._pool, InOrderQueue)
        self._pool.give_back = self._do_return_conn
