"""Run a whole service (API, relay, consumer) inside a test's event loop, against real parts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
from fastapi import FastAPI

from pbshared.platform.app import build_app
from pbshared.platform.auth import Role
from pbshared.platform.service import ServiceDefinition
from pbshared.platform.tokens import mint

TEST_SECRET = "test-secret-for-the-test-suite-only-0123456789"


def service_settings(definition: ServiceDefinition, database_url: str, bootstrap_servers: str, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap_servers": bootstrap_servers,
        "jwt_secret": TEST_SECRET,
        "consumer_backoff_ms": 20,
        "consumer_max_attempts": 3,
        "relay_idle_poll_ms": 50,
        "kafka_request_timeout_ms": 2000,
        "kafka_enable_idempotence": False,  # Tansu lacks InitProducerId
        "log_json": False,
        "log_level": "WARNING",
        # Many services and test databases share one PostgreSQL server in a test run: keep fewer idle
        # connections each, with the same most-at-once as in production.
        "database_pool_size": 10,
        "database_pool_overflow": 10,
    }
    values.update(overrides)
    return definition.settings_cls(**values)


def token(role: Role | str, council_id: str = "wyvernshire", **claims: Any) -> str:
    return mint(role=role, council_id=council_id, secret=TEST_SECRET, **claims)


def auth(role: Role | str, council_id: str = "wyvernshire", **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, council_id, **claims)}"}


class RunningService:
    """`async with RunningService(...) as svc:` gives svc.client (httpx) and svc.app."""

    def __init__(self, definition: ServiceDefinition, settings: Any, *, api: bool = True):
        self.definition = definition
        self.settings = settings
        self.app: FastAPI = build_app(definition, settings, api=api)
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://test")
        self._lifespan: AbstractAsyncContextManager[Any] | None = None

    @property
    def sessions(self) -> Any:
        return self.app.state.sessions

    async def __aenter__(self) -> RunningService:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        assert self._lifespan is not None
        await self._lifespan.__aexit__(None, None, None)

    async def consumer_ready(self, timeout: float = 30.0) -> None:
        """Wait until the service's consumer has joined its group and holds partitions."""
        await wait_for(lambda: _consumer_assigned(self.app), timeout, "consumer partition assignment")


async def _consumer_assigned(app: FastAPI) -> bool:
    messaging = app.state.messaging
    return bool(messaging and messaging.consumer and messaging.consumer.assigned.is_set())


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
