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
        dialect = postgresql if self._session.bind.dialect.name == "postgresql" else sqlite
        values = dict(
            timer_id=uuid.uuid4(), council_id=council_id, kind=str(kind), package_id=package_id, key=key, due_at=due_at
        )
        await self._session.execute(dialect.insert(timers).values(**values).on_conflict_do_nothing())

    async def claim_due(self, now: datetime) -> Timer | None:
        """The earliest due timer nobody else holds, locked until this transaction ends."""
        query = (
            select(timers)
            .where(timers.c.fired_at.is_(None), timers.c.due_at <= now)
            .order_by(timers.c.due_at, timers.c.timer_id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        m = row._mapping
        return Timer(
            m["timer_id"], m["council_id"], TimerKind(m["kind"]), m["package_id"], m["key"], as_utc(m["due_at"])
        )

    async def mark_fired(self, timer: Timer, now: datetime) -> None:
        await self._session.execute(update(timers).where(timers.c.timer_id == timer.timer_id).values(fired_at=now))
