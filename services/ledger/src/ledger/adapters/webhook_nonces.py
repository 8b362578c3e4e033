"""The webhook's used nonces (card_webhook_nonces): pruned once no call carrying them could be accepted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.card_tables import card_webhook_nonces

_n = card_webhook_nonces.c


async def prune(session: AsyncSession, council_id: str, received_before: datetime, limit: int) -> int:
    """Deletes at most `limit` of the council's nonces received before `received_before`; how many.

    Bounded, so that each call pays a small fixed cost. Rows another transaction is pruning at the
    same moment are skipped, not waited for (SKIP LOCKED on PostgreSQL; SQLite has one writer at a
    time), so two calls never queue or deadlock on each other's prune. Chosen first, then deleted by
    name: a DELETE ... IN (SELECT ... LIMIT ... SKIP LOCKED) may run its subquery again for each row
    and, skipping the rows it has just deleted, delete them all.
    """
    old = (
        select(_n.nonce)
        .where(_n.council_id == council_id, _n.received_at < received_before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    chosen = list((await session.execute(old)).scalars())
    if chosen:
        await session.execute(delete(card_webhook_nonces).where(_n.council_id == council_id, _n.nonce.in_(chosen)))
    return len(chosen)
