"""Fixtures every test tree shares: one migrated PostgreSQL database per service for the session,
emptied before each test that uses it; a fresh broker per test comes from pbshared.testing.plugin."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest

from pbshared.platform.migrations import upgrade
from pbshared.testing.postgres import create_database, drop_database
from tools.services import SERVICE_NAMES, definition


@pytest.fixture(scope="session")
def _migrated_databases() -> Iterator[dict[str, str]]:
    urls: dict[str, str] = {}
    try:
        for name in SERVICE_NAMES:
            urls[name] = create_database(name)
            upgrade(definition(name).migrations_dir, urls[name])
        yield urls
    finally:
        for url in urls.values():
            drop_database(url)


async def _truncate(url: str) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        if tables:
            names = ", ".join(f'"{t["tablename"]}"' for t in tables)
            await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest.fixture
def databases(_migrated_databases: dict[str, str]) -> dict[str, str]:
    """service name -> async URL of its own PostgreSQL database, empty at the start of the test."""

    async def truncate_all() -> None:
        for url in _migrated_databases.values():
            await _truncate(url)

    asyncio.run(truncate_all())
    return _migrated_databases
