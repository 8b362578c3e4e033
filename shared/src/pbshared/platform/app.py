"""Builds a service's FastAPI app: its routers behind the role table, ops endpoints, and a lifespan
that runs the outbox relay and the event consumer beside the API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pbshared.platform.auth import BEARER_SCHEME, TokenVerifier, current_principal
from pbshared.platform.consumer import EventConsumer
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.errors import install_error_handlers
from pbshared.platform.guards import install_guards
from pbshared.platform.kafka import ensure_topics, new_producer
from pbshared.platform.logging import configure_logging
from pbshared.platform.outbox import OutboxSignal
from pbshared.platform.pruning import Retention, prune_periodically
from pbshared.platform.readiness import DATABASE_OK, ExpectedRevisions, database_state
from pbshared.platform.relay import OutboxRelay
from pbshared.platform.request_context import RequestContext
from pbshared.platform.routes import add_routes
from pbshared.platform.service import ServiceDefinition
from pbshared.platform.settings import ServiceSettings

log = logging.getLogger(__name__)

OPS_PATHS = ("/health", "/ready", "/metrics")
# The API's documentation, served with its assets from this process (no CDN), to anyone.
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")
DOCS_ASSETS = "/docs-assets"


class Messaging:
    """The relay and consumer of one process, started after the broker answers, stopped on exit."""

    def __init__(self, app: FastAPI, definition: ServiceDefinition, settings: ServiceSettings):
        self._app = app
        self._definition = definition
        self._settings = settings
        self._task: asyncio.Task[None] | None = None
        self._background: list[asyncio.Task[None]] = []
        self.relay: OutboxRelay | None = None
        self.consumer: EventConsumer | None = None
        self.broker_connected = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self._definition.name}-messaging")
        # Background loops need the database only, so they start without waiting for the broker.
        self._background = [asyncio.create_task(job(self._app)) for job in self._definition.background]

    async def stop(self) -> None:
        for task in [t for t in (self._task, *self._background) if t is not None]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        s = self._settings
        servers, topics = s.bootstrap_servers, self._definition.topics()
        await _retry_forever(
            lambda: ensure_topics(servers, topics, s.kafka_topic_partitions, s.kafka_replication_factor),
            "creating topics",
        )
        producer = new_producer(servers, s.kafka_request_timeout_ms, enable_idempotence=s.kafka_enable_idempotence)
        await _retry_forever(producer.start, "connecting the relay's producer")
        self.broker_connected = True
        state = self._app.state
        jobs: list[Awaitable[Any]] = []
        if s.relay_enabled:
            self.relay = OutboxRelay(
                service=s.service_name,
                sessions=state.sessions,
                producer=producer,
                signal=state.outbox_signal,
                batch_size=s.relay_batch_size,
                idle_poll_seconds=s.relay_idle_poll_ms / 1000,
                publish_timeout_seconds=s.relay_publish_timeout_seconds,
                lease_seconds=s.relay_lease_seconds,
            )
            jobs.append(self.relay.run())
        subscriptions = self._definition.all_subscriptions()
        if s.consumers_enabled and subscriptions:
            self.consumer = EventConsumer(
                service=s.service_name,
                sessions=state.sessions,
                bootstrap_servers=servers,
                subscriptions=subscriptions,
                signal=state.outbox_signal,
                max_attempts=s.consumer_max_attempts,
                backoff_seconds=s.consumer_backoff_ms / 1000,
                request_timeout_ms=s.kafka_request_timeout_ms,
                fetch_max_wait_ms=s.consumer_fetch_max_wait_ms,
                enable_idempotence=s.kafka_enable_idempotence,
            )
            jobs.append(self.consumer.run())
        if jobs:
            retention = Retention(
                outbox=timedelta(days=s.outbox_retention_days), inbox=timedelta(days=s.inbox_retention_days)
            )
            jobs.append(prune_periodically(state.sessions, retention, s.prune_interval_seconds))
        try:
            await asyncio.gather(*jobs)
        finally:
            await producer.stop()


async def _retry_forever(step: Callable[[], Awaitable[Any]], what: str) -> None:
    delay = 0.2
    while True:
        try:
            await step()
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning(f"{what} failed; retrying", extra={"error": repr(error), "retry_in_seconds": delay})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


def build_app(definition: ServiceDefinition, settings: ServiceSettings | None = None, *, api: bool = True) -> FastAPI:
    """The service's app. `api=False` is the worker: the ops endpoints only, beside the relay and consumer."""
    settings = settings or definition.settings_cls()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        messaging = Messaging(app, definition, settings)
        app.state.messaging = messaging
        if settings.relay_enabled or settings.consumers_enabled:
            messaging.start()
        try:
            yield
        finally:
            await messaging.stop()
            await app.state.engine.dispose()

    app = FastAPIOffline(
        title=definition.title,
        description=definition.description,
        version="0.1.0",
        lifespan=lifespan,
        static_url=DOCS_ASSETS,
        swagger_ui_parameters={"validatorUrl": None},  # Swagger UI would ask a public validator
        redirect_slashes=False,  # the redirect's Location would be built from the Host header
    )
    engine = create_engine(
        settings.resolved_database_url(),
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_overflow,
    )
    app.state.settings = settings
    app.state.definition = definition
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.outbox_signal = OutboxSignal()
    app.state.token_verifier = TokenVerifier(settings) if api else None  # a worker takes no tokens
    app.state.access_policy = definition.access_policy()
    app.state.reference_kinds = definition.kinds()
    app.state.expected_revisions = ExpectedRevisions.of(definition.migrations_dir)
    app.state.messaging = None

    install_error_handlers(app, definition.known_constraints, definition.metadata)
    routers = definition.all_routers() if api else []
    for router in routers:
        add_routes(app, router, dependencies=[Depends(current_principal)])
    _document_bearer(app, routers)
    _add_ops_routes(app)
    install_guards(
        app,
        verifier=app.state.token_verifier,
        max_body_bytes=settings.max_request_body_bytes,
        upload_paths=definition.upload_paths,
        max_upload_bytes=settings.max_upload_body_bytes,
        open_paths=(*OPS_PATHS, *DOCS_PATHS),
        open_prefixes=(DOCS_ASSETS + "/",),
    )
    app.add_middleware(RequestContext, service=settings.service_name, quiet_paths=OPS_PATHS)
    return app


