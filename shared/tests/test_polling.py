"""The background loop over durable timers: a failing step is tried again at the next poll, a full
batch is followed at once, and the loop sleeps its poll otherwise."""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace

from pbshared.platform.polling import polling


def app_polling_every(seconds: float) -> SimpleNamespace:
    settings = SimpleNamespace(service_name="test", poll_seconds=seconds)
    return SimpleNamespace(state=SimpleNamespace(settings=settings, sessions=None, outbox_signal=None))


async def run_until(step_calls: list, count: int, loop) -> None:
    task = asyncio.create_task(loop)
    try:
        async with asyncio.timeout(10):
            while len(step_calls) < count:
                await asyncio.sleep(0.001)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_failing_step_is_logged_and_tried_again(caplog):
    calls: list[str] = []

    async def step(_new_uow, _now) -> bool:
        calls.append("step")
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return False

    await run_until(calls, 2, polling("firing test timers", "poll_seconds", step)(app_polling_every(0.001)))
    assert "firing test timers failed; trying again" in caplog.text


async def test_a_full_batch_is_followed_at_once_and_otherwise_the_loop_waits_its_poll():
    calls: list[str] = []

    async def step(_new_uow, _now) -> bool:
        calls.append("step")
        return len(calls) < 5  # four full batches, then less than a batch

    task = asyncio.create_task(polling("timers", "poll_seconds", step)(app_polling_every(3600)))
    await asyncio.sleep(0.05)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert len(calls) == 5  # the fifth found less than a batch: the next look waits an hour
