"""Database work overlapped with this process's work: a bulk job's step reads its next chunk and
stores its last while it works out this one.

A step of a bulk job (an uprating page) is CPU in this process and statements that are mostly the
database's work (reading and decoding rows, COPY parsing thousands of JSON documents, index updates).
Done one after the other, one of the machine's cores idles at each turn. Here the step's statements
go to its own session in the background, in the order given and one at a time (a connection runs one
statement at a time), while the caller works; it lets them move on at `breathe()`.

The statements are in the step's transaction like any other: a failure reaches the caller (at the
next `then`, awaiting a result, or at the end of the block) and the step rolls back whole.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterator
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")


class _NotStarted(Exception):
    """What work queued behind a failure ends with: it never ran."""


class Overlapped:
    """`async with Overlapped() as database:` then `database.then(coroutine)` for each statement (or
    repository call), in order; each returns a future of its result. Leaving the block waits for the
    last of them or, on an error, for the one under way (what has not started never does)."""

    def __init__(self) -> None:
        self._last: asyncio.Task[Any] | None = None
        self._abandoned = False

    def then(self, work: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
        """Run `work` once everything before it is done; its arguments are taken now."""
        self._raise_if_failed()
        previous = self._last

        async def after_previous() -> T:
            try:
                if previous is not None:
                    await previous
            except BaseException:
                work.close()  # never started: no "coroutine was never awaited" warning
                raise
            if self._abandoned:
                work.close()
                raise _NotStarted
            return await work

        task = asyncio.ensure_future(after_previous())
        self._last = task
        return task

    async def breathe(self) -> None:
        """Let the work in flight take its next turn (send rows, read the server's answer): called
        between pieces of the caller's CPU work, which otherwise holds the event loop throughout."""
        if self._last is not None and not self._last.done():
            await asyncio.sleep(0)

    async def __aenter__(self) -> Overlapped:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        last, self._last = self._last, None
        if last is None:
            return
        if exc is None:
            await last
            return
        # The step failed and its transaction rolls back: what has not started never does. What is
        # under way finishes first: cancelled half way, it would leave the connection busy, and the
        # rollback would be refused ("another operation is in progress").
        self._abandoned = True
        with contextlib.suppress(Exception):
            await last

    def _raise_if_failed(self) -> None:
        if self._last is not None and self._last.done() and not self._last.cancelled():
            error = self._last.exception()
            if error is not None:
                raise error


def chunk_sizes(total: int, size: int, smallest: int, growth: float = 2.5) -> Iterator[int]:
    """`total` in chunks of at most `size` that grow from `smallest` at the start and shrink back to it
    at the end, each at most `growth` times its smaller neighbour. At the start, nothing is worked out
    while the first chunk is read, so a small one comes soonest; at the end, storing a chunk takes the
    database a fraction of the time this process took to work it out, and the next, smaller one is
    worked out meanwhile: the step waits only for storing the last, the smallest. Between the two, the
    rest in equal chunks. A total too small for both ramps gives the end its ramp first."""
    if smallest < 1 or size < smallest:
        raise ValueError("chunks are of at least one, and the smallest no larger than the largest")
    ramp = []  # smallest, smallest * growth, ... below size
    step = smallest
    while step < size:
        ramp.append(step)
        step = max(int(step * growth), step + 1)
    left = total
    end = []  # from the last chunk back, as much of the ramp as the total holds
    for step in ramp:
        if not left:
            break
        end.append(min(step, left))
        left -= end[-1]
    for step in ramp:  # then the start, from what the end left
        if not left:
            break
        yield min(step, left)
        left -= min(step, left)
    count = -(-left // size)  # the fewest chunks of at most `size`, made as equal as they can be
    for n in range(count):
        yield left // count + (1 if n < left % count else 0)
    yield from reversed(end)
