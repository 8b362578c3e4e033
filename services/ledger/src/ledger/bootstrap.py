"""Wires ledger: its routers, role table, event subscriptions and migrations, in one definition."""

from fastapi import FastAPI

from ledger.adapters import card_tables  # noqa: F401  (the card side's tables join the ledger's metadata)
from ledger.adapters.tables import metadata
from ledger.config import LedgerSettings
from ledger.entrypoints import agreements_api, handlers, runs_api
from ledger.entrypoints.cards import CARD_ACCESS, CARD_ROUTERS, CARD_UPLOAD_PATHS
from ledger.reference_kinds import LEDGER_REFERENCE_KINDS
from pbshared.platform.app import build_app
from pbshared.platform.auth import Role
from pbshared.platform.service import PersonCopyAccess, ServiceCommand, ServiceDefinition

SERVICE = ServiceDefinition(
    name="ledger",
    title="Ledger: direct payments on prepaid cards",
    description="Holds the double-entry ledger of direct payments: agreements set up from personal budgets, "
    "payment runs onto prepaid card accounts, card fees, card transactions, reconciliation and recovery.",
    settings_cls=LedgerSettings,
    metadata=metadata,
    routers=[agreements_api.router, runs_api.router, *CARD_ROUTERS],
    access=agreements_api.ACCESS | runs_api.ACCESS | CARD_ACCESS,
    upload_paths=CARD_UPLOAD_PATHS,
    subscriptions=handlers.SUBSCRIPTIONS,
    reference_kinds=LEDGER_REFERENCE_KINDS,
    person_copies=PersonCopyAccess(
        readers=frozenset({Role.finance_officer, Role.social_worker, Role.team_manager, Role.auditor, Role.admin})
    ),
    commands={
        "pay": ServiceCommand(
            "the payment run for a date, with a progress bar; run again to resume", "ledger.entrypoints.pay_cli"
        ),
        "import-card-statement": ServiceCommand(
            "a card provider's statement file, checked and posted, with a progress bar; run again to resume",
            "ledger.entrypoints.card_import_cli",
        ),
    },
)


def create_app(settings: LedgerSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
