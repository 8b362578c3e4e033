"""A pooled connection is checked only after it has sat idle; one the server closed meanwhile is
replaced, not handed to a request (pbshared.platform.db)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import AsyncEngine

from pbshared.platform import db
from pbshared.testing.postgres import admin_execute


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each check of a pooled connection, counted."""
    counted: list[int] = []
    ping = AsyncAdapt_asyncpg_connection.ping

    def counting(self: Any) -> None:
        counted.append(1)
        ping(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counting)
    return counted


async def test_an_idle_connection_the_server_closed_is_replaced_before_use(
    databases: dict[str, str], monkeypatch: pytest.MonkeyPatch, pings: list[int]
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every returned connection counts as idle
    engine = db.create_engine(databases["ras"], pool_size=1, max_overflow=0)
    try:
        first = await _backend_pid(engine)
        await admin_execute(f"SELECT pg_terminate_backend({first})")  # a server restart, as the pool sees it

        second = await _backend_pid(engine)

        assert second != first
        assert pings, "the idle connection was checked"
    finally:
        await engine.dispose()


async def test_a_connection_in_steady_use_is_not_checked_on_every_checkout(
    databases: dict[str, str], pings: list[int]
) -> None:
    engine = db.create_engine(databases["ras"], pool_size=1, max_overflow=0)
    try:
        for _ in range(5):
            await _backend_pid(engine)

        assert pings == []
    finally:
        await engine.dispose()


async def test_a_service_keeps_the_pool_its_settings_ask_for(databases: dict[str, str]) -> None:
    from pbshared.platform.app import build_app
    from pbshared.testing.harness import service_settings
    from tools import services

    definition = services.definition("ras")
    settings = service_settings(definition, databases["ras"], "127.0.0.1:1", database_pool_size=3)
    app = build_app(definition, settings)
    try:
        assert app.state.engine.pool.size() == 3
    finally:
        await app.state.engine.dispose()
