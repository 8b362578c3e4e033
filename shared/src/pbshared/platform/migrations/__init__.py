"""Alembic for every service: one history per service, run the same way.

Each service's migrations/env.py calls `run_env(metadata)`; its first revision calls
`create_platform_tables()` to add the outbox, inbox, reference data and person-copy tables as they
were in version 1; a later revision calls each later step (`platform_v2()` ...). The steps are
written out, never derived from pbshared.platform.tables, so that a table change needs a migration.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection

from pbshared.platform.db import create_engine
from pbshared.platform.migrations import v1, v2
from pbshared.platform.tables import platform_metadata


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    """Bring a database up to `revision`. Synchronous: call it from a thread inside async code."""
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def run_env(service_metadata: MetaData) -> None:
    """Body of every service's env.py."""
    target = [platform_metadata, service_metadata]
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not set"
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def migrate(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            # Two replicas starting together both run migrations; the second waits here, then
            # finds nothing to do. The lock ends with the transaction.
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('alembic-migrations'))"))
        # render_as_batch: SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        context.configure(connection=connection, target_metadata=target, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()

    async def online() -> None:
        engine = create_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
            await connection.commit()
        await engine.dispose()

    asyncio.run(online())


def create_platform_tables() -> None:
    """Platform tables as they were in version 1, frozen (pbshared.platform.migrations.v1)."""
    v1.upgrade()


def drop_platform_tables() -> None:
    v1.downgrade()


def platform_v2() -> None:
    """Subject sequences, relay leases, parked events, inbox status (pbshared.platform.migrations.v2)."""
    v2.upgrade()


def drop_platform_v2() -> None:
    v2.downgrade()
