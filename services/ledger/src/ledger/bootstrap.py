"""Wires ledger: its routers, role table, event subscriptions and migrations, in one definition."""

from fastapi import FastAPI

from ledger.adapters import card_tables  # noqa: F401  (the card side's tables join the ledger's metadata)
from ledger.adapters.tables import metadata
from ledger.config import LedgerSettings
from ledger.entrypoints.cards import CARD_ACCESS, CARD_ROUTERS, CARD_UPLOAD_PATHS
from ledger.reference_kinds import CARD_REFERENCE_KINDS
from pbshared.platform.app import build_app
from pbshared.platform.auth import Role
from pbshared.platform.service import PersonCopyAccess, ServiceDefinition

SERVICE = ServiceDefinition(
    name="ledger",
    title="Ledger: direct payments on prepaid cards",
    description="Keeps its copy of people and, in later releases, holds the "
    "double-entry ledger of direct payments: payment runs, card transactions, reconciliation and recovery.",
    settings_cls=LedgerSettings,
    metadata=metadata,
    routers=[*CARD_ROUTERS],
    access={**CARD_ACCESS},
    upload_paths=CARD_UPLOAD_PATHS,
    reference_kinds=[*CARD_REFERENCE_KINDS],
    person_copies=PersonCopyAccess(
        readers=frozenset({Role.finance_officer, Role.social_worker, Role.team_manager, Role.auditor, Role.admin})
    ),
)


def create_app(settings: LedgerSettings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
