"""Importing a card provider's statement of many transactions into the ledger in PostgreSQL, and
reconciling every card account, beside a plain PostgreSQL COPY of the same file into a bare table
in the same run.

    python -m bench.ledger_import    # 1,000,000 transactions, 20,000 accounts: bench/ledger-import-results.md
    python -m bench.ledger_import --transactions 5000 --accounts 100 --output /tmp/l   # a smoke run

Reported as figures and the ratio of the import's rows per second to COPY's, never asserted against a
clock. The import is the real one (ledger.service_layer.card_import: checked whole, staged with COPY,
posted a page at a time as a job); peak resident memory is the process's high-water mark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg

from bench.report import Figure, Results
from ledger.bootstrap import SERVICE
from ledger.domain.card_statement import COLUMNS
from ledger.service_layer import card_import
from ledger.service_layer.reconciling import reconcile_accounts
from pbshared.platform.cli import load_council
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.migrations import upgrade
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.postgres import create_database, drop_database

HERE = Path(__file__).resolve().parent
COUNCIL_DIR = HERE.parent / "councils" / "wyvernshire"
COUNCIL = "wyvernshire"
START = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
PAYMENT_PENCE = 200_000  # what each card was loaded with before the statement's period
MERCHANTS = [("Acme Home Care", 8050), ("Wyvern Buses", 4131), ("Mobility Aids Ltd", 5047), ("HMRC PAYE", 9311)]
MERCHANTS += [("Corner Shop", 5411), ("Lucky Bet", 7995), ("The Red Lion", 5813)]


def pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def write_statement(path: Path, transactions: int, accounts: int) -> None:
    """A statement of `transactions` lines spread over `accounts` cards, written a line at a time."""
    rng = random.Random(2026)
    balances = [PAYMENT_PENCE] * accounts
    step = timedelta(seconds=max(1, 28 * 24 * 3600 // max(transactions, 1)))
    with path.open("w", newline="") as out:
        out.write(",".join(COLUMNS) + "\n")
        for n in range(transactions):
            account = rng.randrange(accounts)
            roll = rng.random()
            when = (START + step * n).isoformat().replace("+00:00", "Z")
            merchant, mcc = "", ""
            if n < accounts:  # each card's first line: the load the payment run made
                account, kind, pence = n, "load", PAYMENT_PENCE
            elif roll < 0.08:
                kind, pence = "contribution", rng.randrange(1_000, 8_000)
            elif roll < 0.11:
                kind, pence = "fee", -3
            elif roll < 0.14:
                kind, pence = "cash_withdrawal", -rng.randrange(1_000, 5_000)
            elif roll < 0.16:
                kind, pence = "refund", rng.randrange(100, 2_000)
                merchant, code = MERCHANTS[rng.randrange(len(MERCHANTS))]
                mcc = str(code)
            else:
                kind, pence = "purchase", -rng.randrange(100, 6_000)
                merchant, code = MERCHANTS[rng.randrange(len(MERCHANTS))]
                mcc = str(code)
            if n >= accounts or kind != "load":
                balances[account] += pence
            balance = balances[account] if n >= accounts else PAYMENT_PENCE
            out.write(f"T{n:08d},CARD-{account:06d},{when},{pounds(pence)},{kind},{merchant},{mcc},{pounds(balance)}\n")


async def seed_cards(url: str, accounts: int) -> None:
    """The cards and the payment run that loaded them (as the ledger core would have posted it)."""
    raw = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        now = datetime.now(UTC)
        fund = uuid.uuid4()
        cards = [uuid.uuid4() for _ in range(accounts)]
        columns = ["account_id", "council_id", "code", "kind", "reference", "name", "never_below_zero"]
        columns += ["debits_posted", "credits_posted", "debits_pending", "credits_pending", "opened_at"]
        rows = [
            (
                fund,
                COUNCIL,
                "dp_fund:council",
                "dp_fund",
                "council",
                "fund",
                False,
                PAYMENT_PENCE * accounts,
                0,
                0,
                0,
                now,
            )
        ]
        rows += [
            (
                card,
                COUNCIL,
                f"card:CARD-{i:06d}",
                "card",
                f"CARD-{i:06d}",
                f"CARD-{i:06d}",
                True,
                0,
                PAYMENT_PENCE,
                0,
                0,
                now,
            )
            for i, card in enumerate(cards)
        ]
        await raw.copy_records_to_table("ledger_accounts", records=rows, columns=columns)
        columns = ["transfer_id", "council_id", "idempotency_key", "debit_account_id", "credit_account_id"]
        columns += ["amount_pence", "value_date", "phase", "kind", "description", "reference", "created_at"]
        day = date(2026, 4, 1)
        payments = [
            (uuid.uuid4(), COUNCIL, f"payment:{i}", fund, card, PAYMENT_PENCE, day, "posted", "payment", "payment",
             f"run-1:{i}", now)
            for i, card in enumerate(cards)
        ]  # fmt: skip
        await raw.copy_records_to_table("ledger_transfers", records=payments, columns=columns)
    finally:
        await raw.close()


async def plain_copy(url: str, path: Path) -> float:
    """Seconds for PostgreSQL's own COPY of the file into a bare table of the same columns."""
    raw = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await raw.execute(
            "CREATE TABLE bare_card_lines (transaction_id text, card_account text, occurred_at timestamptz,"
            " amount numeric(12,2), type text, merchant_name text, merchant_category_code int, balance numeric(12,2))"
        )
        started = time.perf_counter()
        await raw.copy_to_table("bare_card_lines", source=str(path), format="csv", header=True)
        return time.perf_counter() - started
    finally:
        await raw.close()


