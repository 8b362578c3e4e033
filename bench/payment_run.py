"""A payment run for many synthetic direct payment agreements in PostgreSQL, beside a bare INSERT of the
same number of transfer rows into a table with no constraints, in the same run.

    python -m bench.payment_run                      # 20,000 agreements; writes bench/payment-run-results.md
    python -m bench.payment_run --agreements 50 --output /tmp/p   # a smoke run

Reported as figures and a ratio (the run's payments per second over the bare INSERT's rows per second),
never asserted against a clock. The run is the real job: pages of agreements, each payment a ledger
transfer with its idempotency key and row locks, payment items, the payment file's line, the event in
the outbox, and the card fees (a load fee and a monthly fee: two more transfers each).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import BigInteger, Column, Date, MetaData, String, Table, Uuid

from ledger.adapters.tables import dp_agreements, dp_contributions, dp_series
from ledger.bootstrap import SERVICE
from ledger.domain.agreements import GROSS, placeholder_card_account
from ledger.service_layer import payment_runs
from pbshared.platform.cli import load_council
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.migrations import upgrade
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.postgres import create_database, drop_database

HERE = Path(__file__).resolve().parent
COUNCIL = HERE.parent / "councils" / "wyvernshire"
START = date(2026, 4, 6)
CHUNK = 2000

bare = Table(
    "bare_transfers",
    MetaData(),
    Column("transfer_id", Uuid),
    Column("council_id", String(64)),
    Column("idempotency_key", String(200)),
    Column("debit_account_id", Uuid),
    Column("credit_account_id", Uuid),
    Column("amount_pence", BigInteger),
    Column("value_date", Date),
    Column("kind", String(32)),
)


async def seed(url: str, count: int) -> None:
    rng = random.Random(2026)
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        rows: tuple[list, list, list] = ([], [], [])
        for i in range(count):
            agreement_id, person_id = uuid.uuid4(), uuid.uuid4()
            rows[0].append(
                dict(
                    agreement_id=agreement_id,
                    council_id="wyvernshire",
                    person_id=person_id,
                    budget_id=uuid.uuid4(),
                    budget_revision=1,
                    status="active",
                    start_date=START,
                    end_date=None,
                    end_reason=None,
                    first_payment_date=START,
                    cycle_weeks=4,
                    contribution_paid_in=False,
                    set_up_costs_pence=0,
                    opening_float_pence=0,
                    card_account_ref=placeholder_card_account(agreement_id),
                    revision=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            gross = rng.randrange(5_000, 60_000)
            rows[1].append(
                dict(
                    row_id=uuid.uuid4(),
                    agreement_id=agreement_id,
                    series=GROSS,
                    effective_from=START,
                    value=gross,
                    sequence=1,
                )
            )
            rows[2].append(
                dict(
                    row_id=uuid.uuid4(),
                    council_id="wyvernshire",
                    person_id=person_id,
                    effective_from=START,
                    weekly_pence=rng.randrange(0, gross // 2),
                    recorded_at=now,
                )
            )
            if len(rows[0]) == CHUNK or i == count - 1:
                async with session_factory(engine)() as session, session.begin():
                    for table, batch in zip((dp_agreements, dp_series, dp_contributions), rows, strict=True):
                        await session.execute(table.insert(), batch)
                rows = ([], [], [])
    finally:
        await engine.dispose()


async def run(url: str):
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        job = await payment_runs.start_run(UnitOfWork(sessions, "ledger"), "wyvernshire", START, "bench")
        return await payment_runs.run_payments(lambda: UnitOfWork(sessions, "ledger"), job)
    finally:
        await engine.dispose()


async def bare_insert(url: str, count: int) -> float:
    """Seconds to INSERT `count` transfer-shaped rows into a table with no key, index or constraint,
    in pages of the run's size, one transaction a page (as the run commits)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(bare.metadata.create_all)
        fund, card = uuid.uuid4(), uuid.uuid4()
        started = time.perf_counter()
        for first in range(0, count, payment_runs.PAGE):
            page = [
                dict(
                    transfer_id=uuid.uuid4(),
                    council_id="wyvernshire",
                    idempotency_key=f"payment:{i}",
                    debit_account_id=fund,
                    credit_account_id=card,
                    amount_pence=1000 + i,
                    value_date=START,
                    kind="payment",
                )
                for i in range(first, min(count, first + payment_runs.PAGE))
            ]
            async with session_factory(engine)() as session, session.begin():
                await session.execute(bare.insert(), page)
        return time.perf_counter() - started
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.payment_run", description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=20_000)
    parser.add_argument("--output", type=Path, default=HERE / "payment-run-results")
    args = parser.parse_args(argv)
    url = create_database("payment_run")
    try:
        upgrade(SERVICE.migrations_dir, url, metadata=SERVICE.metadata)
        asyncio.run(load_council(SERVICE, COUNCIL, url))
        asyncio.run(seed(url, args.agreements))
        started = time.perf_counter()
        job = asyncio.run(run(url))
        run_seconds = time.perf_counter() - started
        transfers = job.totals["payments"] * 3  # each payment, and (sample fees) a monthly fee for 2 months
        baseline_seconds = asyncio.run(bare_insert(url, job.totals["payments"]))
    finally:
        drop_database(url)
    run_rate = job.totals["payments"] / run_seconds
    bare_rate = job.totals["payments"] / baseline_seconds
    lines = [
        f"# Payment run: {args.agreements:,} direct payment agreements",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| payment run in PostgreSQL (job, pages of {payment_runs.PAGE}) "
        f"| {run_seconds:.1f} s, {run_rate:,.0f} payments/s | under 60 s |",
        f"| bare INSERT of as many transfer rows, no constraints "
        f"| {baseline_seconds:.1f} s, {bare_rate:,.0f} rows/s | |",
        f"| ratio of the two rates | {run_rate / bare_rate:.3f} | |",
        f"| payments / amount / fees | {job.totals['payments']:,} / GBP {job.totals['amount_pence'] / 100:,.2f} "
        f"/ GBP {job.totals['fees_pence'] / 100:,.2f} | |",
        f"| ledger transfers written (payments and fees, about) | {transfers:,} | |",
    ]
    args.output.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
