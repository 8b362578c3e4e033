"""Pruning: published outbox rows and old inbox ids are deleted once nothing can need them.

An outbox row is needed until the broker acknowledged it; after that it is kept a while for
inspection (`PB_OUTBOX_RETENTION_DAYS`). An inbox id is needed as long as its event can come again:
the longest redelivery window is the topics' retention (docs/runbook.md, "Pruning"), so inbox ids are
kept longer than that (`PB_INBOX_RETENTION_DAYS`, checked at start). Parked events keep their ids
until they are released. Runs in the process that runs the relay and consumer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from pbshared.platform.db import SessionFactory
from pbshared.platform.parking import HANDLED
from pbshared.platform.tables import inbox, outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retention:
    outbox: timedelta
    inbox: timedelta


async def prune(sessions: SessionFactory, retention: Retention, now: datetime | None = None) -> tuple[int, int]:
    """Delete what is older than its retention; returns (outbox rows, inbox ids) deleted."""
    now = now or datetime.now(UTC)
    async with sessions() as session, session.begin():
        published = await session.execute(
            delete(outbox).where(outbox.c.published_at.is_not(None), outbox.c.published_at < now - retention.outbox)
        )
        handled = await session.execute(
            delete(inbox).where(inbox.c.status == HANDLED, inbox.c.handled_at < now - retention.inbox)
        )
    return published.rowcount, handled.rowcount


async def prune_periodically(sessions: SessionFactory, retention: Retention, interval_seconds: float) -> None:
    """Prune now and then every `interval_seconds`, until cancelled; a failure waits for the next round."""
    while True:
        try:
            outbox_rows, inbox_ids = await prune(sessions, retention)
            if outbox_rows or inbox_ids:
                log.info("pruned", extra={"outbox_rows": outbox_rows, "inbox_ids": inbox_ids})
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the database is away: the next round catches up
            log.warning("pruning failed", extra={"error": repr(error)})
        await asyncio.sleep(interval_seconds)
