"""Locks on a name held to the end of a transaction: for work that must not interleave though it
has no one row to lock (everything about one person, say, spread over several tables, or a person
not yet in any of them)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))")
_SHARED = text("SELECT pg_advisory_xact_lock_shared(hashtextextended(:name, 0))")


async def hold(session: AsyncSession, name: str, *, shared: bool = False) -> None:
    """Hold the lock called `name` until the session's transaction ends, waiting for any holder.

    Take it before reading what it guards: at READ COMMITTED (PostgreSQL's default, and ours) each
    statement after the wait sees what the holder before committed. PostgreSQL: an advisory lock on
    the name's 64-bit hash (two names sharing a hash only wait for each other, never run together).
    SQLite: nothing more to do, as a writing transaction already holds the database's write lock from
    its start (BEGIN IMMEDIATE, pbshared.platform.db)."""
    if (await session.connection()).dialect.name != "postgresql":
        return
    await session.execute(_SHARED if shared else _EXCLUSIVE, {"name": name})


_TRY_EXCLUSIVE = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 0))")


async def try_hold(session: AsyncSession, name: str) -> bool:
    """`hold(name)` if no one else holds it now, without waiting: True if it is held, False if another
    transaction has it. For work that can go elsewhere meanwhile (a worker taking the next free lane
    of a job). SQLite: True, as the writing transaction is the only one (see `hold`)."""
    if (await session.connection()).dialect.name != "postgresql":
        return True
    return bool(await session.scalar(_TRY_EXCLUSIVE, {"name": name}))
