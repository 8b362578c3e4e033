"""What reconciliation reads, a few queries for all of a council's card accounts at once (20,000
accounts reconcile in seconds, not one query per account), and where it keeps the result."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, or_, select

from ledger.adapters.card_tables import card_transactions, reconciliations
from ledger.adapters.tables import ledger_accounts, ledger_transfers
from ledger.domain.card_statement import CardTransactionType
from ledger.domain.reconciliation import LedgerLine, ProviderLine, Reconciliation
from ledger.domain.transfers import POSTING_PHASES


class ReconciliationRepository:
    def __init__(self, session: Any):
        self._session = session

    async def cards(self, council_id: str, references: list[str] | None) -> dict[uuid.UUID, str]:
        a = ledger_accounts.c
        query = select(a.account_id, a.reference).where(a.council_id == council_id, a.kind == "card")
        if references is not None:
            query = query.where(a.reference.in_(references))
        return {row.account_id: row.reference for row in await self._session.execute(query)}

    async def ledger_lines(
        self, council_id: str, cards: dict[uuid.UUID, str], first: date, last: date
    ) -> tuple[dict[str, int], dict[str, list[LedgerLine]]]:
        """Each card's ledger balance before `first`, and its postings from `first` to `last`.

        Card transactions are keyed by the provider's id (their transfers' reference); every other
        posting (a payment onto the card, a recovery) is the ledger's own, keyed by its reference."""
        t = ledger_transfers.c
        ids = list(cards)
        opening: dict[str, int] = defaultdict(int)
        by_key: dict[str, dict[str, list[Any]]] = defaultdict(dict)
        query = select(
            t.transfer_id, t.debit_account_id, t.credit_account_id, t.amount_pence, t.value_date, t.kind, t.reference
        ).where(
            t.council_id == council_id,
            t.value_date <= last,
            t.phase.in_([p.value for p in POSTING_PHASES]),
            or_(t.debit_account_id.in_(ids), t.credit_account_id.in_(ids)),
        )
        for row in await self._session.execute(query):
            for account_id, sign in ((row.credit_account_id, 1), (row.debit_account_id, -1)):
                card = cards.get(account_id)
                if card is None:
                    continue
                if row.value_date < first:
                    opening[card] += sign * row.amount_pence
                    continue
                own = not (row.kind or "").startswith("card_")
                key = row.reference if not own else f"{row.kind}:{row.reference or row.transfer_id}"
                if own and key in by_key[card]:
                    key = f"{key}:{row.transfer_id}"
                entry = by_key[card].setdefault(key, [0, own])
                entry[0] += sign * row.amount_pence
        lines = {
            card: [LedgerLine(key, pence, ledger_only=own) for key, (pence, own) in entries.items()]
            for card, entries in by_key.items()
        }
        return dict(opening), lines

    async def provider_lines(
        self, council_id: str, cards: list[str], start: datetime, end: datetime
    ) -> tuple[dict[str, list[ProviderLine]], set[str]]:
        """Each card's statement lines from `start` to before `end`, in order; and the ids the ledger
        held off the card as an overspend."""
        c = card_transactions.c
        query = (
            select(c.card_account, c.transaction_id, c.type, c.amount_pence, c.balance_pence, c.overspend_pence)
            .where(c.council_id == council_id, c.card_account.in_(cards), c.occurred_at >= start, c.occurred_at < end)
            .order_by(c.card_account, c.occurred_at, c.transaction_id)
        )
        lines: dict[str, list[ProviderLine]] = defaultdict(list)
        overspent: set[str] = set()
        for row in await self._session.execute(query):
            lines[row.card_account].append(
                ProviderLine(row.transaction_id, CardTransactionType(row.type), row.amount_pence, row.balance_pence)
            )
            if row.overspend_pence:
                overspent.add(row.transaction_id)
        return lines, overspent

    async def provider_balances_before(self, council_id: str, cards: list[str], start: datetime) -> dict[str, int]:
        """The last balance the provider reported for each card before `start`."""
        c = card_transactions.c
        ranked = (
            select(
                c.card_account,
                c.balance_pence,
                func.row_number()
                .over(partition_by=c.card_account, order_by=(c.occurred_at.desc(), c.transaction_id.desc()))
                .label("n"),
            )
            .where(c.council_id == council_id, c.card_account.in_(cards), c.occurred_at < start)
            .subquery()
        )
        query = select(ranked.c.card_account, ranked.c.balance_pence).where(ranked.c.n == 1)
        return {row.card_account: row.balance_pence for row in await self._session.execute(query)}

    async def store(
        self,
        council_id: str,
        reconciliation_id: uuid.UUID,
        first: date,
        last: date,
        results: list[Reconciliation],
        by: str,
    ) -> None:
        now = datetime.now(UTC)
        rows = [
            {
                "reconciliation_id": reconciliation_id,
                "council_id": council_id,
                "card_account": r.card_account,
                "period_from": first,
                "period_to": last,
                "ledger_opening_pence": r.ledger_opening_pence,
                "ledger_closing_pence": r.ledger_closing_pence,
                "provider_opening_pence": r.provider_opening_pence,
                "provider_closing_pence": r.provider_closing_pence,
                "difference_pence": r.difference_pence,
                "lines": [{**asdict(line), "explanation": line.explanation.value} for line in r.lines],
                "reconciled_by": by,
                "reconciled_at": now,
            }
            for r in results
        ]
        if rows:
            await self._session.execute(insert(reconciliations), rows)

    async def stored(
        self, council_id: str, reconciliation_id: uuid.UUID, card_account: str | None = None
    ) -> list[dict[str, Any]]:
        r = reconciliations.c
        query = select(reconciliations).where(r.council_id == council_id, r.reconciliation_id == reconciliation_id)
        if card_account is not None:
            query = query.where(r.card_account == card_account)
        return [dict(row._mapping) for row in await self._session.execute(query.order_by(r.card_account))]
