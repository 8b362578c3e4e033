"""Database engine and sessions: PostgreSQL in production and tests, SQLite for the embedded run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SessionFactory = async_sessionmaker[AsyncSession]

# Execution option for a transaction that only reads: on SQLite it begins deferred, so it neither
# waits for nor blocks a writer (WAL gives it a snapshot). Every other transaction may write.
READ_ONLY = {"pb_read_only": True}


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # Room for the API's requests plus a consumer handling every partition at once; connections
    # beyond the pool are opened and closed per use, which costs more than the work itself.
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own BEGIN is deferred and sent late; turn it off and begin in _sqlite_begin.
    dbapi_connection.isolation_level = None
    # WAL lets the API, relay and consumer of one process read while one of them writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # SQLite has no row locks: two deferred transactions both read a row, then both write it, and
    # one change is lost. A writing transaction takes the write lock when it begins, so writers
    # queue (busy_timeout) and each reads what the one before it committed. SQLAlchemy's recipe
    # for pysqlite/aiosqlite transactions.
    read_only = connection.get_execution_options().get("pb_read_only", False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)
