"""Inbox: the record of events a consumer has handled, written in the same transaction as the effect."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.tables import inbox


async def claim(session: AsyncSession, consumer: str, event_id: uuid.UUID, event_type: str) -> bool:
    """Record the event as handled by `consumer`; False if it already was (a duplicate).

    ON CONFLICT DO NOTHING makes a concurrent second claim (another instance handling the same
    redelivered message) wait for the first transaction and then see the row: only one effect.
    """
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(inbox)
        .values(consumer=consumer, event_id=event_id, event_type=event_type, handled_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
    )
    result = await session.execute(statement)
    return result.rowcount == 1
