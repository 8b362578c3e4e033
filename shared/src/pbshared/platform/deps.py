"""What a router may ask for, as typed FastAPI dependencies: `session: Session`, `uow: Uow`.

The app's wiring (build_app) is read here and nowhere else in the routers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.db import READ_ONLY, SessionFactory
from pbshared.platform.settings import ServiceSettings
from pbshared.platform.unit_of_work import UnitOfWork

# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in its thread
# pool, a hop to another thread and back on every request for what is an attribute read.


async def _sessions(request: Request) -> SessionFactory:
    return request.app.state.sessions  # type: ignore[no-any-return]


async def _settings(request: Request) -> ServiceSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


Sessions = Annotated[SessionFactory, Depends(_sessions)]
Settings = Annotated[ServiceSettings, Depends(_settings)]


async def _session(sessions: Sessions) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        await session.connection(execution_options=READ_ONLY)
        yield session


async def _unit_of_work(request: Request) -> UnitOfWork:
    # Read from the app's state here rather than through `Sessions` and `Settings`: FastAPI works out
    # each sub-dependency's cache key on every request, and on a write that was a tenth of the route's CPU.
    state = request.app.state
    return UnitOfWork(state.sessions, state.settings.service_name, state.outbox_signal)


# A session for reads (it never waits for a writer), closed after the response; writes go through
# a unit of work.
Session = Annotated[AsyncSession, Depends(_session)]
Uow = Annotated[UnitOfWork, Depends(_unit_of_work)]
