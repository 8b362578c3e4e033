"""API tests run each service in-process against its PostgreSQL database, without the broker:
what they check (auth, validation, tenancy) happens before any event is published."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest

from pbshared.testing.harness import RunningService, service_settings
from tests.councils import load_sample_council
from tools.services import definition


@pytest.fixture
async def api(databases: dict[str, str]) -> AsyncIterator[Callable[..., Any]]:
    async with AsyncExitStack() as stack:

        async def start(name: str, *, council: bool = True, **overrides: Any) -> RunningService:
            settings = service_settings(
                definition(name),
                databases[name],
                "127.0.0.1:1",  # never contacted: messaging is off
                relay_enabled=False,
                consumers_enabled=False,
                **overrides,
            )
            service = await stack.enter_async_context(RunningService(definition(name), settings))
            if council:
                await load_sample_council(service)
            return service

        yield start
