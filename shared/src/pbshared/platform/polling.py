"""A service's background loop over durable timers: deadlines, acceptance windows, free periods.

The timers are rows, so one due during a restart happens after it, once, and several workers
polling at once each take different rows (each step commits with its events). This is only the
loop: run a step by the real clock, log a failure and try again at the next poll.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import FastAPI

from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# A step gets a maker of units of work and the real clock's now; True means more were due than it
# took (a full batch), so the loop looks again at once rather than after a poll.
Step = Callable[[Callable[[], UnitOfWork], datetime], Awaitable[bool]]


def polling(what: str, poll_seconds_setting: str, step: Step) -> Callable[[FastAPI], Awaitable[None]]:
    """The background task (ServiceDefinition.background) that runs `step` every
    `settings.<poll_seconds_setting>` seconds; `what` names it in the log when a step fails."""

    async def run(app: FastAPI) -> None:
        state = app.state
        settings = state.settings

        def new_uow() -> UnitOfWork:
            return UnitOfWork(state.sessions, settings.service_name, state.outbox_signal)

        while True:
            more = False
            try:
                more = await step(new_uow, datetime.now(UTC))
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning(f"{what} failed; trying again", extra={"error": repr(error)})
            if not more:
                await asyncio.sleep(getattr(settings, poll_seconds_setting))

    return run
