"""Wires brokerage: its routers, role table, event subscriptions and migrations, in one definition."""

from fastapi import FastAPI

from brokerage.adapters.tables import metadata
from brokerage.config import BrokerageSettings
from brokerage.reference_kinds import BROKERAGE_REFERENCE_KINDS
from pbshared.platform.app import build_app
from pbshared.platform.auth import Role
from pbshared.platform.service import PersonCopyAccess, ServiceDefinition

SERVICE = ServiceDefinition(
    name="brokerage",
    title="Brokerage: packages, bids and placements",
    description="Keeps its copy of people and, in later releases, advertises care packages "
    "to providers admitted to the Dynamic Purchasing System, takes bids, awards and places.",
    settings_cls=BrokerageSettings,
    metadata=metadata,
    reference_kinds=BROKERAGE_REFERENCE_KINDS,
    person_copies=PersonCopyAccess(
        readers=frozenset({Role.broker, Role.social_worker, Role.team_manager, Role.auditor, Role.admin})
    ),
)


def create_app(settings: BrokerageSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
