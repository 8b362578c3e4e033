"""Wires RAS: its routers, role table, reference data kinds and migrations, in one definition."""

from fastapi import FastAPI

from pbshared.platform.app import build_app
from pbshared.platform.service import ServiceDefinition
from ras.adapters.tables import metadata
from ras.config import RasSettings
from ras.entrypoints import people_api

SERVICE = ServiceDefinition(
    name="ras",
    title="RAS: people and personal budgets",
    description="Registers people (the front door of the platform) and, in later releases, turns a "
    "needs assessment into points, points into an indicative personal budget, and a support plan "
    "into an agreed budget.",
    settings_cls=RasSettings,
    metadata=metadata,
    routers=[people_api.router],
    access=people_api.ACCESS,
)


def create_app(settings: RasSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
