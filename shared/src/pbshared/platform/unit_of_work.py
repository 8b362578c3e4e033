"""Unit of work: one database transaction holding a change and the events that announce it."""

from __future__ import annotations

from types import TracebackType

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.envelope import Envelope
from pbshared.platform.db import SessionFactory
from pbshared.platform.outbox import OutboxSignal, add_to_outbox, envelope_for


class UnitOfWork:
    """`async with uow:` opens a transaction; `await uow.commit()` commits change and events together.

    Leaving the block without commit rolls everything back, events included.
    """

    def __init__(self, sessions: SessionFactory, producer: str, signal: OutboxSignal | None = None):
        self._sessions = sessions
        self.producer = producer
        self._signal = signal
        self._session: AsyncSession | None = None
        self._pending: list[Envelope] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessions()
        self._pending = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            await self._session.rollback()
        finally:
            await self._session.close()
            self._session = None

    async def publish(self, payload: BaseModel, *, council_id: str, subject_id: str) -> Envelope:
        """Queue an event; it is written to the outbox by commit(), in the same transaction."""
        envelope = envelope_for(payload, producer=self.producer, council_id=council_id, subject_id=subject_id)
        self._pending.append(envelope)
        return envelope

    async def commit(self) -> None:
        pending, self._pending = self._pending, []
        await add_to_outbox(self.session, *pending)  # one statement for all of them
        await self.session.commit()
        if pending and self._signal is not None:
            self._signal.notify()
