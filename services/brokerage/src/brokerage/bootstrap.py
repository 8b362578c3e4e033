"""Wires brokerage: its routers, role table, event subscriptions and migrations, in one definition."""

from fastapi import FastAPI

from brokerage.adapters.tables import metadata
from brokerage.config import BrokerageSettings
from brokerage.entrypoints import adverts_api, handlers, market_api, packages_api, placements_api, providers_api
from brokerage.entrypoints.timer_loop import run_timers
from brokerage.reference_kinds import BROKERAGE_REFERENCE_KINDS
from pbshared.platform.app import build_app
from pbshared.platform.auth import Role
from pbshared.platform.errors import KnownConstraint
from pbshared.platform.service import PersonCopyAccess, ServiceDefinition

SERVICE = ServiceDefinition(
    name="brokerage",
    title="Brokerage: packages, bids and placements",
    description="Advertises care packages to providers admitted to the council's Dynamic Purchasing "
    "System, takes sealed bids, ranks them at the deadline, awards, and places the package.",
    settings_cls=BrokerageSettings,
    metadata=metadata,
    routers=[providers_api.router, packages_api.router, adverts_api.router, placements_api.router, market_api.router],
    access={
        **providers_api.ACCESS,
        **packages_api.ACCESS,
        **adverts_api.ACCESS,
        **placements_api.ACCESS,
        **market_api.ACCESS,
    },
    subscriptions=handlers.SUBSCRIPTIONS,
    reference_kinds=BROKERAGE_REFERENCE_KINDS,
    background=[run_timers],
    person_copies=PersonCopyAccess(
        readers=frozenset({Role.broker, Role.social_worker, Role.team_manager, Role.auditor, Role.admin})
    ),
    # Two bids by one provider for one round at the same moment both pass the check; the second
    # meets this.
    known_constraints={
        "uq_bids_one_per_provider_per_round": KnownConstraint(
            "package_id", "you already bid in this round at the same moment: revise that bid"
        ),
        "providers_pkey": KnownConstraint("provider_id", "already applied at the same moment"),
    },
)


def create_app(settings: BrokerageSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
