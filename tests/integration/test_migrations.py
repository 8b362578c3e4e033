"""Each service's migrations build exactly the tables its code declares, on PostgreSQL and SQLite,
and go down and up again cleanly."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData

from pbshared.platform import migrations, tables
from pbshared.platform.db import create_engine
from pbshared.platform.migrations import alembic_config, upgrade
from pbshared.platform.tables import platform_metadata
from tools.services import SERVICE_NAMES, definition

pytestmark = pytest.mark.integration


async def _differences(url: str, service: str) -> list:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync), [platform_metadata, definition(service).metadata]
                )
            )
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_postgres_schema_after_migrations_matches_the_code(service, _migrated_databases):
    assert asyncio.run(_differences(_migrated_databases[service], service)) == []


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_migrations_run_on_sqlite_and_go_down_and_up_again(service, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / service}.db"
    upgrade(definition(service).migrations_dir, url)
    assert asyncio.run(_differences(url, service)) == []
    command.downgrade(alembic_config(definition(service).migrations_dir, url), "base")
    upgrade(definition(service).migrations_dir, url)
    assert asyncio.run(_differences(url, service)) == []


def test_a_platform_table_change_without_a_migration_is_caught(tmp_path, monkeypatch):
    """The platform steps are written out, not built from pbshared.platform.tables: were they (as
    `create_all` did), this change would reach the database unmigrated and go unnoticed."""
    changed = MetaData()
    for table in platform_metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["outbox"].append_column(Column("priority", Integer, nullable=True))
    for module in (tables, migrations):
        monkeypatch.setattr(module, "platform_metadata", changed)
    url = f"sqlite+aiosqlite:///{tmp_path / 'charging'}.db"
    upgrade(definition("charging").migrations_dir, url)

    async def differences() -> list:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), changed)
                )
        finally:
            await engine.dispose()

    found = asyncio.run(differences())
    assert [(d[0], d[3].name) for d in found if d[0] == "add_column"] == [("add_column", "priority")]
