"""Fixtures that run the services together against one broker and their own databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from pbshared.platform.auth import Role
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.testing.broker import TansuBroker
from pbshared.testing.harness import RunningService, auth, service_settings
from tools.services import definition

SAMPLE_COUNCIL = Path(__file__).resolve().parents[2] / "councils" / "wyvernshire"

StartService = Callable[..., Any]


async def load_sample_council(service: RunningService) -> None:
    for document in read_council_directory(SAMPLE_COUNCIL):
        if document["kind"] in service.app.state.reference_kinds:
            response = await service.client.post(
                "/reference-datasets", json=document, headers=auth(Role.admin, document["council_id"])
            )
            assert response.status_code in (200, 201), response.text


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
