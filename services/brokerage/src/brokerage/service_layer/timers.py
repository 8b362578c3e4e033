"""Firing due timers: each in its own transaction with the step it triggers, so a timer fires once
(the claim and the step commit together) and one that fails stays due and is tried again."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from brokerage.adapters.timers import TimerKind, TimersRepository
from brokerage.service_layer import awarding
from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def fire_one(uow: UnitOfWork, now: datetime) -> bool:
    """Fire the earliest due timer nobody else holds; False when none is due."""
    async with uow:
        timers = TimersRepository(uow.session)
        timer = await timers.claim_due(now)
        if timer is None:
            return False
        # The step joins this transaction: its own unit commits nothing until the claim does.
        step = UnitOfWork.joining(uow.session, uow.producer)
        if timer.kind is TimerKind.bidding_closes:
            await awarding.close_round(step, timer.council_id, timer.package_id, int(timer.key), now)
        else:
            await awarding.lapse_award(step, timer.council_id, timer.package_id, uuid.UUID(timer.key), now)
        await timers.mark_fired(timer, now)
        await uow.commit()
    return True


async def fire_due(new_uow, now: datetime, limit: int = 100) -> int:
    """Fire due timers one by one until none is due (or `limit`); returns how many fired."""
    fired = 0
    while fired < limit and await fire_one(new_uow(), now):
        fired += 1
    return fired
