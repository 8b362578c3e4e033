"""Ledger databases for the ledger's own tests: SQLite copied from one migrated file (fast), and one
migrated PostgreSQL database for the session, emptied before each test that uses it."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from ledger.bootstrap import SERVICE
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.migrations import upgrade
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.postgres import create_database, drop_database


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "template.db"
    upgrade(SERVICE.migrations_dir, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _migrated_postgres() -> Iterator[str]:
    url = create_database("ledger_core")
    try:
        upgrade(SERVICE.migrations_dir, url)
        yield url
    finally:
        drop_database(url)


async def _empty(url: str) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        await connection.execute(
            f"TRUNCATE {', '.join(repr(t['tablename']).replace(chr(39), chr(34)) for t in tables)} CASCADE"
        )
    finally:
        await connection.close()


@pytest.fixture
def postgres_url(_migrated_postgres: str) -> str:
    asyncio.run(_empty(_migrated_postgres))
    return _migrated_postgres


@pytest.fixture
def sqlite_url(_migrated_sqlite: Path, tmp_path: Path) -> str:
    path = tmp_path / "ledger.db"
    shutil.copy(_migrated_sqlite, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture
async def sessions(ledger_url: str) -> AsyncIterator:
    engine = create_engine(ledger_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def new_uow(sessions):
    """A fresh unit of work on the ledger database, as a route would get one."""
    return lambda: UnitOfWork(sessions, "ledger")
