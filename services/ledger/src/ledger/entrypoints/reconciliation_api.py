"""Reconciliation and flagged spending: a finance officer reconciles the card accounts for a period
and reads each difference with the transaction that explains it; auditors read the same."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from ledger.adapters.card_tables import card_transactions
from ledger.adapters.reconciliation_repository import ReconciliationRepository
from ledger.domain.reconciliation import Explanation, Reconciliation
from ledger.service_layer.reconciling import reconcile_accounts, uk_midnight
from pbshared.errors import NotFound
from pbshared.platform.auth import Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.refdata.router import KnownCouncilPrincipal
from pbshared.platform.reports import csv_response, pounds

router = APIRouter(tags=["reconciliation"])

_FINANCE = frozenset({Role.finance_officer})
_READERS = _FINANCE | {Role.auditor}
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/reconciliations"): _FINANCE,
    ("GET", "/reconciliations/{reconciliation_id}"): _READERS,
    ("GET", "/card-transactions/flagged"): _READERS,
}

Format = Annotated[Literal["json", "csv"], Query(description="json (money in pence) or csv (money in pounds)")]
CardRef = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]


class ReconcileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period_from: date
    period_to: date
    card_accounts: list[CardRef] | None = Field(
        default=None, max_length=1000, description="Only these card accounts; all of the council's by default."
    )


class DifferenceOut(BaseModel):
    explanation: Explanation
    transaction_id: str | None
    pence: int = Field(description="Its effect on provider minus ledger.")


class AccountOut(BaseModel):
    card_account: str
    ledger_opening_pence: int
    ledger_closing_pence: int
    provider_opening_pence: int
    provider_closing_pence: int
    difference_pence: int
    lines: list[DifferenceOut]


class ReconciliationOut(BaseModel):
    reconciliation_id: uuid.UUID
    period_from: date
    period_to: date
    accounts_checked: int
    accounts_with_differences: int
    total_difference_pence: int = Field(description="The sum of the absolute differences.")
    accounts: list[AccountOut] = Field(description="Accounts that disagree (all of them when asked by id).")


def _account(r: Reconciliation) -> AccountOut:
    return AccountOut(
        card_account=r.card_account,
        ledger_opening_pence=r.ledger_opening_pence,
        ledger_closing_pence=r.ledger_closing_pence,
        provider_opening_pence=r.provider_opening_pence,
        provider_closing_pence=r.provider_closing_pence,
        difference_pence=r.difference_pence,
        lines=[
            DifferenceOut(explanation=x.explanation, transaction_id=x.transaction_id, pence=x.pence) for x in r.lines
        ],
    )


@router.post("/reconciliations", status_code=status.HTTP_201_CREATED, response_model=ReconciliationOut)
async def reconcile(body: ReconcileIn, principal: KnownCouncilPrincipal, uow: Uow) -> ReconciliationOut:
    """Reconcile the card accounts for a period (UK days, both included): each account's balance as the
    provider reported it against the ledger's, each difference with the transaction that explains it."""
    async with uow:
        done = await reconcile_accounts(
            uow, principal.council_id, body.period_from, body.period_to, principal.subject, body.card_accounts
        )
        await uow.commit()
    return ReconciliationOut(
        reconciliation_id=done.reconciliation_id,
        period_from=done.period_from,
        period_to=done.period_to,
        accounts_checked=len(done.results),
        accounts_with_differences=len(done.with_differences),
        total_difference_pence=sum(abs(r.difference_pence) for r in done.results),
        accounts=[_account(r) for r in done.with_differences],
    )


@router.get(
    "/reconciliations/{reconciliation_id}",
    response_model=ReconciliationOut,
    responses={200: {"content": {"text/csv": {}}}},
)
async def reconciliation(
    reconciliation_id: uuid.UUID, principal: KnownCouncilPrincipal, session: Session, format: Format = "json"
) -> ReconciliationOut | Response:
    """A reconciliation kept: every account, with its differences explained (CSV: one row a difference)."""
    rows = await ReconciliationRepository(session).stored(principal.council_id, reconciliation_id)
    if not rows:
        raise NotFound.about("reconciliation_id", "no such reconciliation", where="path")
    accounts = [
        AccountOut(**{k: row[k] for k in AccountOut.model_fields if k != "lines"}, lines=row["lines"]) for row in rows
    ]
    if format == "csv":
        header = [
            "card_account",
            "provider_closing",
            "ledger_closing",
            "difference",
            "explanation",
            "transaction_id",
            "amount",
        ]
        return csv_response(
            f"reconciliation-{reconciliation_id}",
            header,
            (
                [a.card_account, pounds(a.provider_closing_pence), pounds(a.ledger_closing_pence),
                 pounds(a.difference_pence), line.explanation.value, line.transaction_id, pounds(line.pence)]
                for a in accounts
                for line in a.lines
            ),
        )  # fmt: skip
    return ReconciliationOut(
        reconciliation_id=reconciliation_id,
        period_from=rows[0]["period_from"],
        period_to=rows[0]["period_to"],
        accounts_checked=len(accounts),
        accounts_with_differences=sum(1 for a in accounts if a.difference_pence),
        total_difference_pence=sum(abs(a.difference_pence) for a in accounts),
        accounts=accounts,
    )


class FlaggedOut(BaseModel):
    transaction_id: str
    card_account: str
    occurred_at: datetime
    type: str
    amount_pence: int
    merchant_name: str | None
    merchant_category_code: int | None
    category: str | None
    flag: str
    overspend_pence: int


async def flagged_transactions(session: Any, council_id: str, first: date, last: date) -> list[FlaggedOut]:
    c = card_transactions.c
    query = (
        select(*(c[name] for name in FlaggedOut.model_fields))
        .where(
            c.council_id == council_id,
            c.flag.isnot(None),
            c.occurred_at >= uk_midnight(first),
            c.occurred_at < uk_midnight(last + timedelta(days=1)),
        )
        .order_by(c.occurred_at, c.transaction_id)
    )
    return [FlaggedOut(**row._mapping) for row in await session.execute(query)]


@router.get(
    "/card-transactions/flagged", response_model=list[FlaggedOut], responses={200: {"content": {"text/csv": {}}}}
)
async def flagged(
    principal: KnownCouncilPrincipal,
    session: Session,
    period_from: date,
    period_to: date,
    format: Format = "json",
) -> list[FlaggedOut] | Response:
    """Spending flagged for follow-up in a period: a category the council does not allow, cash over
    its allowance, an overspend the provider let through."""
    found = await flagged_transactions(session, principal.council_id, period_from, period_to)
    if format == "csv":
        return csv_response(
            "flagged-card-transactions",
            list(FlaggedOut.model_fields),
            ([*(getattr(f, n) for n in FlaggedOut.model_fields)] for f in found),
        )
    return found
