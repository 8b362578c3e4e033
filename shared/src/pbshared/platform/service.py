"""What a service is made of, declared once; the app, CLI and docs are built from it."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, FastAPI
from sqlalchemy import MetaData

from pbshared.contract.topics import all_topics, events_topic
from pbshared.platform.auth import AccessPolicy, Role, RouteKey
from pbshared.platform.consumer import Subscription, subscriptions_by_event_type
from pbshared.platform.errors import KnownConstraint
from pbshared.platform.migrations import versions_dir
from pbshared.platform.people import replica
from pbshared.platform.people.router import router as people_copy_router
from pbshared.platform.refdata import COUNCIL_KIND, ReferenceKind
from pbshared.platform.refdata.router import ACCESS as REFDATA_ACCESS
from pbshared.platform.refdata.router import router as refdata_router
from pbshared.platform.settings import ServiceSettings


@dataclass(frozen=True)
class PersonCopyAccess:
    """Who may read this service's copy of people (a service that keeps one says so)."""

    readers: frozenset[Role]

    def rows(self) -> dict[RouteKey, frozenset[Role]]:
        return {("GET", "/people"): self.readers, ("GET", "/people/{person_id}"): self.readers}


@dataclass(frozen=True)
class ServiceCommand:
    """A command of the service's own beside the platform's, `python -m <service> <name> ...` (e.g.
    charging's uprating): the module whose `main(argv) -> int` runs it, imported only when it is given."""

    help: str
    module: str

    def run(self, argv: list[str]) -> int:
        return int(importlib.import_module(self.module).main(argv))


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    description: str
    settings_cls: type[ServiceSettings]
    metadata: MetaData  # the service's own tables (platform tables are added by migrations)
    routers: list[APIRouter] = field(default_factory=list)
    access: dict[RouteKey, frozenset[Role]] = field(default_factory=dict)
    subscriptions: list[Subscription] = field(default_factory=list)
    reference_kinds: list[ReferenceKind] = field(default_factory=list)
    person_copies: PersonCopyAccess | None = None
    # Unique constraints a race may hit, by name: each becomes a 409 naming its field. Any other
    # integrity error is a bug and answers 500.
    known_constraints: dict[str, KnownConstraint] = field(default_factory=dict)
    # Routes that take a file rather than a JSON body: they get PB_MAX_UPLOAD_BODY_BYTES.
    upload_paths: tuple[str, ...] = ()
    # Loops run beside the relay and consumer (`serve` and `worker`, never an API-only process),
    # each given the app; e.g. brokerage's durable timers.
    background: list[Callable[[FastAPI], Awaitable[None]]] = field(default_factory=list)
    # Its own commands (long jobs a person runs from the command line), listed in `--help`.
    commands: dict[str, ServiceCommand] = field(default_factory=dict)

    @property
    def migrations_dir(self) -> Path:
        """The service's Alembic revisions, shipped inside its package (`<name>/migrations/versions`)."""
        return versions_dir(self.name)

    def __post_init__(self) -> None:
        subscriptions_by_event_type(self.all_subscriptions())  # refuses a handler subscribed twice

    def all_routers(self) -> list[APIRouter]:
        routers = [*self.routers, refdata_router]
        if self.person_copies:
            routers.append(people_copy_router)
        return routers

    def access_policy(self) -> AccessPolicy:
        rows = {**self.access, **REFDATA_ACCESS}
        if self.person_copies:
            rows.update(self.person_copies.rows())
        return AccessPolicy(self.name, rows)

    def all_subscriptions(self) -> list[Subscription]:
        subscriptions = list(self.subscriptions)
        if self.person_copies:
            subscriptions += replica.SUBSCRIPTIONS
        return subscriptions

    def topics(self) -> list[str]:
        """The topics this service writes or reads: its own events and dead letters, and what it subscribes to."""
        subscribed = sorted({s.topic for s in self.all_subscriptions()} - {events_topic(self.name)})
        return [*all_topics([self.name]), *subscribed]

    def kinds(self) -> dict[str, ReferenceKind]:
        return {k.name: k for k in [COUNCIL_KIND, *self.reference_kinds]}
