"""Is the database this service was given one it can serve from: reachable, and migrated to exactly
the revisions this code expects? A database behind (never migrated, or an older release's) would
answer requests with "no such table" errors; one ahead belongs to a newer release."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.migrations import alembic_config

DATABASE_OK = "ok"
MIGRATIONS_BEHIND = "migrations behind"
MIGRATIONS_AHEAD = "migrations ahead of this release"


@dataclass(frozen=True)
class ExpectedRevisions:
    heads: frozenset[str]
    known: frozenset[str]

    @classmethod
    def of(cls, migrations_dir: Path) -> ExpectedRevisions:
        """`migrations_dir`: the service's versions directory (ServiceDefinition.migrations_dir)."""
        script = ScriptDirectory.from_config(alembic_config(migrations_dir, "sqlite://"))
        return cls(frozenset(script.get_heads()), frozenset(r.revision for r in script.walk_revisions()))


async def database_state(session: AsyncSession, expected: ExpectedRevisions) -> str:
    """DATABASE_OK, MIGRATIONS_BEHIND or MIGRATIONS_AHEAD; raises if the database does not answer."""
    await session.execute(text("SELECT 1"))
    try:
        rows = await session.execute(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:  # the database answered above, so the table is missing: never migrated
        return MIGRATIONS_BEHIND
    current = frozenset(row[0] for row in rows)
    if current == expected.heads:
        return DATABASE_OK
    return MIGRATIONS_AHEAD if current - expected.known else MIGRATIONS_BEHIND
