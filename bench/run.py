"""Run every benchmark once and write bench/results.md and bench/results.json.

    python -m bench.run            # the full run (a few minutes)
    python -m bench.run --quick    # a smoke run; writes bench/results-quick.*

One fresh Tansu broker and one fresh PostgreSQL database serve the whole run, so each platform
figure and its raw baseline were measured on the same broker, minutes apart.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from bench import ledger_import, report
from bench.brokerage import measure_brokerage
from bench.memory import measure_idle_memory
from bench.messaging import measure_messaging
from bench.parameters import Parameters
from bench.ras import measure_ras
from bench.report import Results
from bench.workload import envelope_size
from pbshared.platform.migrations import upgrade
from pbshared.testing.broker import TansuBroker
from pbshared.testing.postgres import create_database, drop_database
from tools import services

HERE = Path(__file__).resolve().parent


def parse(argv: list[str] | None) -> tuple[Parameters, Path]:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, help="events in each throughput burst (default 20000; quick 2000)")
    parser.add_argument("--rate", type=float, default=1000.0, help="events per second in the latency phase")
    parser.add_argument("--bids", type=int, help="brokerage bids under concurrent load (default 2000; quick 200)")
    parser.add_argument("--evaluate", type=int, help="closed packages evaluated (default 10000; quick 200)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--output", type=Path, help="results file stem (default bench/results)")
    parser.add_argument(
        "--card-transactions", type=int, help="card statement lines to import (default 1,000,000; quick 2,000)"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    parameters = Parameters(
        events=args.events or (2000 if quick else 20000),
        rate=args.rate,
        steady_seconds=3.0 if quick else 10.0,
        light_rate=100.0,
        light_seconds=2.0 if quick else 5.0,
        per_transaction=10,
        writers=4,
        warmup_events=200 if quick else 1000,
        idle_seconds=2.0 if quick else 5.0,
        message_bytes=envelope_size(),
        bids=args.bids or (200 if quick else 2000),
        packages_to_evaluate=args.evaluate or (200 if quick else 10000),
        ras_seconds=1.0 if quick else 10.0,
        card_transactions=args.card_transactions or (2000 if quick else 1_000_000),
    )
    return parameters, args.output or HERE / ("results-quick" if quick else "results")


def main(argv: list[str] | None = None) -> int:
    parameters, output = parse(argv)
    results = Results(parameters=asdict(parameters))
    results.details["load average before the run"] = _load()
    with TansuBroker() as broker, fresh_database() as database_url:
        # Idle first: after the messaging phase every service's consumer would start on its backlog of
        # person events, and that is not idle (a busy ledger once missed /ready's two seconds).
        measure_idle_memory(results, parameters, broker.bootstrap_servers)
        asyncio.run(measure_messaging(results, parameters, broker.bootstrap_servers, database_url))
        with tempfile.TemporaryDirectory(prefix="pb-bench-ras-") as workdir:
            measure_ras(results, parameters, database_url, Path(workdir))
    measure_brokerage(results, parameters.bids, parameters.bid_concurrency, parameters.packages_to_evaluate)
    # The ledger's statement import against PostgreSQL's own COPY, in a database of its own.
    keep = HERE / "ledger-import-results" if output == HERE / "results" else None
    ledger_import.add_figures(
        results, parameters.card_transactions, max(parameters.card_transactions // 50, 10), keep=keep
    )
    # The machine may be shared: a high load means other work took cores from these figures.
    results.details["load average after the run"] = _load()
    print(report.table(results))
    print()
    for key, value in results.details.items():
        print(f"{key}: {value}")
    report.write(results, output)
    print(f"\nwritten: {output.with_suffix('.md')} and {output.with_suffix('.json')}")
    return 0


def _load() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1 / 5 / 15 min)"


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new PostgreSQL database with RAS's tables (outbox, inbox, person_copies among them)."""
    url = create_database("bench")
    try:
        upgrade(services.definition("ras").migrations_dir, url)
        yield url
    finally:
        drop_database(url)


if __name__ == "__main__":
    raise SystemExit(main())
