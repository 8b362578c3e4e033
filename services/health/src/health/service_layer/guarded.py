"""Ending a record (a funding decision, a reablement episode) guarded by the revision the caller read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol, TypeVar

from pbshared.errors import Issue, NotFound, RuleBroken, StaleRevision


class Endable(Protocol):
    @property
    def revision(self) -> int: ...

    def end_problems(self, end_date: date) -> list[Issue]: ...


Record = TypeVar("Record", bound=Endable)


class SavesAtRevision(Protocol[Record]):
    async def save(self, record: Record, *, read_revision: int) -> bool: ...


async def end_at_revision(
    repo: SavesAtRevision[Record],
    current: Record | None,
    missing: NotFound,
    read_revision: int,
    end_date: date,
    end: Callable[[Record], Record],
) -> Record:
    """The record ended, saved only if it is still at the revision read (409 otherwise: read it again)."""
    if current is None:
        raise missing
    if current.revision != read_revision:
        raise StaleRevision()
    problems = current.end_problems(end_date)
    if problems:
        raise RuleBroken("nothing was changed", problems)
    ended = end(current)
    if not await repo.save(ended, read_revision=read_revision):
        raise StaleRevision()  # changed after we read it, where the row lock did not hold it (SQLite)
    return ended
