"""Reading and writing the card side's tables, a page at a time and always within one council.

Statement lines are staged with PostgreSQL's COPY where the database is PostgreSQL (a million lines
in seconds) and with batched inserts on SQLite; checks over a whole statement are single queries.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.card_tables import card_statement_lines, card_transactions
from ledger.adapters.tables import ledger_accounts
from ledger.domain.card_statement import CardTransaction, CardTransactionType

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


def _staged_values(import_id: uuid.UUID, line: int, record: CardTransaction) -> dict[str, Any]:
    return {
        "import_id": import_id,
        "line": line,
        **{name: getattr(record, name) for name in _STAGED if name != "type"},
        "type": record.type.value,
    }


class CardRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def stage(self, import_id: uuid.UUID, lines: Sequence[tuple[int, CardTransaction]]) -> None:
        await self.copy(card_statement_lines, [_staged_values(import_id, n, r) for n, r in lines])

    async def copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert many rows at once: PostgreSQL's COPY (the rows are already checked), else a batched INSERT."""
        if not rows:
            return
        connection = await self._session.connection()
        if connection.dialect.name == "postgresql":
            raw = (await connection.get_raw_connection()).driver_connection
            columns = list(rows[0])
            records = [tuple(row[c] for c in columns) for row in rows]
            await raw.copy_records_to_table(table.name, records=records, columns=columns)
        else:
            await self._session.execute(insert(table), rows)

    async def analyse(self, *tables: Table) -> None:
        """Fresh statistics for the planner after a bulk load: a table just filled by COPY looks empty
        to it until autovacuum comes round, and it then plans full scans for every later read."""
        connection = await self._session.connection()
        if connection.dialect.name == "postgresql":
            for table in tables:
                await self._session.execute(text(f"ANALYZE {table.name}"))

    async def card_account_ids(self, council_id: str, references: Iterable[str]) -> dict[str, uuid.UUID]:
        a = ledger_accounts.c
        query = select(a.reference, a.account_id).where(
            a.council_id == council_id, a.kind == "card", a.reference.in_(set(references))
        )
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
            select(card_statement_lines)
            .where(s.import_id == import_id, s.line > after_line)
            .order_by(s.line)
            .limit(limit)
        )
        return [(row._mapping["line"], transaction_of(row)) for row in await self._session.execute(query)]

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
        t = card_transactions.c
        query = select(card_transactions).where(t.council_id == council_id, t.transaction_id.in_(set(transaction_ids)))
        return {row._mapping["transaction_id"]: transaction_of(row) for row in await self._session.execute(query)}

    async def add_transactions(self, rows: list[dict[str, Any]]) -> None:
        await self.copy(card_transactions, rows)

    async def cash_withdrawals(
        self, council_id: str, card_accounts: Iterable[str], since: datetime
    ) -> list[tuple[str, str, datetime, int]]:
        """(card account, transaction id, when, pence withdrawn) of the accounts' cash since `since`."""
        t = card_transactions.c
        query = select(t.card_account, t.transaction_id, t.occurred_at, t.amount_pence).where(
            t.council_id == council_id,
            t.card_account.in_(set(card_accounts)),
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
