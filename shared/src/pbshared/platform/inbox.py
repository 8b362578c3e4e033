"""Inbox: the record of events a consumer has handled, written in the same transaction as the effect."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.tables import inbox


async def claim(session: AsyncSession, consumer: str, events: Sequence[tuple[uuid.UUID, str]]) -> set[uuid.UUID]:
    """Record (event id, event type) pairs as handled by `consumer`, in one statement; returns the
    ids that were new. The others are duplicates: already handled, or twice in `events`.

    ON CONFLICT DO NOTHING makes a concurrent claim of the same event (another instance handling a
    redelivered message during a rebalance) wait for the first transaction and then see its row:
    only one of them gets the id back, so only one has the effect.
    """
    if not events:
        return set()
    now = datetime.now(UTC)
    rows = [{"consumer": consumer, "event_id": i, "event_type": t, "handled_at": now} for i, t in events]
    # One statement object: SQLAlchemy sends the rows as multi-row INSERTs and compiles it once.
    result = await session.execute(_claim_statement(session.bind.dialect.name), rows)
    return set(result.scalars())


@functools.cache
def _claim_statement(dialect_name: str) -> Insert:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (
        dialect.insert(inbox)
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        .returning(inbox.c.event_id)
    )
