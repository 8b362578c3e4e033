"""A council's datasets of one reference kind, validated and kept in this process for a few seconds,
for reads that are many and advisory: the scoring preview runs on every change of the form, and a
round trip to the database for the same model each time is most of its cost (bench/ras.py).

Stored assessments never read through it: they are scored with the dataset the database has in force,
and an answer set for another version is refused, so a model loaded in the last few seconds is at
worst not yet previewed.
"""

from __future__ import annotations

import time
import weakref
from datetime import date
from typing import Any

from sqlalchemy import select

from pbshared.platform.db import SessionFactory
from pbshared.platform.refdata.kinds import ReferenceKind
from pbshared.platform.tables import reference_datasets

# (effective from, version, the payload validated into the kind's model)
Held = tuple[date, int, Any]


class RecentReference:
    def __init__(self, kind: ReferenceKind, max_age_seconds: float):
        self._kind = kind
        self._max_age = max_age_seconds
        self._held: dict[str, tuple[float, list[Held]]] = {}

    async def in_force(self, sessions: SessionFactory, council_id: str, on: date) -> Held | None:
        """The dataset in force on `on` as the database had it at most `max_age` seconds ago: latest
        effective-from not after it, then the highest version (as `effective_dataset` chooses)."""
        now = time.monotonic()
        held = self._held.get(council_id)
        if held is None or now - held[0] >= self._max_age:
            table = reference_datasets.c
            query = select(table.effective_from, table.version, table.payload).where(
                table.council_id == council_id, table.kind == self._kind.name
            )
            async with sessions() as session:
                rows = (await session.execute(query)).all()
            validated = [(row[0], row[1], self._kind.model.model_validate(row[2])) for row in rows]
            held = (now, validated)
            self._held[council_id] = held
        candidates = [entry for entry in held[1] if entry[0] <= on]
        return max(candidates, key=lambda entry: (entry[0], entry[1])) if candidates else None


# One cache per database (each app has its own session factory; tests build many apps).
_BY_DATABASE: weakref.WeakKeyDictionary[SessionFactory, dict[str, RecentReference]] = weakref.WeakKeyDictionary()


def recent(sessions: SessionFactory, kind: ReferenceKind, max_age_seconds: float) -> RecentReference:
    kinds = _BY_DATABASE.setdefault(sessions, {})
    if kind.name not in kinds:
        kinds[kind.name] = RecentReference(kind, max_age_seconds)
    return kinds[kind.name]
