"""The worker's loop that fires due timers (bidding deadlines, acceptance windows) by the real clock.

Timers are rows, so one set before a restart fires after it; several workers polling at once each
fire different timers (service_layer/timers.py). A failing step is logged and tried again next poll.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from brokerage.service_layer.timers import BATCH, fire_due
from pbshared.platform.polling import polling
from pbshared.platform.unit_of_work import UnitOfWork


async def _fire_a_batch(new_uow: Callable[[], UnitOfWork], now: datetime) -> bool:
    return await fire_due(new_uow, now, limit=BATCH) >= BATCH  # a full batch: more may be due


run_timers = polling("firing timers", "timer_poll_seconds", _fire_a_batch)
