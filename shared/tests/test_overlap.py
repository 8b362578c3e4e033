"""Database work overlapped with the caller's: in order, one at a time, and failures reach the caller."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbshared.platform.overlap import Overlapped, chunk_sizes


async def test_work_runs_in_the_order_given_one_at_a_time_while_the_caller_goes_on():
    log: list[str] = []
    running = 0

    async def statement(name: str) -> str:
        nonlocal running
        running += 1
        assert running == 1, "two statements at once on one connection"
        log.append(f"{name} starts")
        await asyncio.sleep(0.001)
        log.append(f"{name} ends")
        running -= 1
        return name

    async with Overlapped() as database:
        first = database.then(statement("read"))
        database.then(statement("write"))
        log.append("caller works")  # nothing has run yet: the caller's work comes first
        assert await first == "read"
        last = database.then(statement("second write"))
    assert last.done()
    assert log == [
        "caller works",
        "read starts",
        "read ends",
        "write starts",
        "write ends",
        "second write starts",
        "second write ends",
    ]


async def test_breathe_lets_the_work_in_flight_move_on():
    done = asyncio.Event()

    async def statement() -> None:
        done.set()

    async with Overlapped() as database:
        database.then(statement())
        await database.breathe()
        assert done.is_set()


async def test_a_failed_statement_reaches_the_caller_and_what_follows_never_runs():
    ran: list[str] = []

    async def failing() -> None:
        raise RuntimeError("refused by the database")

    async def later() -> None:
        ran.append("later")

    with pytest.raises(RuntimeError, match="refused"):
        async with Overlapped() as database:
            database.then(failing())
            database.then(later())
    assert ran == []


async def test_a_failure_is_raised_at_the_next_statement_given():
    async def failing() -> None:
        raise RuntimeError("refused by the database")

    async def later() -> None:
        pass  # pragma: no cover - never started

    database = Overlapped()
    database.then(failing())
    await asyncio.sleep(0.001)
    coroutine = later()
    with pytest.raises(RuntimeError, match="refused"):
        database.then(coroutine)
    coroutine.close()


async def test_an_error_in_the_callers_work_lets_the_work_under_way_finish_and_no_more_start():
    # Cancelled half way, a statement would leave its connection busy and the rollback refused.
    started, log = asyncio.Event(), []

    async def under_way() -> None:
        started.set()
        await asyncio.sleep(0.01)
        log.append("under way, finished")

    async def queued() -> None:
        log.append("queued, started")  # pragma: no cover - never started

    with pytest.raises(ValueError, match="own failure"):
        async with Overlapped() as database:
            database.then(under_way())
            database.then(queued())
            await started.wait()
            raise ValueError("the caller's own failure")
    assert log == ["under way, finished"]


@pytest.mark.parametrize(
    ("total", "sizes"),
    [
        (0, []),
        (50, [50]),
        (100, [100]),
        (101, [1, 100]),
        (600, [250, 250, 100]),
        (975, [625, 250, 100]),
        (1950, [100, 250, 625, 625, 250, 100]),
        (4000, [100, 250, 625, 684, 683, 683, 625, 250, 100]),
    ],
)
def test_chunks_grow_from_a_small_one_and_shrink_back_to_it(total, sizes):
    # At the end each chunk is at most 2.5 times the next: the database stores one while this process
    # works out the next, and the step waits only for storing the last.
    assert list(chunk_sizes(total, 1000, 100)) == sizes


@given(total=st.integers(0, 40_000), size=st.integers(1, 3_000), smallest=st.integers(1, 3_000))
def test_chunks_hold_the_total_each_of_one_to_the_largest_ending_with_the_smallest(total, size, smallest):
    if smallest > size:
        with pytest.raises(ValueError, match="smallest"):
            list(chunk_sizes(total, size, smallest))
        return
    sizes = list(chunk_sizes(total, size, smallest))
    assert sum(sizes) == total
    assert all(1 <= n <= size for n in sizes)
    if total and smallest < size:
        assert sizes[-1] == min(total, smallest)
    assert not sizes or sizes[-1] <= smallest


def test_a_page_of_16000_ends_shrinking_by_at_most_two_and_a_half_times_a_chunk():
    sizes = list(chunk_sizes(16_000, 1000, 100))
    assert sizes[-4:] == [936, 625, 250, 100]
    assert max(sizes[3:-3]) - min(sizes[3:-3]) <= 1  # the middle in equal chunks


def test_a_chunk_of_nothing_is_refused():
    with pytest.raises(ValueError):
        list(chunk_sizes(10, 0, 0))
