"""Wires charging: its routers, role table, event subscriptions and migrations, in one definition."""

from fastapi import FastAPI

from charging.adapters.tables import metadata
from charging.config import ChargingSettings
from pbshared.platform.app import build_app
from pbshared.platform.auth import Role
from pbshared.platform.service import PersonCopyAccess, ServiceDefinition

SERVICE = ServiceDefinition(
    name="charging",
    title="Charging: Care Act financial assessment",
    description="Keeps its copy of people and, in later releases, works out "
    "what each person pays towards their care (Care Act 2014 financial assessment).",
    settings_cls=ChargingSettings,
    metadata=metadata,
    person_copies=PersonCopyAccess(
        readers=frozenset({Role.social_worker, Role.team_manager, Role.finance_officer, Role.auditor, Role.admin})
    ),
)


def create_app(settings: ChargingSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
