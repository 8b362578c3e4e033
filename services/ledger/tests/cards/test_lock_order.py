"""A payment run and a card statement import over the same card accounts at the same moment, on
PostgreSQL: every path locks accounts in one order, so neither deadlocks and the ledger balances."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from ledger.adapters.ledger_repository import LedgerRepository
from ledger.domain.accounts import NEVER_BELOW_ZERO, Account, AccountKind, account_code
from ledger.service_layer import card_import, payment_runs
from ledger.service_layer.postings import trial_balance
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.jobs import JobStatus
from pbshared.platform.unit_of_work import UnitOfWork

from .conftest import COUNCIL, START, agreement_card, load_council, pay_onto_card
from .test_statement_import import card_balance, statement

CARDS = 12
LINES = 400
MERCHANTS = [("Acme Home Care", 8050), ("Wyvern Buses", 4131), ("Corner Shop", 5411), ("Mobility", 5047)]


def purchases(cards: list[str], day: date, lines: int) -> list[str]:
    """`lines` purchases of GBP 1.00 spread over the cards and the merchants, on `day`."""
    when = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    rows = []
    for n in range(lines):
        card, (merchant, code) = cards[n % len(cards)], MERCHANTS[n % len(MERCHANTS)]
        at = (when + timedelta(seconds=n)).isoformat().replace("+00:00", "Z")
        rows.append(f"{day}-{n},{card},{at},-1.00,purchase,{merchant},{code},0.00")
    return rows


async def open_first_in_id_order(new_uow, kind: AccountKind, reference: str, n: int) -> None:
    """The account opened with an id that sorts before every card's: the case where a run locking by id
    alone takes it before it reaches the cards."""
    code = account_code(kind, reference)
    async with new_uow() as uow:
        account = Account(uuid.UUID(int=n), COUNCIL, code, kind, reference, code, kind in NEVER_BELOW_ZERO)
        await LedgerRepository(uow.session).add_account(account)
        await uow.commit()


async def until_a_lock_is_waited_for(url: str) -> None:
    """Until another transaction on the database waits for a row lock (at most about five seconds)."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        for _ in range(250):
            if await connection.fetchval(query):
                return
            await asyncio.sleep(0.02)
    finally:
        await connection.close()


async def test_a_payment_run_and_an_import_on_the_same_cards_neither_deadlock_nor_unbalance(
    postgres_url, monkeypatch: pytest.MonkeyPatch
):
    engine = create_engine(postgres_url, pool_size=6)
    sessions = session_factory(engine)
    try:
        new_uow = lambda: UnitOfWork(sessions, "ledger")  # noqa: E731
        await load_council(new_uow)
        await open_first_in_id_order(new_uow, AccountKind.dp_fund, "council", 1)
        await open_first_in_id_order(new_uow, AccountKind.card_fees, "council", 2)
        cards = [(await agreement_card(new_uow))[1] for _ in range(CARDS)]
        for card in cards:
            await pay_onto_card(new_uow, card, 100_000, START - timedelta(days=3), f"payment-{card}")
        # Every account both sides move opened before the race: only the order of their locks is at stake.
        spending = purchases(cards, START - timedelta(days=2), len(MERCHANTS))
        first = await card_import.stage_statement(new_uow(), COUNCIL, statement(*spending), "t")
        await card_import.run_import(new_uow, first)

        # The moment that deadlocked: the page holds its cards and is about to lock the fund and the
        # fee account; the run starts then, and the page goes on once the run waits for a lock.
        page_holds_its_cards = asyncio.Event()
        add_to_posted = LedgerRepository.add_to_posted

        async def add_to_posted_once_the_run_waits(self, deltas):
            page_holds_its_cards.set()
            await until_a_lock_is_waited_for(postgres_url)
            return await add_to_posted(self, deltas)

        monkeypatch.setattr(LedgerRepository, "add_to_posted", add_to_posted_once_the_run_waits)

        async def run_once_the_page_holds_its_cards(run):
            await page_holds_its_cards.wait()
            return await payment_runs.run_payments(new_uow, run)

        lines = purchases(cards, START - timedelta(days=1), LINES)
        spending += lines
        job = await card_import.stage_statement(new_uow(), COUNCIL, statement(*lines), "t")
        run = await payment_runs.start_run(new_uow(), COUNCIL, START, "t")
        imported, paid = await asyncio.gather(
            card_import.run_import(new_uow, job, page=LINES), run_once_the_page_holds_its_cards(run)
        )
        assert imported.status is JobStatus.finished and imported.totals["new"] == LINES
        assert paid.status is JobStatus.finished and paid.totals["payments"] == CARDS
        async with new_uow() as uow:
            assert (await trial_balance(uow.session, COUNCIL, date(2026, 12, 31))).balanced
        spent = 100 * sum(line.split(",")[1] == cards[0] for line in spending)
        assert await card_balance(new_uow, cards[0]) == 100_000 + 40_000 - spent
    finally:
        await engine.dispose()
