"""The worker's loop that ends reablement episodes whose free period has run out, by the real clock.

The open episode is its own durable timer (a row), so one due during a restart ends after it, once:
each end commits with its event, and several workers claim different episodes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from fastapi import FastAPI

from health.service_layer.reablement import end_lapsed
from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def run_reablement_ends(app: FastAPI) -> None:
    state = app.state
    settings = state.settings
    while True:
        try:
            await end_lapsed(
                lambda: UnitOfWork(state.sessions, settings.service_name, state.outbox_signal), datetime.now(UTC).date()
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("ending lapsed reablement failed; trying again", extra={"error": repr(error)})
        await asyncio.sleep(settings.reablement_poll_seconds)
