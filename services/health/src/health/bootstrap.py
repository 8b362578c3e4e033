"""Wires health: its routers, role table, event subscriptions and migrations, in one definition."""

from fastapi import FastAPI

from health.adapters.tables import metadata
from health.config import HealthSettings
from health.entrypoints import episodes_api, fhir_api, funding_api, handlers
from health.entrypoints.reablement_loop import run_reablement_ends
from health.reference_kinds import HEALTH_REFERENCE_KINDS
from pbshared.platform.app import build_app
from pbshared.platform.auth import Role
from pbshared.platform.errors import KnownConstraint
from pbshared.platform.service import PersonCopyAccess, ServiceDefinition

_APIS = [fhir_api, episodes_api, funding_api]

SERVICE = ServiceDefinition(
    name="health",
    title="Health: the boundary with the NHS",
    description="Translates NHS messages (FHIR R4) to and from the platform's events: patients matched by "
    "NHS number, hospital discharges to reablement, and funding decisions (continuing healthcare, joint "
    "funding, section 117 aftercare, personal health budgets). Keeps a copy of people to match them.",
    settings_cls=HealthSettings,
    metadata=metadata,
    routers=[api.router for api in _APIS],
    access={route: roles for api in _APIS for route, roles in api.ACCESS.items()},
    subscriptions=handlers.SUBSCRIPTIONS,
    reference_kinds=HEALTH_REFERENCE_KINDS,
    background=[run_reablement_ends],
    person_copies=PersonCopyAccess(readers=frozenset({Role.social_worker, Role.team_manager, Role.admin})),
    known_constraints={
        # The same discharge notification sent twice at the same moment: the second meets this.
        "uq_reablement_episodes_discharge": KnownConstraint(
            "discharge_id", "this discharge already started an episode at the same moment"
        ),
        "patients_pkey": KnownConstraint("nhs_number", "the same patient was referred at the same moment"),
    },
)


def create_app(settings: HealthSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
