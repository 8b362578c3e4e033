"""Alembic for every service: one history per service, run the same way.

A service ships only its revisions, as package data (`<service>/migrations/versions`, found through
importlib.resources so a plain wheel install works); `env.py` and `script.py.mako` are this package's
(`script/`), and the service's tables reach env.py through the Config's attributes. Each service's first
revision calls `create_platform_tables()` to add the outbox, inbox, reference data and person-copy tables.
"""

from __future__ import annotations

import asyncio
from importlib.resources import files
from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection

from pbshared.platform.db import create_engine
from pbshared.platform.tables import platform_metadata

SCRIPT_DIR = Path(str(files(__name__) / "script"))
SERVICE_METADATA = "service_metadata"  # key of Config.attributes that env.py reads


def versions_dir(package: str) -> Path:
    """Where a service's revisions are: `<package>/migrations/versions`, inside the installed package."""
    return Path(str(files(package) / "migrations" / "versions"))


def alembic_config(migrations_dir: Path, database_url: str, metadata: MetaData | None = None) -> Config:
    """`migrations_dir` is the service's versions directory; `metadata` its tables, for autogenerate."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_DIR))
    config.set_main_option("version_locations", str(migrations_dir))
    config.set_main_option("path_separator", "os")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes[SERVICE_METADATA] = metadata
    return config


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head", metadata: MetaData | None = None) -> None:
    """Bring a database up to `revision`. Synchronous: call it from a thread inside async code."""
    command.upgrade(alembic_config(migrations_dir, database_url, metadata), revision)


def run_env(service_metadata: MetaData | None) -> None:
    """Body of env.py (script/env.py)."""
    target = [platform_metadata, *([service_metadata] if service_metadata is not None else [])]
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
    """Platform tables as they are in version 1 (pbshared.platform.tables).

    When a platform table changes, copy its version-1 definition here first, then add a
    `platform_v2` step that alters it, and a revision in every service that calls that step.
    """
    platform_metadata.create_all(op.get_bind())


def drop_platform_tables() -> None:
    platform_metadata.drop_all(op.get_bind())
