"""Reading and writing the card side's tables, a page at a time and always within one council.

Statement lines are staged with PostgreSQL's COPY where the database is PostgreSQL (a million lines
in seconds) and with batched inserts on SQLite; checks over a whole statement are single queries.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, Table, and_, delete, func, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.card_tables import card_statement_lines, card_transactions
from ledger.adapters.ledger_repository import by_unique_key, one_of
from ledger.adapters.tables import ledger_accounts
from ledger.domain.accounts import AccountKind, account_code
from ledger.domain.card_statement import CardTransaction, CardTransactionType
from pbshared.platform.db import copy_records

_STAGED = ("transaction_id", "card_account", "occurred_at", "type", "amount_pence", "merchant_name")
_STAGED += ("merchant_category_code", "balance_pence")
# What a provider's transaction is: the same id with any of these different is another transaction.
IDENTITY = ("card_account", "occurred_at", "type", "amount_pence", "merchant_name", "merchant_category_code")
IDENTITY += ("balance_pence",)


def transaction_of(row: Any) -> CardTransaction:
    m = row._mapping
    return CardTransaction(
        transaction_id=m["transaction_id"],
        card_account=m["card_account"],
        occurred_at=_utc(m["occurred_at"]),
        amount_pence=m["amount_pence"],
        type=CardTransactionType(m["type"]),
        merchant_name=m["merchant_name"],
        merchant_category_code=m["merchant_category_code"],
        balance_pence=m["balance_pence"],
    )


def _staged_values(import_id: uuid.UUID, line: int, r: CardTransaction) -> tuple:
    """A staged line in the order of _STAGED_COLUMNS."""
    return (import_id, line, r.transaction_id, r.card_account, r.occurred_at, r.type.value, r.amount_pence,
            r.merchant_name, r.merchant_category_code, r.balance_pence)  # fmt: skip


_STAGED_COLUMNS = ("import_id", "line", *_STAGED)
_RECORDED = ("council_id", *_STAGED, "category", "flag", "card_effect_pence", "overspend_pence", "source")
_RECORDED += ("imported_at",)


def recorded(
    council_id: str,
    r: CardTransaction,
    category: str | None,
    flag: str | None,
    card_effect_pence: int,
    overspend_pence: int,
    source: str,
    imported_at: datetime,
) -> tuple:
    """A card_transactions row, in the order of _RECORDED."""
    return (council_id, r.transaction_id, r.card_account, r.occurred_at, r.type.value, r.amount_pence,
            r.merchant_name, r.merchant_category_code, r.balance_pence, category, flag, card_effect_pence,
            overspend_pence, source, imported_at)  # fmt: skip


_TYPES = {t.value: t for t in CardTransactionType}


class CardRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def stage(self, import_id: uuid.UUID, lines: Sequence[tuple[int, CardTransaction]]) -> None:
        records = [_staged_values(import_id, n, r) for n, r in lines]
        await self.copy_records(card_statement_lines, _STAGED_COLUMNS, records)

    async def copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert many rows at once: PostgreSQL's COPY (the rows are already checked), else a batched INSERT."""
        if rows:
            columns = tuple(rows[0])
            await self.copy_records(table, columns, [tuple(row[c] for c in columns) for row in rows])

    async def copy_records(self, table: Table, columns: Sequence[str], records: list[tuple]) -> None:
        """`copy` of rows already in tuples of `columns` (no dict made and taken apart for each row)."""
        if not records:
            return
        connection = await self._session.connection()
        if connection.dialect.name == "postgresql":
            await copy_records(connection, table.name, columns, records)
        else:
            await self._session.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in records])

    async def analyse(self, *tables: Table) -> None:
        """Fresh statistics for the planner after a bulk load: a table just filled by COPY looks empty
        to it until autovacuum comes round, and it then plans full scans for every later read."""
        connection = await self._session.connection()
        if connection.dialect.name == "postgresql":
            for table in tables:
                await self._session.execute(text(f"ANALYZE {table.name}"))

    async def card_account_ids(self, council_id: str, references: Iterable[str]) -> dict[str, uuid.UUID]:
        codes = [account_code(AccountKind.card, reference) for reference in set(references)]
        if not codes:
            return {}
        query = by_unique_key(self._session, ledger_accounts, ledger_accounts.c.code, council_id, codes)
        return {row.reference: row.account_id for row in await self._session.execute(query)}

    async def lines_with_unknown_card_account(self, council_id: str, import_id: uuid.UUID, limit: int) -> list[int]:
        """Staged lines whose card account the council has not opened (another council's, or a typo)."""
        s, a = card_statement_lines.c, ledger_accounts.c
        # NOT IN an uncorrelated list: PostgreSQL hashes the council's card references once, where a
        # correlated NOT EXISTS would look them up again for each of a million lines.
        cards = select(a.reference).where(a.council_id == council_id, a.kind == "card", a.reference.isnot(None))
        query = (
            select(s.line).where(s.import_id == import_id, s.card_account.not_in(cards)).order_by(s.line).limit(limit)
        )
        return list((await self._session.execute(query)).scalars())

    async def lines_changing_a_transaction(self, council_id: str, import_id: uuid.UUID, limit: int) -> list[int]:
        """Staged lines whose transaction id is already imported with other fields."""
        s, t = card_statement_lines.c, card_transactions.c
        differs = or_(*(_distinct(s[name], t[name]) for name in IDENTITY))
        query = (
            select(s.line)
            .join(card_transactions, and_(t.council_id == council_id, t.transaction_id == s.transaction_id))
            .where(s.import_id == import_id, differs)
            .order_by(s.line)
            .limit(limit)
        )
        return list((await self._session.execute(query)).scalars())

    async def staged_page(self, import_id: uuid.UUID, after_line: int, limit: int) -> list[tuple[int, CardTransaction]]:
        s = card_statement_lines.c
        query = (
            select(s.line, *(s[name] for name in _STAGED))
            .where(s.import_id == import_id, s.line > after_line)
            .order_by(s.line)
            .limit(limit)
        )
        rows = await self._session.execute(query)
        # Positional, in the order of _STAGED: a page of thousands of lines, read without a mapping per row.
        return [
            (line, CardTransaction(ref, card, _utc(when), pence, _TYPES[kind], merchant, mcc, balance))
            for line, ref, card, when, kind, pence, merchant, mcc, balance in rows
        ]

    async def count_staged(self, import_id: uuid.UUID) -> int:
        query = (
            select(func.count()).select_from(card_statement_lines).where(card_statement_lines.c.import_id == import_id)
        )
        return int((await self._session.execute(query)).scalar_one())

    async def count_staged_accounts(self, import_id: uuid.UUID) -> int:
        s = card_statement_lines.c
        query = select(func.count(s.card_account.distinct())).where(s.import_id == import_id)
        return int((await self._session.execute(query)).scalar_one())

    async def drop_staged(self, import_id: uuid.UUID) -> None:
        await self._session.execute(delete(card_statement_lines).where(card_statement_lines.c.import_id == import_id))

    async def imported(self, council_id: str, transaction_ids: Iterable[str]) -> dict[str, CardTransaction]:
        wanted = list(set(transaction_ids))
        if not wanted:
            return {}
        query = by_unique_key(self._session, card_transactions, card_transactions.c.transaction_id, council_id, wanted)
        return {row._mapping["transaction_id"]: transaction_of(row) for row in await self._session.execute(query)}

    async def add_transactions(self, rows: Iterable[tuple]) -> None:
        """Rows made by `recorded`."""
        await self.copy_records(card_transactions, _RECORDED, list(rows))

    async def cash_withdrawals(
        self, council_id: str, card_accounts: Iterable[str], since: datetime
    ) -> list[tuple[str, str, datetime, int]]:
        """(card account, transaction id, when, pence withdrawn) of the accounts' cash since `since`."""
        t = card_transactions.c
        query = select(t.card_account, t.transaction_id, t.occurred_at, t.amount_pence).where(
            t.council_id == council_id,
            one_of(self._session.bind.dialect.name, t.card_account, card_accounts, String),
            t.type == CardTransactionType.cash_withdrawal.value,
            t.occurred_at >= since,
        )
        return [
            (r.card_account, r.transaction_id, _utc(r.occurred_at), -r.amount_pence)
            for r in await self._session.execute(query)
        ]


def _distinct(left: Any, right: Any) -> Any:
    """left IS DISTINCT FROM right, on both databases (NULLs compare as values)."""
    return or_(left != right, and_(left.is_(None), right.isnot(None)), and_(left.isnot(None), right.is_(None)))


def _utc(moment: datetime) -> datetime:
    """SQLite hands back the UTC time it stored without its zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