FLOOR_ROWS = 200_000  # transfers COPYed (and rolled back) to time the table's own cost a row


async def transfers_copy_floor(url: str, rows: int) -> tuple[float, int]:
    """(microseconds a row for PostgreSQL's COPY into ledger_transfers as the import leaves it, with its
    indexes and foreign keys, rolled back; the transfers the import wrote). Every statement line
    becomes one or two transfers (a purchase and its fee), so this cost bounds any checked import's
    rate whatever it does in Python or SQL: the issue's ratio is read against it."""
    raw = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        made = await raw.fetchval("SELECT count(*) FROM ledger_transfers WHERE kind <> 'payment'")
        accounts = [r[0] for r in await raw.fetch("SELECT account_id FROM ledger_accounts ORDER BY code LIMIT 2")]
        columns = ["transfer_id", "council_id", "idempotency_key", "debit_account_id", "credit_account_id"]
        columns += ["amount_pence", "value_date", "phase", "kind", "description", "reference", "created_at"]
        now, day = datetime.now(UTC), date(2026, 4, 2)
        records = [
            (uuid.uuid4(), COUNCIL, f"floor:{n}", *accounts, 100, day, "posted", "card_spending", "card purchase",
             f"floor-{n}", now)
            for n in range(rows)
        ]  # fmt: skip
        transaction = raw.transaction()
        await transaction.start()
        started = time.perf_counter()
        await raw.copy_records_to_table("ledger_transfers", records=records, columns=columns)
        seconds = time.perf_counter() - started
        await transaction.rollback()
        return seconds / rows * 1e6, made
    finally:
        await raw.close()


async def import_and_reconcile(url: str, path: Path) -> tuple[float, float, dict, int]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        started = time.perf_counter()
        with path.open("rb") as file:
            job = await card_import.stage_statement(UnitOfWork(sessions, "ledger"), COUNCIL, file, "bench")
        job = await card_import.run_import(lambda: UnitOfWork(sessions, "ledger"), job)
        import_seconds = time.perf_counter() - started
        started = time.perf_counter()
        uow = UnitOfWork(sessions, "ledger")
        async with uow:
            done = await reconcile_accounts(uow, COUNCIL, date(2026, 4, 1), date(2026, 4, 30), "bench")
            await uow.commit()
        return import_seconds, time.perf_counter() - started, job.totals, len(done.results)
    finally:
        await engine.dispose()


