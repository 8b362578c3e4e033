"""Unit of work: one database transaction holding a change and the events that announce it.

A use case takes a unit of work and runs the same whoever calls it. An HTTP route gives it a unit
that owns its transaction; an event handler gives it one that joins the consumer's transaction
(`UnitOfWork.joining`), so the inbox claim, the effect and the follow-on events commit together or
not at all.
"""

from __future__ import annotations

from collections.abc import Coroutine
from types import TracebackType
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction

from pbshared.platform.db import SessionFactory
from pbshared.platform.outbox import OutboxSignal, OutgoingEvent, Row, event_for, write_to_outbox


class UnitOfWork:
    """`async with uow:` opens a transaction; `await uow.commit()` commits change and events together.

    Leaving the block without commit rolls everything back, events included.
    """

    def __init__(
        self,
        sessions: SessionFactory | None,
        producer: str,
        signal: OutboxSignal | None = None,
        *,
        joined: AsyncSession | None = None,
    ):
        if (sessions is None) == (joined is None):
            raise ValueError("a unit of work opens its own sessions or joins one, not both")
        self._sessions = sessions
        self.producer = producer
        self._signal = signal
        self._joined = joined
        self._session: AsyncSession | None = None
        self._savepoint: AsyncSessionTransaction | None = None
        self._pending: list[OutgoingEvent] = []
        self._rows: list[Row] = []

    @classmethod
    def joining(cls, session: AsyncSession, producer: str) -> UnitOfWork:
        """A unit inside a transaction someone else owns (the consumer's, around a handler).

        commit() writes the events to the outbox and keeps the work, but the owner commits. Leaving
        without commit undoes only this unit's work (a savepoint); an exception, left to reach the
        owner, rolls back the owner's whole transaction, inbox claim included.
        """
        return cls(None, producer, joined=session)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._pending, self._rows = [], []
        if self._joined is not None:
            self._session = self._joined
            self._savepoint = await self._joined.begin_nested()
        else:
            assert self._sessions is not None
            self._session = self._sessions()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            if self._joined is None:
                await self._session.rollback()
                await self._session.close()
            elif self._savepoint is not None and self._savepoint.is_active:
                await self._savepoint.rollback()
        finally:
            self._session = self._savepoint = None
            self._pending, self._rows = [], []

    async def publish(self, payload: BaseModel, *, council_id: str, subject_id: str) -> OutgoingEvent:
        """Queue an event; it is written to the outbox by commit(), in the same transaction."""
        event = event_for(payload, producer=self.producer, council_id=council_id, subject_id=subject_id)
        self._pending.append(event)
        return event

    def insert(self, table: Table, values: dict[str, Any]) -> None:
        """Queue one row's INSERT; commit() writes it before the events, on PostgreSQL in the same
        statement as a single event (one round trip for a request's change and its announcement).
        For a row nothing in this unit reads back, and whose refusal (a unique key) is an error."""
        self._rows.append((table, values))

    def flush(self) -> Coroutine[Any, Any, None]:
        """The events (and rows) queued so far, to write now in this transaction without committing:
        they are taken at the call and written when the result is awaited (a bulk job's chunk, written
        behind the work on the next; pbshared.platform.overlap). commit() writes the rest."""
        pending, self._pending = self._pending, []
        rows, self._rows = self._rows, []
        return write_to_outbox(self.session, *pending, rows=rows)  # one statement for all of them

    async def commit(self) -> None:
        await self.flush()
        if self._joined is not None:
            # The owner commits (and wakes the relay: write_to_outbox marked the session).
            if self._savepoint is not None and self._savepoint.is_active:
                await self._savepoint.commit()
            return
        wrote_events = bool(self.session.info.pop("wrote_events", False))  # here or at a flush
        await self.session.commit()
        if wrote_events and self._signal is not None:
            self._signal.notify()
