"""Firing due timers, many in one transaction: a batch's claim, its steps and their marks commit
together, so a timer fires once (across instances: the claim skips timers another holds) and one
whose step fails stays due.

A batch is claimed in one statement; the deadlines in it are evaluated together (awarding.close_rounds:
the packages locked, the bids read and the awards written a statement a kind for the whole batch).
If anything in a batch fails, the batch rolls back and each of its timers is fired again in a
transaction of its own: the others fire, and a failing one is logged, passed over for the rest of
this call and stays due for the next.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from brokerage.adapters.timers import Timer, TimerKind, TimersRepository
from brokerage.service_layer import awarding
from pbshared.platform.collector import cycle_collection_paused
from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# Timers a transaction. 500 took about a tenth less CPU a deadline than 200 (fewer rounds of the
# batch's dozen statements); a batch holds its packages locked for about half a second.
BATCH = 500


class _BatchFailed(Exception):
    def __init__(self, claimed: list[Timer]):
        super().__init__(f"a batch of {len(claimed)} timers failed")
        self.claimed = claimed


async def fire_due(new_uow: Callable[[], UnitOfWork], now: datetime, limit: int = 100, batch: int = BATCH) -> int:
    """Fire due timers, a batch a transaction, until none is due (or `limit`); returns how many fired."""
    fired = 0
    failed: set[uuid.UUID] = set()
    while fired < limit:
        try:
            claimed = await _fire_batch(new_uow(), now, min(batch, limit - fired), frozenset(failed))
        except _BatchFailed as failure:
            for timer in failure.claimed:
                try:
                    fired += await _fire_alone(new_uow(), timer, now)
                except Exception:
                    log.exception("a timer's step failed; it stays due", extra={"timer_id": str(timer.timer_id)})
                    failed.add(timer.timer_id)
            continue
        if not claimed:
            break
        fired += len(claimed)
    return fired


async def _fire_batch(uow: UnitOfWork, now: datetime, size: int, passing_over: frozenset[uuid.UUID]) -> list[Timer]:
    with cycle_collection_paused():
        return await _claim_and_fire(uow, now, size, passing_over)


async def _claim_and_fire(uow: UnitOfWork, now: datetime, size: int, passing_over: frozenset[uuid.UUID]) -> list[Timer]:
    async with uow:
        timers = TimersRepository(uow.session)
        claimed = await timers.claim_due(now, size, passing_over=passing_over)
        try:
            await _steps(uow, claimed, now)
            await timers.mark_fired(claimed, now)
            await uow.commit()
        except Exception as error:
            raise _BatchFailed(claimed) from error
    return claimed


async def _fire_alone(uow: UnitOfWork, timer: Timer, now: datetime) -> int:
    """1 if it fired, 0 if another instance fired it meanwhile."""
    async with uow:
        timers = TimersRepository(uow.session)
        claimed = await timers.claim(timer.timer_id, now)
        if claimed is None:
            return 0
        await _steps(uow, [claimed], now)
        await timers.mark_fired([claimed], now)
        await uow.commit()
    return 1


async def _steps(uow: UnitOfWork, claimed: list[Timer], now: datetime) -> None:
    """The timers' steps in the order they fell due; consecutive deadlines are closed together."""
    closing: list[tuple[str, uuid.UUID, int]] = []
    for timer in claimed:
        if timer.kind is TimerKind.bidding_closes:
            closing.append((timer.council_id, timer.package_id, int(timer.key)))
            continue
        await awarding.close_rounds(uow, closing, now)
        closing = []
        # The step joins this transaction: its own unit commits nothing until the batch does.
        step = UnitOfWork.joining(uow.session, uow.producer)
        await awarding.lapse_award(step, timer.council_id, timer.package_id, uuid.UUID(timer.key), now)
    await awarding.close_rounds(uow, closing, now)