def measure(transactions: int, accounts: int) -> dict[str, float]:
    """Every figure of one run: (name, value) pairs, for this module's file and bench/run.py."""
    url = create_database("ledger_import")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "statement.csv"
        write_statement(path, transactions, accounts)
        try:
            upgrade(SERVICE.migrations_dir, url, metadata=SERVICE.metadata)
            asyncio.run(load_council(SERVICE, COUNCIL_DIR, url))
            asyncio.run(seed_cards(url, accounts))
            copy_seconds = asyncio.run(plain_copy(url, path))
            import_seconds, reconcile_seconds, totals, reconciled = asyncio.run(import_and_reconcile(url, path))
            transfer_us, transfers = asyncio.run(transfers_copy_floor(url, min(FLOOR_ROWS, 2 * transactions)))
        finally:
            drop_database(url)
    return {
        "copy_rows_per_second": transactions / copy_seconds,
        "import_rows_per_second": transactions / import_seconds,
        "import_seconds": import_seconds,
        "ratio": (transactions / import_seconds) / (transactions / copy_seconds),
        "transfer_copy_us": transfer_us,
        "transfers_per_line": transfers / transactions,
        # The best ratio an import could reach if writing its transfers were all it did.
        "ceiling_ratio": (1e6 / (transfer_us * transfers / transactions)) / (transactions / copy_seconds),
        "reconcile_seconds": reconcile_seconds,
        "accounts_reconciled": reconciled,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "new": totals["new"],
        "flagged": totals["flagged"],
    }


def add_figures(results: Results, transactions: int, accounts: int, keep: Path | None = None) -> None:
    """The import's figures in bench/run.py's results, each beside its target. It runs in a process
    of its own, so that its peak resident memory is the import's alone; `keep` is the stem its own
    results file is written to as well (a full run keeps bench/ledger-import-results.md current)."""
    with tempfile.TemporaryDirectory() as folder:
        stem = keep or Path(folder) / "ledger-import"
        command = [sys.executable, "-m", "bench.ledger_import", "--transactions", str(transactions)]
        subprocess.run([*command, "--accounts", str(accounts), "--output", str(stem)], check=True, cwd=HERE.parent)
        f = json.loads(stem.with_suffix(".json").read_text())
    rate = Figure(
        f"card statement import, {transactions:,} transactions on {accounts:,} cards, against plain COPY",
        "rows/s", f["import_rows_per_second"], f["copy_rows_per_second"], ">= 0.25 of COPY",
    )  # fmt: skip
    rate.met = f["ratio"] >= 0.25
    results.add(rate)
    # What the transfers' own COPY into ledger_transfers (its indexes and keys) allows at most,
    # with no checking or posting at all: why 0.25 is out of reach (bench/README.md, ledger).
    results.add(
        Figure(
            "ceiling on that ratio from COPYing the import's transfers alone",
            "ratio", f["ceiling_ratio"], None, "-",
        )
    )  # fmt: skip
    results.add(
        Figure(
            f"reconciliation of {accounts:,} card accounts", "s", f["reconcile_seconds"], None, "< 60 s",
            f["reconcile_seconds"] < 60,
        )
    )  # fmt: skip
    results.add(
        Figure(
            "peak RSS of the card statement import",
            "MiB",
            f["peak_rss_mb"],
            None,
            "< 500 MiB",
            f["peak_rss_mb"] < 500,
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger_import", description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--output", type=Path, default=HERE / "ledger-import-results")
    args = parser.parse_args(argv)
    f = measure(args.transactions, args.accounts)
    lines = [
        f"# Card statement import: {args.transactions:,} transactions, {args.accounts:,} card accounts",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| plain COPY of the file into a bare table (baseline) | {f['copy_rows_per_second']:,.0f} rows/s | |",
        f"| import: checked, staged, posted as transfers (job, pages of {card_import.PAGE}) "
        f"| {f['import_seconds']:.1f} s, {f['import_rows_per_second']:,.0f} rows/s | |",
        f"| ratio of the import's rate to COPY's | {f['ratio']:.3f} | at least 0.25 |",
        f"| COPY into ledger_transfers as the import leaves it (5 indexes, 2 foreign keys; rolled back) "
        f"| {f['transfer_copy_us']:.1f} us a row, {f['transfers_per_line']:.2f} transfers a line | |",
        f"| ceiling on the ratio that COPY alone sets (no checking, no posting) | {f['ceiling_ratio']:.3f} | |",
        f"| reconciliation of {f['accounts_reconciled']:,} accounts for the month "
        f"| {f['reconcile_seconds']:.1f} s | under 60 s |",
        f"| peak resident memory of the whole run | {f['peak_rss_mb']:.0f} MB | under 500 MB |",
        f"| transactions new / flagged | {f['new']:,} / {f['flagged']:,} | |",
    ]
    args.output.with_suffix(".md").write_text("\n".join(lines) + "\n")
    args.output.with_suffix(".json").write_text(json.dumps(f, indent=2) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
