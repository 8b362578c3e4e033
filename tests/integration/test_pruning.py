"""Pruning deletes published outbox rows and handled inbox ids past their retention, nothing else."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from pbshared.platform.pruning import Retention, prune, prune_periodically
from pbshared.platform.tables import inbox, outbox
from pbshared.testing.harness import wait_for
from tests.integration.support import sessions_for

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
RETENTION = Retention(outbox=timedelta(days=7), inbox=timedelta(days=30))


async def dated_rows(sessions, now: datetime) -> None:
    def row(name: str, created: timedelta, published: timedelta | None) -> dict:
        return {
            "event_id": uuid.uuid5(uuid.NAMESPACE_DNS, name),
            "event_type": name,
            "topic": "ras.events",
            "message_key": "s",
            "message": "{}",
            "headers": {},
            "created_at": now - created,
            "published_at": None if published is None else now - published,
        }

    def claim(name: str, handled: timedelta, status: str = "handled") -> dict:
        return {
            "consumer": "charging",
            "event_id": uuid.uuid5(uuid.NAMESPACE_DNS, name),
            "event_type": name,
            "handled_at": now - handled,
            "status": status,
        }

    async with sessions() as session, session.begin():
        await session.execute(
            insert(outbox),
            [
                row("published.long.ago", timedelta(days=9), timedelta(days=8)),
                row("published.lately", timedelta(days=9), timedelta(days=6)),
                row("never.published", timedelta(days=40), None),  # the broker was away: still owed
            ],
        )
        await session.execute(
            insert(inbox),
            [
                claim("handled.long.ago", timedelta(days=31)),
                claim("handled.lately", timedelta(days=29)),
                claim("parked.long.ago", timedelta(days=60), status="parked"),  # waits for its release
            ],
        )


async def remaining(sessions) -> tuple[list[str], list[str]]:
    async with sessions() as session:
        outbox_rows = (await session.execute(select(outbox.c.event_type).order_by(outbox.c.event_type))).scalars()
        inbox_ids = (await session.execute(select(inbox.c.event_type).order_by(inbox.c.event_type))).scalars()
        return list(outbox_rows), list(inbox_ids)


async def test_published_outbox_rows_and_handled_inbox_ids_past_retention_are_pruned(databases):
    sessions = sessions_for(databases["charging"])
    await dated_rows(sessions, NOW)
    assert await prune(sessions, RETENTION, now=NOW) == (1, 1)
    assert await remaining(sessions) == (
        ["never.published", "published.lately"],
        ["handled.lately", "parked.long.ago"],
    )
    assert await prune(sessions, RETENTION, now=NOW) == (0, 0)


async def test_pruning_runs_periodically_until_stopped(databases):
    sessions = sessions_for(databases["charging"])
    await dated_rows(sessions, datetime.now(UTC))
    pruning = asyncio.ensure_future(prune_periodically(sessions, RETENTION, interval_seconds=0.05))
    try:
        await wait_for(lambda: _pruned(sessions), 10, "the first round")
    finally:
        pruning.cancel()
        await asyncio.gather(pruning, return_exceptions=True)


async def test_a_service_running_messaging_prunes_its_database(start_service, databases):
    charging = await start_service("charging", prune_interval_seconds=0.05, council=False)
    await dated_rows(charging.sessions, datetime.now(UTC))
    await wait_for(lambda: _pruned(charging.sessions), 30, "the service to prune")


async def _pruned(sessions) -> bool:
    outbox_rows, inbox_ids = await remaining(sessions)
    return "published.long.ago" not in outbox_rows and "handled.long.ago" not in inbox_ids
