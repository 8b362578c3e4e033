"""Fixtures that run the services together against one broker and their own databases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest

from pbshared.platform.migrations import upgrade
from pbshared.testing.broker import TansuBroker
from pbshared.testing.harness import RunningService, service_settings
from tests.councils import load_sample_council
from tools.services import definition

StartService = Callable[..., Any]


@pytest.fixture
async def start_service(databases: dict[str, str], broker: TansuBroker) -> AsyncIterator[StartService]:
    """start_service("charging", consumer_max_attempts=2) runs it until the test ends."""
    async with AsyncExitStack() as stack:

        async def start(name: str, *, council: bool = True, **overrides: Any) -> RunningService:
            settings = service_settings(definition(name), databases[name], broker.bootstrap_servers, **overrides)
            service = await stack.enter_async_context(RunningService(definition(name), settings))
            if council:
                await load_sample_council(service)
            return service

        yield start


@pytest.fixture
async def background() -> AsyncIterator[Callable[[Awaitable[Any]], asyncio.Task[Any]]]:
    """background(job) runs it as a task until the test ends, then cancels it."""
    tasks: list[asyncio.Task[Any]] = []

    def start(job: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(job)
        tasks.append(task)
        return task

    yield start
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


@pytest.fixture(params=["postgresql", "sqlite"])
def charging_url(request: pytest.FixtureRequest, databases: dict[str, str], tmp_path: Any) -> str:
    """Charging's database on PostgreSQL, then on SQLite (the embedded run's), both migrated."""
    if request.param == "postgresql":
        return databases["charging"]
    url = f"sqlite+aiosqlite:///{tmp_path / 'charging'}.db"
    upgrade(definition("charging").migrations_dir, url)
    return url
