"""Wires RAS: its routers, role table, reference data kinds and migrations, in one definition."""

from fastapi import FastAPI

from pbshared.platform.app import build_app
from pbshared.platform.errors import KnownConstraint
from pbshared.platform.service import ServiceDefinition
from ras.adapters.tables import metadata
from ras.config import RasSettings
from ras.entrypoints import (
    assessments_api,
    commissioning_api,
    envelope_api,
    health_handlers,
    people_api,
    ras_model_api,
    requests_api,
    reviews_api,
    support_plans_api,
)
from ras.reference_kinds import RAS_REFERENCE_KINDS

# Each module gives its router and its rows of the role table.
_APIS = [
    people_api,
    requests_api,
    ras_model_api,
    assessments_api,
    support_plans_api,
    reviews_api,
    envelope_api,
    commissioning_api,
]

SERVICE = ServiceDefinition(
    name="ras",
    title="RAS: people and personal budgets",
    description="Registers people and their requests for support (the front door of the platform), "
    "turns a needs assessment into points and points into an indicative personal budget, and a support "
    "plan into an agreed personal budget.",
    settings_cls=RasSettings,
    metadata=metadata,
    routers=[api.router for api in _APIS],
    access={route: roles for api in _APIS for route, roles in api.ACCESS.items()},
    # A commissioner's cohort of past assessments is a file, often larger than any JSON body.
    upload_paths=("/cohorts",),
    # Two registrations (or corrections) of one person at the same moment both pass the check
    # against existing records; the database stops the second with one of these.
    known_constraints={
        "uq_people_council_person_id_any_case": KnownConstraint(
            "council_person_id", "already used by a person registered at the same moment; nothing was stored"
        ),
        "uq_people_live_nhs_number": KnownConstraint(
            "nhs_number", "already registered as a person saved at the same moment; nothing was stored"
        ),
    },
    reference_kinds=RAS_REFERENCE_KINDS,
    subscriptions=health_handlers.SUBSCRIPTIONS,
)


def create_app(settings: RasSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