def _document_bearer(app: FastAPI, routers: list[APIRouter]) -> None:
    """Every route behind the role table asks for a bearer token in the OpenAPI document, as an
    `HTTPBearer` dependency would declare it, without FastAPI solving one on every request."""
    secured = {
        (route.path_format, method.lower())
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for path, operations in schema.get("paths", {}).items():
                for method, operation in operations.items():
                    if (path, method) in secured:
                        operation["security"] = [dict.fromkeys(BEARER_SCHEME, [])]
            if secured:
                schema.setdefault("components", {}).setdefault("securitySchemes", {}).update(BEARER_SCHEME)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def _add_ops_routes(app: FastAPI) -> None:
    @app.get("/health", tags=["ops"], include_in_schema=True)
    async def health() -> dict[str, str]:
        """Liveness: the process is up."""
        return {"status": "ok"}

    @app.get("/ready", tags=["ops"])
    async def ready(request: Request) -> JSONResponse:
        """Readiness: the database answers and is migrated to this release's revisions. The broker's
        state is reported but does not fail it: writes are kept in the outbox while the broker is away."""
        try:
            async with request.app.state.sessions() as session:
                database = await database_state(session, request.app.state.expected_revisions)
        except Exception as error:  # the reason goes to the log, not to an unauthenticated caller
            log.warning("readiness check failed", extra={"error": repr(error)})
            database = "unavailable"
        if database != DATABASE_OK:
            return JSONResponse({"status": "unavailable", "database": database}, status_code=503)
        messaging = request.app.state.messaging
        settings = request.app.state.settings
        if not (settings.relay_enabled or settings.consumers_enabled):
            broker = "not used by this process"  # `serve --no-messaging`: its worker talks to the broker
        else:
            broker = "connected" if messaging and messaging.broker_connected else "not connected"
        body = {"status": "ready", "database": "ok", "broker": broker}
        if messaging and messaging.consumer:
            body["consumer"] = "assigned" if messaging.consumer.assigned.is_set() else "joining group"
        return JSONResponse(body)

    @app.get("/metrics", tags=["ops"])
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
