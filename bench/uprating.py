"""The annual uprating of many synthetic current assessments in PostgreSQL, beside the same charges
worked out in memory with no database.

    python -m bench.uprating                   # 100,000 people; writes bench/uprating-results.md
    python -m bench.uprating --people 2000 --output /tmp/u   # a smoke run

Reported as figures and a ratio (the uprating's people per second over the in-memory rate), never
asserted against a clock. Peak resident memory is the process's high-water mark: the job streams
people a page at a time, so it stays flat as the number of people grows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from charging.adapters.tables import financial_assessments
from charging.bootstrap import SERVICE
from charging.domain.figures import figures_history
from charging.domain.financial_assessment import assess
from charging.domain.policy import policy_history
from charging.domain.recorded import result_document
from charging.service_layer import uprating
from pbshared.platform.cli import load_council
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.migrations import upgrade
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.platform.tables import person_copies
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.postgres import create_database, drop_database

HERE = Path(__file__).resolve().parent
COUNCIL = HERE.parent / "councils" / "wyvernshire"
GROUPS = ("older_people", "learning_disability", "physical_support", "mental_health")
CHUNK = 2000


def circumstances(rng: random.Random) -> dict[str, Any]:
    pension_age = rng.random() < 0.6
    income = [
        {
            "kind": "state_pension" if pension_age else "employment_and_support_allowance",
            "weekly_pence": rng.randrange(9000, 30000),
        }
    ]
    if rng.random() < 0.5:
        income.append({"kind": "private_pension", "weekly_pence": rng.randrange(0, 20000)})
    return {
        "assessed_on": "2025-06-02",
        "setting": "at_home",
        "weekly_cost_of_care_pence": rng.randrange(5000, 60000),
        "minimum_income_guarantee_allowance": "single_pension_credit_age"
        if pension_age
        else "single_25_to_pension_credit_age",
        "income": income,
        "own_capital_pence": rng.randrange(0, 2500000),
    }


def people(count: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(2026)
    for _ in range(count):
        yield circumstances(rng)


def histories() -> tuple[Any, Any]:
    documents = read_council_directory(COUNCIL)
    figures = figures_history(d for d in documents if d["kind"] == "national_charging_figures")
    policies = policy_history(d for d in documents if d["kind"] == "charging_policy")
    return figures, policies


async def seed(url: str, count: int) -> None:
    figures, policies = histories()
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        batch_people, batch_assessments = [], []
        for i, c in enumerate(people(count)):
            person_id = uuid.uuid4()
            result = assess(c, figures, policies)
            batch_people.append(
                dict(
                    person_id=person_id,
                    council_id="wyvernshire",
                    council_person_id=f"WY-{i}",
                    given_name="Synthetic",
                    family_name=f"Person {i}",
                    date_of_birth=date(1950, 1, 1),
                    postcode="WV1 1AA",
                    client_group=GROUPS[i % len(GROUPS)],
                    revision=1,
                    updated_at=now,
                )
            )
            batch_assessments.append(
                dict(
                    assessment_id=uuid.uuid4(),
                    council_id="wyvernshire",
                    person_id=person_id,
                    effective_date=result.effective_date,
                    assessed_on=result.effective_date,
                    weekly_charge_pence=result.weekly_charge_pence,
                    circumstances=c,
                    result=result_document(result),
                    revision=1,
                    sequence=1,
                    recorded_at=now,
                    updated_at=now,
                )
            )
            if len(batch_people) == CHUNK or i == count - 1:
                async with session_factory(engine)() as session, session.begin():
                    await session.execute(person_copies.insert(), batch_people)
                    await session.execute(financial_assessments.insert(), batch_assessments)
                batch_people, batch_assessments = [], []
    finally:
        await engine.dispose()


async def settle(url: str) -> None:
    """The seeded tables as a council's long-lived ones are: vacuumed and analysed (PostgreSQL has
    their statistics, their rows' visibility set), and the seed's writes checkpointed, so that neither
    is done during the timed run. Without it, a run began minutes-old work on 100,000 rows just
    written (hint bits set on first read, autovacuum, a checkpoint of the seed's WAL), which a real
    uprating never finds."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM's need
            for table in (financial_assessments.name, person_copies.name):
                await autocommit.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
            await autocommit.exec_driver_sql("CHECKPOINT")
    finally:
        await engine.dispose()


async def uprate(url: str) -> Any:
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        job = await uprating.start_uprating(UnitOfWork(sessions, "charging"), "wyvernshire", 2026, "bench")
        return await uprating.run_uprating(lambda: UnitOfWork(sessions, "charging"), job, 2026)
    finally:
        await engine.dispose()


def in_memory(count: int) -> float:
    """Seconds to work out every person's 2026/27 charge with no database."""
    figures, policies = histories()
    started = time.perf_counter()
    for c in people(count):
        assess({**c, "assessed_on": "2026-04-06"}, figures, policies)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.uprating", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--output", type=Path, default=HERE / "uprating-results")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    url = create_database("uprating")
    try:
        upgrade(SERVICE.migrations_dir, url, metadata=SERVICE.metadata)
        asyncio.run(load_council(SERVICE, COUNCIL, url))
        asyncio.run(seed(url, args.people))
        asyncio.run(settle(url))
        started, cpu_started = time.perf_counter(), time.process_time()
        job = asyncio.run(uprate(url))
        database_seconds = time.perf_counter() - started
        # This process's own CPU (PostgreSQL's is not in it): steadier than the clock on a shared machine.
        job_cpu_seconds = time.process_time() - cpu_started
    finally:
        drop_database(url)
    cpu_started = time.process_time()
    memory_seconds = in_memory(args.people)
    memory_cpu_seconds = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db_rate, memory_rate = args.people / database_seconds, args.people / memory_seconds
    totals = job.totals
    lines = [
        f"# Annual uprating: {args.people:,} current assessments",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| uprating in PostgreSQL (job, pages of {uprating.PAGE}) "
        f"| {database_seconds:.1f} s, {db_rate:,.0f} people/s | under 60 s |",
        f"| same charges in memory, no database | {memory_seconds:.1f} s, {memory_rate:,.0f} people/s | |",
        f"| ratio of the two rates | {db_rate / memory_rate:.3f} | at least 0.3 |",
        f"| CPU of this process: uprating / in memory (PostgreSQL's not counted) "
        f"| {job_cpu_seconds:.1f} s / {memory_cpu_seconds:.1f} s, ratio {memory_cpu_seconds / job_cpu_seconds:.2f} | |",
        f"| load average (1 min) before / after the run | {load_before:.1f} / {os.getloadavg()[0]:.1f} | |",
        f"| peak resident memory of the whole run | {peak_mb:.0f} MB | under 300 MB |",
        "| charges up / down / unchanged / skipped "
        f"| {totals['up']} / {totals['down']} / {totals['unchanged']} / {totals['skipped']} | |",
    ]
    args.output.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
