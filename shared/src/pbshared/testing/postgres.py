"""PostgreSQL databases for tests: one per service, created fresh for a test session."""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg

ADMIN_URL = os.environ.get("PB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


class PostgresUnavailable(RuntimeError):
    pass


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def admin_execute(statement: str) -> None:
    try:
        connection = await asyncpg.connect(_asyncpg_url(ADMIN_URL), timeout=10)
    except (OSError, asyncpg.PostgresError) as error:
        raise PostgresUnavailable(
            f"cannot reach PostgreSQL at {ADMIN_URL} ({error}); the test command starts it with "
            "`pg_ctlcluster --skip-systemctl-redirect 15 main start`"
        ) from error
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_database(prefix: str, template_url: str | None = None) -> str:
    """Create a database and return its SQLAlchemy async URL: empty, or a copy of `template_url`'s (to
    which nothing may be connected). A copy is cheaper than loading the same rows again: a benchmark
    seeds once and times each run on a fresh copy."""
    name = f"pbtest_{prefix}_{uuid.uuid4().hex[:8]}"
    template = f' TEMPLATE "{template_url.rsplit("/", 1)[1]}"' if template_url else ""
    asyncio.run(admin_execute(f'CREATE DATABASE "{name}"{template}'))
    base = ADMIN_URL.rsplit("/", 1)[0]
    return sqlalchemy_url(f"{base}/{name}")


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
