"""Reading and writing ledger accounts and transfers; always within one council.

Every path locks accounts in one order (`_locking`): card accounts first, then the rest, each in the
order of their ids. Card accounts come first because a card statement's page must read its cards'
balances before it knows which other accounts (fees, overspend) its lines move; it locks those
later, and a payment run or a single posting that took a fund before a card would then hold what the
page waits for while waiting for the page's card. On SQLite the clause is dropped: the platform
begins every writing transaction with BEGIN IMMEDIATE, so writers already queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    String,
    Table,
    Uuid,
    and_,
    any_,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.tables import ledger_accounts, ledger_transfers
from ledger.domain.accounts import Account, AccountKind, Balance, Counters, LockedAccount
from ledger.domain.transfers import POSTING_PHASES, RESOLVING_PHASES, CounterChange, Phase, Transfer

_COUNTERS = ("debits_posted", "credits_posted", "debits_pending", "credits_pending")


def _account(row: Any) -> Account:
    m = row._mapping
    return Account(
        account_id=m["account_id"],
        council_id=m["council_id"],
        code=m["code"],
        kind=AccountKind(m["kind"]),
        reference=m["reference"],
        name=m["name"],
        never_below_zero=m["never_below_zero"],
        counters=Counters(*(m[c] for c in _COUNTERS)),
    )


def _transfer(row: Any) -> Transfer:
    m = dict(row._mapping)
    m["phase"] = Phase(m["phase"])
    return Transfer(**m)


def _account_values(account: Account) -> dict[str, Any]:
    return dict(
        account_id=account.account_id,
        council_id=account.council_id,
        code=account.code,
        kind=account.kind.value,
        reference=account.reference,
        name=account.name,
        never_below_zero=account.never_below_zero,
        opened_at=datetime.now(UTC),
        **{c: 0 for c in _COUNTERS},
    )


_TRANSFER_COLUMNS = tuple(c.name for c in ledger_transfers.columns)  # once: a run writes 1,500 rows a page


def _transfer_values(transfer: Transfer) -> dict[str, Any]:
    values = {name: getattr(transfer, name) for name in _TRANSFER_COLUMNS}
    return {**values, "phase": transfer.phase.value}


def _movement(account: Any, amount: Any, position: int, where: Any) -> Any:
    """One side of the transfers as (account, the four counters), the amount at `position`, zeros elsewhere."""
    values = [amount if i == position else literal(0) for i in range(len(_COUNTERS))]
    labelled = [v.label(name) for v, name in zip(values, _COUNTERS, strict=True)]
    return select(account.label("a"), *labelled).where(where)


def one_of(dialect: str, column: Any, values: Iterable[Any], type_: Any) -> Any:
    """column IN the values; on PostgreSQL = ANY of one array parameter, where an IN list of a page's
    thousands of values costs SQLAlchemy longer to render (a parameter each) than the query takes."""
    wanted = list(set(values))
    if dialect == "postgresql":
        return column == any_(bindparam(None, wanted, type_=ARRAY(type_)))
    return column.in_(wanted)


def _locking(dialect: str, account_ids: Iterable[uuid.UUID], *columns: Any) -> Any:
    """SELECT `columns` of these accounts, locked in the one order every path takes (module docstring).

    FOR NO KEY UPDATE, the lock an UPDATE of the counters takes anyway: other transactions' new
    transfers (whose foreign keys take KEY SHARE) are not held up by it. On PostgreSQL the ids go as
    one array (`one_of`: a page of a card statement locks up to tens of thousands of cards)."""
    a = ledger_accounts.c
    wanted = one_of(dialect, a.account_id, account_ids, Uuid)
    cards_first = (a.kind != AccountKind.card.value, a.account_id)
    return select(*columns).where(wanted).order_by(*cards_first).with_for_update(key_share=True)


def by_unique_key(session: AsyncSession, table: Table, key: Column, council_id: str, wanted: list[str]) -> Any:
    """The council's rows whose `key` (unique with council_id) is one of `wanted`.

    On PostgreSQL, one unique-index probe per key (a lateral join over the array): a plain IN list
    lets the planner, while a growing table has no statistics yet (a council's first big payment
    run), scan every row of the council for each page instead, which made a run quadratic.
    """
    if session.bind.dialect.name != "postgresql":
        return select(table).where(table.c.council_id == council_id, key.in_(wanted))
    keys = func.unnest(bindparam("wanted", wanted, type_=ARRAY(String))).table_valued("key").render_derived(name="k")
    probe = select(table).where(table.c.council_id == council_id, key == keys.c.key).limit(1).lateral("found")
    return select(probe).select_from(keys).join(probe, true())


class LedgerRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    # Accounts

    async def account(self, council_id: str, account_id: uuid.UUID) -> Account | None:
        query = select(ledger_accounts).where(
            ledger_accounts.c.council_id == council_id, ledger_accounts.c.account_id == account_id
        )
        row = (await self._session.execute(query)).first()
        return _account(row) if row else None

    async def account_by_code(self, council_id: str, code: str) -> Account | None:
        query = select(ledger_accounts).where(
            ledger_accounts.c.council_id == council_id, ledger_accounts.c.code == code
        )
        row = (await self._session.execute(query)).first()
        return _account(row) if row else None

    async def accounts(self, council_id: str, kind: AccountKind | None = None) -> list[Account]:
        query = select(ledger_accounts).where(ledger_accounts.c.council_id == council_id)
        if kind is not None:
            query = query.where(ledger_accounts.c.kind == kind.value)
        rows = (await self._session.execute(query.order_by(ledger_accounts.c.code))).all()
        return [_account(r) for r in rows]

    async def lock_accounts(self, council_id: str, account_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, LockedAccount]:
        """Locks the council's accounts among these (in the one order) and reads what a posting needs."""
        a = ledger_accounts.c
        query = _locking(
            self._session.bind.dialect.name, account_ids, a.account_id, a.never_below_zero, *(a[c] for c in _COUNTERS)
        )
        rows = (await self._session.execute(query.where(a.council_id == council_id))).all()
        return {row[0]: LockedAccount(row[1], Counters(*row[2:])) for row in rows}

    async def add_account(self, account: Account) -> None:
        await self._session.execute(insert(ledger_accounts).values(**_account_values(account)))

    async def change_counters(self, account_id: uuid.UUID, change: CounterChange) -> None:
        # Relative updates: correct even if a caller forgot the lock (the lock is what makes the
        # never-below-zero check hold).
        values = {c: ledger_accounts.c[c] + getattr(change, c) for c in _COUNTERS if getattr(change, c)}
        if values:
            await self._session.execute(
                update(ledger_accounts).where(ledger_accounts.c.account_id == account_id).values(**values)
            )

    async def add_to_posted(self, deltas: Mapping[uuid.UUID, Sequence[int]]) -> None:
        """Add (debits, credits) to each account's posted counters. On PostgreSQL one UPDATE joined
        to arrays of the changes: a page of a card statement moves up to tens of thousands of
        accounts, and one statement executed for each (as on SQLite) cost seconds a page.

        The rows are locked first in the one order (module docstring): an UPDATE joined to an array
        locks them in whatever order its plan meets them, and two pages (or a page and a webhook or
        a payment run) both moving the fund, a fee account and spending categories would otherwise
        deadlock. Call it before writing the transfers that reference these accounts."""
        if not deltas:
            return
        a = ledger_accounts.c
        if (await self._session.connection()).dialect.name == "postgresql":
            await self._session.execute(_locking("postgresql", deltas, a.account_id))
            arrays = text(
                "SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:debits AS bigint[]), CAST(:credits AS bigint[]))"
                " AS change(id, d, c)"
            ).columns(id=Uuid, d=BigInteger, c=BigInteger)
            ids, changes = list(deltas), list(deltas.values())
            change = arrays.bindparams(ids=ids, debits=[d for d, _ in changes], credits=[c for _, c in changes])
            change = change.subquery("change")
            statement = update(ledger_accounts).where(a.account_id == change.c.id)
            values = {"debits_posted": a.debits_posted + change.c.d, "credits_posted": a.credits_posted + change.c.c}
            await self._session.execute(statement.values(**values), execution_options={"synchronize_session": False})
            return
        await self._session.execute(
            update(ledger_accounts)
            .where(a.account_id == bindparam("id"))
            .values(debits_posted=a.debits_posted + bindparam("d"), credits_posted=a.credits_posted + bindparam("c")),
            [{"id": account, "d": d, "c": c} for account, (d, c) in deltas.items()],
            execution_options={"synchronize_session": False},
        )

    # Transfers

    async def transfer(self, council_id: str, transfer_id: uuid.UUID) -> Transfer | None:
        query = select(ledger_transfers).where(
            ledger_transfers.c.council_id == council_id, ledger_transfers.c.transfer_id == transfer_id
        )
        row = (await self._session.execute(query)).first()
        return _transfer(row) if row else None

    async def transfer_by_key(self, council_id: str, idempotency_key: str) -> Transfer | None:
        query = select(ledger_transfers).where(
            ledger_transfers.c.council_id == council_id, ledger_transfers.c.idempotency_key == idempotency_key
        )
        row = (await self._session.execute(query)).first()
        return _transfer(row) if row else None

    async def transfers_by_keys(self, council_id: str, keys: Iterable[str]) -> dict[str, Transfer]:
        wanted = list(set(keys))
        if not wanted:
            return {}
        query = by_unique_key(self._session, ledger_transfers, ledger_transfers.c.idempotency_key, council_id, wanted)
        return {t.idempotency_key: t for t in (_transfer(r) for r in (await self._session.execute(query)).all())}

    async def accounts_by_codes(self, council_id: str, codes: Iterable[str]) -> dict[str, Account]:
        wanted = list(set(codes))
        if not wanted:
            return {}
        query = by_unique_key(self._session, ledger_accounts, ledger_accounts.c.code, council_id, wanted)
        return {a.code: a for a in (_account(r) for r in (await self._session.execute(query)).all())}

    async def add_accounts(self, accounts: list[Account]) -> None:
        if accounts:
            await self._session.execute(insert(ledger_accounts), [_account_values(a) for a in accounts])

    async def add_transfers(self, transfers: list[Transfer]) -> None:
        if transfers:
            await self._session.execute(insert(ledger_transfers), [_transfer_values(t) for t in transfers])

    async def set_counters(self, counters: dict[uuid.UUID, Counters]) -> None:
        """Writes absolute counters: only for accounts this transaction holds locked."""
        if counters:
            statement = (
                update(ledger_accounts)
                .where(ledger_accounts.c.account_id == bindparam("target"))
                .values(**{c: bindparam(f"new_{c}") for c in _COUNTERS})
            )
            rows = [
                {"target": account_id, **{f"new_{c}": getattr(value, c) for c in _COUNTERS}}
                for account_id, value in counters.items()
            ]
            await self._session.execute(statement, rows)

    async def follow_up(
        self, *, pending_of: uuid.UUID | None = None, reversal_of: uuid.UUID | None = None
    ) -> uuid.UUID | None:
        """The transfer that resolved a pending one, or that reversed one, if any."""
        column = ledger_transfers.c.pending_id if pending_of is not None else ledger_transfers.c.reverses_id
        target = pending_of if pending_of is not None else reversal_of
        query = select(ledger_transfers.c.transfer_id).where(column == target)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def add_transfer(self, transfer: Transfer) -> None:
        await self._session.execute(insert(ledger_transfers).values(**_transfer_values(transfer)))

    async def transfers_of(
        self, council_id: str, account_id: uuid.UUID, *, since: date | None = None, until: date | None = None
    ) -> list[Transfer]:
        t = ledger_transfers.c
        query = select(ledger_transfers).where(
            t.council_id == council_id, (t.debit_account_id == account_id) | (t.credit_account_id == account_id)
        )
        if since is not None:
            query = query.where(t.value_date >= since)
        if until is not None:
            query = query.where(t.value_date <= until)
        rows = (await self._session.execute(query.order_by(t.value_date, t.created_at, t.transfer_id))).all()
        return [_transfer(r) for r in rows]

    # Balances at a date, from the transfers themselves (the counters hold only the latest).

    async def balances(
        self, council_id: str, as_of: date, account_ids: Iterable[uuid.UUID] | None = None
    ) -> list[Balance]:
        t = ledger_transfers.c
        posted = [p.value for p in POSTING_PHASES]
        dated = and_(t.council_id == council_id, t.value_date <= as_of)
        # A pending transfer still counts on as_of unless it was posted or voided by then.
        resolution = ledger_transfers.alias("resolution")
        unresolved = (
            ~select(resolution.c.transfer_id)
            .where(
                resolution.c.pending_id == t.transfer_id,
                resolution.c.phase.in_([p.value for p in RESOLVING_PHASES]),
                resolution.c.value_date <= as_of,
            )
            .exists()
        )
        pending = and_(dated, t.phase == Phase.pending.value, unresolved)
        movements = union_all(
            _movement(t.debit_account_id, t.amount_pence, 0, and_(dated, t.phase.in_(posted))),
            _movement(t.credit_account_id, t.amount_pence, 1, and_(dated, t.phase.in_(posted))),
            _movement(t.debit_account_id, t.amount_pence, 2, pending),
            _movement(t.credit_account_id, t.amount_pence, 3, pending),
        ).subquery()
        cols = list(movements.c)
        sums = (
            select(cols[0].label("a"), *(func.sum(c).label(n) for c, n in zip(cols[1:], _COUNTERS, strict=True)))
            .group_by(cols[0])
            .subquery()
        )
        a = ledger_accounts.c
        query = (
            select(a.account_id, a.code, *(func.coalesce(sums.c[n], 0).label(n) for n in _COUNTERS))
            .select_from(ledger_accounts.outerjoin(sums, sums.c.a == a.account_id))
            .where(a.council_id == council_id)
            .order_by(a.code)
        )
        if account_ids is not None:
            query = query.where(a.account_id.in_(set(account_ids)))
        rows = (await self._session.execute(query)).all()
        return [Balance(r.account_id, r.code, *(int(getattr(r, n)) for n in _COUNTERS)) for r in rows]
