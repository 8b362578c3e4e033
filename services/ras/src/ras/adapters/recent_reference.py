"""A council's datasets of one reference kind, validated and kept in this process for a few seconds,
for reads that are many and advisory: the scoring preview runs on every change of the form, and a
round trip to the database for the same model each time is most of its cost (bench/ras.py).

Stored assessments never read through it: they are scored with the dataset the database has in force,
and an answer set for another version is refused, so a model loaded in the last few seconds is at
worst not yet previewed.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from datetime import date
from typing import Any

from sqlalchemy import select

from pbshared.platform.db import READ_ONLY, SessionFactory
from pbshared.platform.refdata.kinds import ReferenceKind
from pbshared.platform.tables import reference_datasets
from ras.adapters.datasets_in_force import by_id

# (effective from, version, the payload validated into the kind's model)
Held = tuple[date, int, Any]


class RecentReference:
    def __init__(self, kind: ReferenceKind, max_age_seconds: float):
        self._kind = kind
        self._max_age = max_age_seconds
        self._held: dict[str, tuple[float, list[Held]]] = {}
        self._reading: dict[str, asyncio.Future[tuple[float, list[Held]]]] = {}

    async def in_force(self, sessions: SessionFactory, council_id: str, on: date) -> Held | None:
        """The dataset in force on `on` as the database had it at most `max_age` seconds ago: latest
        effective-from not after it, then the highest version (as `effective_dataset` chooses)."""
        held = self._held.get(council_id)
        if held is None or time.monotonic() - held[0] >= self._max_age:
            held = await self._read(sessions, council_id)
        candidates = [entry for entry in held[1] if entry[0] <= on]
        return max(candidates, key=lambda entry: (entry[0], entry[1])) if candidates else None

    async def _read(self, sessions: SessionFactory, council_id: str) -> tuple[float, list[Held]]:
        # One read at a time per council: every request that finds the copy old while it is being read
        # waits for that read. Each reading for itself, 50 concurrent previews took 50 connections at
        # once every few seconds, more than the pool holds, and opened new ones (bench/ras.py).
        reading = self._reading.get(council_id)
        if reading is None:
            reading = asyncio.ensure_future(self._fetch(sessions, council_id))
            self._reading[council_id] = reading
            reading.add_done_callback(lambda _: self._reading.pop(council_id, None))
        return await asyncio.shield(reading)  # a caller that gives up does not cancel the others' read

    async def _fetch(self, sessions: SessionFactory, council_id: str) -> tuple[float, list[Held]]:
        started = time.monotonic()  # the copy's age counts from before the read
        table = reference_datasets.c
        query = select(table.id, table.effective_from, table.version).where(
            table.council_id == council_id, table.kind == self._kind.name
        )
        async with sessions() as session:
            await session.connection(execution_options=READ_ONLY)
            rows = (await session.execute(query)).all()
            # Rows already validated in this process are not read again (datasets_in_force.by_id).
            held = [(row[1], row[2], (await by_id(session, self._kind, row[0])).model) for row in rows]
        self._held[council_id] = (started, held)
        return started, held


# One cache per database (each app has its own session factory; tests build many apps).
_BY_DATABASE: weakref.WeakKeyDictionary[SessionFactory, dict[str, RecentReference]] = weakref.WeakKeyDictionary()


def recent(sessions: SessionFactory, kind: ReferenceKind, max_age_seconds: float) -> RecentReference:
    kinds = _BY_DATABASE.setdefault(sessions, {})
    if kind.name not in kinds:
        kinds[kind.name] = RecentReference(kind, max_age_seconds)
    return kinds[kind.name]
