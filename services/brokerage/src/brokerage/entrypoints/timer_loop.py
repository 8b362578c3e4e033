"""The worker's loop that fires due timers (bidding deadlines, acceptance windows) by the real clock.

Timers are rows, so one set before a restart fires after it; several workers polling at once each
fire different timers (service_layer/timers.py). A failing step is logged and tried again next poll.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from fastapi import FastAPI

from brokerage.service_layer.timers import fire_due
from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def run_timers(app: FastAPI) -> None:
    state = app.state
    settings = state.settings
    while True:
        try:
            await fire_due(
                lambda: UnitOfWork(state.sessions, settings.service_name, state.outbox_signal), datetime.now(UTC)
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("firing timers failed; trying again", extra={"error": repr(error)})
        await asyncio.sleep(settings.timer_poll_seconds)
