"""Property-based tests: random sequences of ledger operations (one- and two-phase transfers, posts,
voids, reversals, retries with a used key) against a plain model of the rules, on SQLite; then
several tasks posting at once against PostgreSQL.

After every sequence: each account's counters equal the model's; its balance read back at every date
equals the model's; the trial balance sums to zero at every date; no card account is below zero.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ledger.adapters.tables import ledger_transfers
from ledger.domain.accounts import Account, AccountKind
from ledger.domain.transfers import Phase, TransferRequest
from ledger.service_layer import postings
from pbshared.errors import DomainError
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.unit_of_work import UnitOfWork

COUNCIL = "wyvernshire"
START = date(2026, 4, 6)
DAYS = 5
ACCOUNTS = [
    (AccountKind.dp_fund, "council"),
    (AccountKind.dp_fund, "nhs"),
    (AccountKind.card, "CARD-A"),
    (AccountKind.card, "CARD-B"),
    (AccountKind.spending, "personal_assistant"),
    (AccountKind.suspense, None),
]
KEYS = [f"key-{i}" for i in range(24)]  # a small pool, so retries with a used key come often

# Operations: ("transfer", debit, credit, amount, day, key, pending) | ("post", n, amount, day, key)
# | ("void", n, day, key) | ("reverse", n, day, key). n picks one of the last few transfers.
_account = st.integers(0, len(ACCOUNTS) - 1)
_day = st.integers(0, DAYS - 1)
_key = st.sampled_from(KEYS)
# Hypothesis favours small and equal numbers, so the credited account is drawn as an offset from the
# debited one (never the same: test_postings covers a broken request) and the operation's kind from a
# weighted list (transfers as often as their follow-ups together).
_other = st.integers(1, len(ACCOUNTS) - 1)
_transfer = st.tuples(st.just("transfer"), _account, _other, st.integers(1, 3_000), _day, _key, st.booleans()).map(
    lambda t: (t[0], t[1], (t[1] + t[2]) % len(ACCOUNTS), *t[3:])
)
_follow_ups = {
    "post": st.tuples(st.just("post"), st.integers(0, 3), st.integers(1, 3_000), _day, _key),
    "void": st.tuples(st.just("void"), st.integers(0, 3), _day, _key),
    "reverse": st.tuples(st.just("reverse"), st.integers(0, 3), _day, _key),
}
operations = st.lists(
    st.sampled_from(["transfer"] * 3 + list(_follow_ups)).flatmap(lambda k: _follow_ups.get(k, _transfer)),
    min_size=5,
    max_size=40,
)


@dataclass
class Model:
    """The ledger's rules written plainly: what each account's four counters must be."""

    counters: dict[int, list[int]] = field(default_factory=lambda: {i: [0, 0, 0, 0] for i in range(len(ACCOUNTS))})
    by_key: dict[str, tuple] = field(default_factory=dict)
    transfers: list[dict] = field(default_factory=list)  # accepted, in order
    resolved: set[int] = field(default_factory=set)
    reversed: set[int] = field(default_factory=set)

    def never_below_zero(self, i: int) -> bool:
        return ACCOUNTS[i][0] is AccountKind.card

    def available(self, i: int) -> int:
        dp, cp, dpend, _ = self.counters[i]
        return cp - dp - dpend


def _when(day: int) -> date:
    return START + timedelta(days=day)


async def _run(url: str, ops: list[tuple]) -> None:
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        accounts: list[Account] = []
        async with UnitOfWork(sessions, "ledger") as uow:
            for kind, reference in ACCOUNTS:
                accounts.append(await postings.open_account(uow, COUNCIL, kind, reference))
            await uow.commit()
        index = {a.account_id: i for i, a in enumerate(accounts)}
        model = Model()
        for op in ops:
            await _apply(sessions, accounts, index, model, op)
        await _check(sessions, accounts, model)
    finally:
        await engine.dispose()


async def _apply(sessions, accounts, index, model: Model, op: tuple) -> None:
    name = op[0]
    stored = model.transfers
    if name == "transfer":
        _, d, c, amount, day, key, pending = op
        phase = Phase.pending if pending else Phase.posted
        request = TransferRequest(
            key, accounts[d].account_id, accounts[c].account_id, amount, _when(day), "payment", phase=phase
        )
        fields = (d, c, amount, _when(day), phase, None, None)
        valid = amount > 0 and d != c
        expected_ok = valid and (not model.never_below_zero(d) or model.available(d) >= amount)
        effect = ((d, 0, amount), (c, 1, amount)) if phase is Phase.posted else ((d, 2, amount), (c, 3, amount))
        call = lambda uow: postings.post(uow, COUNCIL, request)  # noqa: E731
        record = {"fields": fields, "phase": phase, "d": d, "c": c, "amount": amount}
        if not valid:
            await _expect(sessions, call, ok=False)  # a broken request is refused before its key is read
            return
    else:
        if not stored:
            return
        n = len(stored) - 1 - op[1] % len(stored)
        target = stored[n]
        if name == "reverse":
            _, _, day, key = op
            d, c, amount = target["c"], target["d"], target["amount"]
            fields = (d, c, amount, _when(day), Phase.posted, None, n)
            movable = (
                target["phase"] in (Phase.posted, Phase.post_pending)
                and n not in model.reversed
                and _when(day) >= target["fields"][3]
            )
            expected_ok = movable and (not model.never_below_zero(d) or model.available(d) >= amount)
            effect = ((d, 0, amount), (c, 1, amount))
            record = {"fields": fields, "phase": Phase.posted, "d": d, "c": c, "amount": amount, "reverses": n}
            call = lambda uow: postings.reverse(  # noqa: E731
                uow, COUNCIL, target["id"], idempotency_key=key, value_date=_when(day)
            )
        else:
            resolvable = (
                target["phase"] is Phase.pending and n not in model.resolved and _when(op[-2]) >= target["fields"][3]
            )
            d, c, held = target["d"], target["c"], target["amount"]
            if name == "post":
                _, _, amount, day, key = op
                amount = min(amount, held) if resolvable else amount
                phase = Phase.post_pending
                effect = ((d, 0, amount), (c, 1, amount), (d, 2, -held), (c, 3, -held))
                call = lambda uow: postings.post_pending(  # noqa: E731
                    uow, COUNCIL, target["id"], idempotency_key=key, value_date=_when(day), amount_pence=amount
                )
            else:
                _, _, day, key = op
                amount, phase = held, Phase.void_pending
                effect = ((d, 2, -held), (c, 3, -held))
                call = lambda uow: postings.void_pending(  # noqa: E731
                    uow, COUNCIL, target["id"], idempotency_key=key, value_date=_when(day)
                )
            fields = (d, c, amount, _when(day), phase, n, None)
            expected_ok = resolvable
            record = {"fields": fields, "phase": phase, "d": d, "c": c, "amount": amount, "resolves": n}

    if key in model.by_key:
        # A retry: the original when the fields match, else refused; nothing changes either way.
        original_fields, original_id = model.by_key[key]
        same = original_fields[:5] == fields[:5] and original_fields[5:] == fields[5:]
        result = await _expect(sessions, call, ok=same)
        if same:
            assert result.transfer_id == original_id
        return
    result = await _expect(sessions, call, ok=expected_ok)
    if not expected_ok:
        return
    for account, counter, amount in effect:
        model.counters[account][counter] += amount
    record["id"] = result.transfer_id
    model.by_key[key] = (fields, result.transfer_id)
    if "resolves" in record:
        model.resolved.add(record["resolves"])
    if "reverses" in record:
        model.reversed.add(record["reverses"])
    model.transfers.append(record)
    assert index[result.debit_account_id] == record["d"]


async def _expect(sessions, call, *, ok: bool):
    async with UnitOfWork(sessions, "ledger") as uow:
        try:
            result = await call(uow)
        except DomainError:
            assert not ok, "the ledger refused what its rules allow"
            return None
        assert ok, "the ledger accepted what its rules refuse"
        await uow.commit()
        return result


async def _check(sessions, accounts: list[Account], model: Model) -> None:
    async with sessions() as session:
        for i, account in enumerate(accounts):
            now = await postings.balance(session, COUNCIL, account.account_id)
            counters = [now.debits_posted, now.credits_posted, now.debits_pending, now.credits_pending]
            assert counters == model.counters[i], account.code
            if model.never_below_zero(i):
                assert now.credits_posted - now.debits_posted - now.debits_pending >= 0
            # Read back from the transfers at the last date, the balance is the counters'.
            assert await postings.balance(session, COUNCIL, account.account_id, _when(DAYS)) == now
        for day in range(-1, DAYS + 1):
            trial = await postings.trial_balance(session, COUNCIL, _when(day))
            assert trial.balanced and trial.total_debits == trial.total_credits
        rows = (await session.execute(select(ledger_transfers.c.transfer_id))).scalars().all()
    assert len(rows) == len(model.transfers), "one row per accepted transfer, none for a retry or a refusal"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_sequences_keep_every_invariant(_migrated_sqlite: Path, ops: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.db"
        shutil.copy(_migrated_sqlite, path)
        asyncio.run(_run(f"sqlite+aiosqlite:///{path}", ops))


# Concurrency against PostgreSQL: several tasks, each with its own connection and transactions,
# spend from and load the same card accounts at once, and retry one another's keys.

TASKS = 6
concurrent_work = st.lists(
    st.lists(
        st.tuples(st.sampled_from(["load", "spend"]), st.integers(0, 2), st.integers(1, 900), st.integers(0, 40)),
        min_size=5,
        max_size=15,
    ),
    min_size=TASKS,
    max_size=TASKS,
)


async def _concurrently(url: str, work: list[list[tuple]]) -> None:
    engine = create_engine(url, pool_size=TASKS + 2)
    sessions = session_factory(engine)
    try:
        # A council of its own for each example: the database is emptied once per test, not per example.
        council = f"council-{uuid.uuid4().hex[:8]}"
        async with UnitOfWork(sessions, "ledger") as uow:
            fund = await postings.open_account(uow, council, AccountKind.dp_fund, "council")
            spend = await postings.open_account(uow, council, AccountKind.spending, "care_agency")
            cards = [await postings.open_account(uow, council, AccountKind.card, f"CARD-{i}") for i in range(3)]
            await uow.commit()

        async def worker(items: list[tuple]) -> list[uuid.UUID]:
            accepted = []
            for what, card, amount, key in items:
                debit, credit = (fund, cards[card]) if what == "load" else (cards[card], spend)
                # Keys are shared between tasks: the same (what, card, key) is the same request.
                request = TransferRequest(
                    f"{what}:{card}:{key}", debit.account_id, credit.account_id, amount, START, what
                )
                async with UnitOfWork(sessions, "ledger") as uow:
                    try:
                        transfer = await postings.post(uow, council, request)
                    except DomainError:
                        continue  # overdrawn, or the key was used with another amount
                    await uow.commit()
                    accepted.append(transfer.transfer_id)
            return accepted

        results = await asyncio.gather(*(worker(items) for items in work))
        async with sessions() as session:
            query = select(ledger_transfers).where(ledger_transfers.c.council_id == council)
            rows = (await session.execute(query)).all()
            # Every accepted post is one row (retries return the original), and no row is lost.
            assert {r.transfer_id for r in rows} == {t for accepted in results for t in accepted}
            for account in [fund, spend, *cards]:
                now = await postings.balance(session, council, account.account_id)
                credits = sum(r.amount_pence for r in rows if r.credit_account_id == account.account_id)
                debits = sum(r.amount_pence for r in rows if r.debit_account_id == account.account_id)
                assert (now.credits_posted, now.debits_posted) == (credits, debits), "an update was lost"
                if account in cards:
                    assert now.balance_pence >= 0
            assert (await postings.trial_balance(session, council, START)).balanced
    finally:
        await engine.dispose()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(work=concurrent_work)
def test_concurrent_posts_lose_no_update_and_never_overdraw_a_card(postgres_url: str, work: list[list[tuple]]) -> None:
    asyncio.run(_concurrently(postgres_url, work))
