"""Database engine and sessions: PostgreSQL in production and tests, SQLite for the embedded run."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pydantic_core
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from pbshared.platform.pool import InOrderPool

SessionFactory = async_sessionmaker[AsyncSession]

# Execution option for a transaction that only reads: on SQLite it begins deferred, so it neither
# waits for nor blocks a writer (WAL gives it a snapshot). Every other transaction may write.
READ_ONLY = {"pb_read_only": True}


def json_text(value: Any) -> str:
    """JSON as the engine writes a JSON column's value (and as a COPY of one must): by pydantic-core,
    or by the value itself where it has a `json_text()` (a document made lazily from what it records,
    whose JSON is written without making it)."""
    writes_itself = getattr(value, "json_text", None)
    if writes_itself is not None:
        return str(writes_itself())
    return pydantic_core.to_json(value).decode()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # JSON columns (an assessment's answers and scores, an event's headers) written by pydantic-core's
    # serializer: the standard library's took a tenth of a stored assessment's CPU (bench/README.md, RAS).
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", pydantic_core.from_json)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite's pool is its own (one file, one writer): a PostgreSQL pool size means nothing to it.
        kwargs = {k: v for k, v in kwargs.items() if k not in ("pool_size", "max_overflow")}
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # Room for the API's requests plus a consumer handling every partition at once, and all of it
    # kept: a connection opened per use costs more than the work itself. With 10 kept and 10 more
    # allowed on top, a burst of returns found the pool full and closed connections that the next
    # burst opened again (a PostgreSQL backend, the TLS attempt, every statement prepared anew): at 50
    # concurrent requests about one in fifteen opened a connection (bench/ras.py). The most open at
    # once is 20 either way. Services size theirs from PB_DATABASE_POOL_SIZE and _OVERFLOW (app.py);
    # another caller that sizes its own pool keeps SQLAlchemy's overflow.
    if "poolclass" not in kwargs and "pool_size" not in kwargs:
        kwargs.update(pool_size=20, max_overflow=0)
    kwargs.setdefault("poolclass", InOrderPool)  # waiters for a connection are served in turn (pool.py)
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine.pool, "checkin", _note_idle_since)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


# A connection is checked before use only when it has sat in the pool this long. SQLAlchemy's
# pool_pre_ping checks on every checkout, which on asyncpg is three round trips (BEGIN, ";", ROLLBACK)
# before each request's own work: more than a cached read costs (bench/README.md, RAS). A connection
# in steady use has just proved itself; one idle for a while may have been closed by a restarted or
# failed-over server, a proxy's idle timeout or a firewall, and that is what the check is for.
PING_AFTER_IDLE_SECONDS = 10.0
_IDLE_SINCE = "pb_idle_since"


def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return  # new, or in use moments ago
    try:
        dbapi_connection.ping()
    except Exception as error:
        # The pool discards this connection and checks out another (or opens a fresh one).
        raise DisconnectionError("a pooled connection idle since before a server restart") from error


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


async def copy_records(connection: AsyncConnection, table: str, columns: Sequence[str], records: list[tuple]) -> None:
    """Rows into `table` by PostgreSQL's COPY, on `connection` (so in its transaction, in the order
    given): for a bulk job's thousands of rows, no statement to build and parse. The records are
    tuples in `columns` order, already checked; PostgreSQL only (callers keep an INSERT for SQLite)."""
    raw = (await connection.get_raw_connection()).driver_connection
    await raw.copy_records_to_table(table, records=records, columns=list(columns))
