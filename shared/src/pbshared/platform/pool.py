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
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util.concurrency import await_
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty


class InOrderQueue(AsyncAdaptedQueue[Any]):
    def __init__(self, maxsize: int = 0, use_lifo: bool = False):
        super().__init__(maxsize, use_lifo)
        self._waiting: deque[asyncio.Future[Any]] = deque()

    def put_nowait(self, item: Any) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():  # one that gave up (timed out, cancelled) is passed over
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
        try:
            return await_(asyncio.wait_for(waiter, timeout))
        except TimeoutError:
            raise Empty() from None  # the pool reports its own timeout
        except BaseException:
            # Cancelled after a connection was handed over: it goes to the next in line, not lost.
            if waiter.done() and not waiter.cancelled():
                self.put_nowait(waiter.result())
            raise


class InOrderPool(AsyncAdaptedQueuePool):
    """AsyncAdaptedQueuePool with InOrderQueue: waiters served first come, first served."""

    _queue_class = InOrderQueue
