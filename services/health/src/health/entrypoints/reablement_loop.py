"""The worker's loop that ends reablement episodes whose free period has run out, by the real clock.

The open episode is its own durable timer (a row), so one due during a restart ends after it, once:
each end commits with its event, and several workers claim different episodes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from health.service_layer.reablement import end_lapsed
from pbshared.platform.polling import polling
from pbshared.platform.unit_of_work import UnitOfWork


async def _end_lapsed_episodes(new_uow: Callable[[], UnitOfWork], now: datetime) -> bool:
    await end_lapsed(new_uow, now.date())
    return False  # it ends every lapsed episode in one go


run_reablement_ends = polling("ending lapsed reablement", "reablement_poll_seconds", _end_lapsed_episodes)
