"""Durable timers: a row per deadline, so a deadline survives a restart and fires once.

On PostgreSQL a due timer is claimed with FOR UPDATE SKIP LOCKED: several instances polling at
once each take a different timer, and one that has fired is never claimed again. On SQLite the
transaction holds the database's write lock from its start (BEGIN IMMEDIATE), which serialises
the claim instead.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.moments import as_utc
from brokerage.adapters.tables import timers


class TimerKind(StrEnum):
    bidding_closes = "bidding_closes"  # key: the round
    acceptance_lapses = "acceptance_lapses"  # key: the awarded bid


@dataclass(frozen=True)
class Timer:
    timer_id: uuid.UUID
    council_id: str
    kind: TimerKind
    package_id: uuid.UUID
    key: str
    due_at: datetime


class TimersRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def set(self, council_id: str, kind: TimerKind, package_id: uuid.UUID, key: str, due_at: datetime) -> None:
        """Set the timer unless it is already set (a replayed step sets nothing twice)."""
        await self.set_many(kind, [(council_id, package_id, key, due_at)])

    async def set_many(self, kind: TimerKind, settings: list[tuple[str, uuid.UUID, str, datetime]]) -> None:
        """`set` for many (council, package, key, due at) of one kind, in one statement."""
        if not settings:
            return
        dialect = postgresql if self._session.bind.dialect.name == "postgresql" else sqlite
        rows = [
            dict(
                timer_id=uuid.uuid4(), council_id=council_id, kind=str(kind), package_id=package_id, key=key, due_at=at
            )
            for council_id, package_id, key, at in settings
        ]
        # Rows as parameters of one prepared statement: `.values(rows)` would compile anew per batch.
        await self._session.execute(dialect.insert(timers).on_conflict_do_nothing(), rows)

    async def claim_due(
        self, now: datetime, limit: int = 1, *, passing_over: frozenset[uuid.UUID] = frozenset()
    ) -> list[Timer]:
        """The earliest due timers nobody else holds (at most `limit`, none of `passing_over`),
        locked until this transaction ends."""
        query = (
            select(timers)
            .where(timers.c.fired_at.is_(None), timers.c.due_at <= now)
            .order_by(timers.c.due_at, timers.c.timer_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if passing_over:
            query = query.where(timers.c.timer_id.not_in(passing_over))
        return [_to_timer(row) for row in await self._session.execute(query)]

    async def claim(self, timer_id: uuid.UUID, now: datetime) -> Timer | None:
        """This timer if it is still due and nobody else holds it, locked until this transaction ends."""
        query = (
            select(timers)
            .where(timers.c.timer_id == timer_id, timers.c.fired_at.is_(None), timers.c.due_at <= now)
            .with_for_update(skip_locked=True)
        )
        row = (await self._session.execute(query)).first()
        return _to_timer(row) if row else None

    async def mark_fired(self, fired: list[Timer], now: datetime) -> None:
        if fired:
            ids = [timer.timer_id for timer in fired]
            await self._session.execute(update(timers).where(timers.c.timer_id.in_(ids)).values(fired_at=now))


def _to_timer(row: Any) -> Timer:
    m = row._mapping
    return Timer(m["timer_id"], m["council_id"], TimerKind(m["kind"]), m["package_id"], m["key"], as_utc(m["due_at"]))
