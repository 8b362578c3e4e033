"""The auditors' reports, each one query over the ledger (money in integer pence)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.card_tables import recoveries
from ledger.adapters.ledger_repository import LedgerRepository
from ledger.adapters.monitoring_repository import card_payments
from ledger.adapters.tables import ledger_accounts, ledger_transfers
from ledger.domain.transfers import POSTING_PHASES

_POSTED = [p.value for p in POSTING_PHASES]


async def balances(session: AsyncSession, council_id: str, as_of: date) -> list[dict[str, Any]]:
    """Every account's balance at the end of `as_of`: kind, reference (the funder for funds and fees)."""
    found = await LedgerRepository(session).balances(council_id, as_of)
    rows = []
    for b in found:
        kind, _, reference = b.code.partition(":")
        rows.append({"kind": kind, "reference": reference or None, "balance_pence": b.balance_pence})
    return rows


async def payments_by_run(session: AsyncSession, council_id: str, first: date, last: date) -> list[dict[str, Any]]:
    """Payments onto cards from the funds, a line per run date and funder."""
    paid = card_payments(council_id, first, last)
    query = (
        select(paid.c.value_date, paid.c.funder, func.count(), func.sum(paid.c.amount_pence))
        .group_by(paid.c.value_date, paid.c.funder)
        .order_by(paid.c.value_date, paid.c.funder)
    )
    return [
        {"run_date": day, "funder": funder, "payments": n, "total_pence": int(total)}
        for day, funder, n, total in await session.execute(query)
    ]


async def spending_by_category(session: AsyncSession, council_id: str, first: date, last: date) -> list[dict[str, Any]]:
    """Card spending in each category: spent (credits to it), refunded (debits), net."""
    t, a = ledger_transfers.c, ledger_accounts.c
    rows: dict[str, dict[str, Any]] = {}
    for side, column in (("spent_pence", t.credit_account_id), ("refunded_pence", t.debit_account_id)):
        query = (
            select(a.reference, func.count(), func.sum(t.amount_pence))
            .join(ledger_accounts, a.account_id == column)
            .where(
                t.council_id == council_id,
                t.phase.in_(_POSTED),
                a.kind == "spending",
                t.value_date >= first,
                t.value_date <= last,
            )
            .group_by(a.reference)
        )
        for category, n, total in await session.execute(query):
            row = rows.setdefault(category, {"category": category, "spent_pence": 0, "refunded_pence": 0, "entries": 0})
            row[side] = int(total)
            row["entries"] += n
    for row in rows.values():
        row["net_pence"] = row["spent_pence"] - row["refunded_pence"]
    return sorted(rows.values(), key=lambda r: r["category"])


async def recoveries_summary(session: AsyncSession, council_id: str, first: date, last: date) -> list[dict[str, Any]]:
    """Recoveries raised in the period, by what became of them: count and pence."""
    r = recoveries.c
    query = (
        select(r.status, func.count(), func.sum(r.amount_pence), func.sum(case((r.status == "approved", 1), else_=0)))
        .where(r.council_id == council_id, r.as_of >= first, r.as_of <= last)
        .group_by(r.status)
        .order_by(r.status)
    )
    return [
        {"status": status, "recoveries": n, "amount_pence": int(total)}
        for status, n, total, _ in await session.execute(query)
    ]
