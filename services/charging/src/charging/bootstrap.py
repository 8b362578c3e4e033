"""Wires charging: its routers, role table, event subscriptions and migrations, in one definition."""

from fastapi import FastAPI

from charging.adapters.tables import metadata
from charging.config import ChargingSettings
from charging.domain.figures import NationalChargingFigures
from charging.domain.interest import DeferredPaymentInterestRates
from charging.domain.letter import ChargingLetter
from charging.domain.policy import ChargingPolicy
from charging.entrypoints import (
    assessments_api,
    budget_handlers,
    health_handlers,
    letters_api,
    overdue_api,
    placement_handlers,
    uprating_api,
)
from pbshared.platform.app import build_app
from pbshared.platform.auth import Role
from pbshared.platform.refdata import ReferenceKind
from pbshared.platform.service import PersonCopyAccess, ServiceCommand, ServiceDefinition

REFERENCE_KINDS = [
    ReferenceKind(
        name="national_charging_figures",
        model=NationalChargingFigures,
        description="A financial year's national figures: capital limits, MIG, PEA, benefit rates, FNC "
        "(the same for every council; shipped in councils/national/).",
    ),
    ReferenceKind(
        name="deferred_payment_interest_rates",
        model=DeferredPaymentInterestRates,
        description="The maximum interest rate on deferred payments and accrued debt, period by period.",
    ),
    ReferenceKind(
        name="charging_policy",
        model=ChargingPolicy,
        description="The council's charging options: DRE allowance, caps, discounts, short stays, fees.",
    ),
    ReferenceKind(
        name="charging_letter",
        model=ChargingLetter,
        description="The council's outcome letter: a Jinja2 HTML template, its name and signatory.",
    ),
]

SERVICE = ServiceDefinition(
    name="charging",
    title="Charging: Care Act financial assessment",
    description="Works out what each person pays towards their care (Care Act 2014 financial "
    "assessment), keeps every assessment, and follows the cost of care from RAS's budget events and "
    "what the NHS pays for from the health service's events.",
    settings_cls=ChargingSettings,
    metadata=metadata,
    routers=[assessments_api.router, letters_api.router, overdue_api.router, uprating_api.router],
    access=assessments_api.ACCESS | letters_api.ACCESS | overdue_api.ACCESS | uprating_api.ACCESS,
    subscriptions=budget_handlers.SUBSCRIPTIONS + health_handlers.SUBSCRIPTIONS + placement_handlers.SUBSCRIPTIONS,
    reference_kinds=REFERENCE_KINDS,
    person_copies=PersonCopyAccess(
        readers=frozenset({Role.social_worker, Role.team_manager, Role.finance_officer, Role.auditor, Role.admin})
    ),
    commands={
        "uprate": ServiceCommand(
            "the annual uprating for every council, with a progress bar; run again to resume",
            "charging.entrypoints.uprate_cli",
        )
    },
)


def create_app(settings: ChargingSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
