"""Wires health: its routers, role table, event subscriptions and migrations, in one definition."""

from fastapi import FastAPI

from health.adapters.tables import metadata
from health.config import HealthSettings
from pbshared.platform.app import build_app
from pbshared.platform.auth import Role
from pbshared.platform.service import PersonCopyAccess, ServiceDefinition

SERVICE = ServiceDefinition(
    name="health",
    title="Health: the boundary with the NHS",
    description="Translates NHS messages (FHIR R4) to and from the platform's events: patients matched by "
    "NHS number, hospital discharges to reablement, and funding decisions (continuing healthcare, joint "
    "funding, section 117 aftercare, personal health budgets). Keeps a copy of people to match them.",
    settings_cls=HealthSettings,
    metadata=metadata,
    person_copies=PersonCopyAccess(readers=frozenset({Role.social_worker, Role.team_manager, Role.admin})),
)


def create_app(settings: HealthSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
