"""Brokerage under load, each figure beside a baseline measured in the same run on the same database.

1. Bids: many providers bid at once through the API (sealed-bid checks, eligibility, ceiling, one
   insert), against a bare endpoint on the same app that verifies the token and commits one row.
   Both are driven by the same closed loop of concurrent clients over the in-process ASGI transport,
   so the ratio is the cost of a bid beyond authentication and a commit.
2. Evaluation: N closed packages of 20 bids each, evaluated by the deadline timers as the service's
   worker fires them (a batch of due timers a transaction: lock, rank, award, publish, set the
   acceptance timers), against the same ranking done in memory with no database.

    python -m bench.brokerage --bids 2000 --evaluate 10000   # alone; bench.run calls measure_brokerage
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Column, DateTime, MetaData, String, Table, Uuid, insert, text

from bench.report import Figure, Results, percentile
from brokerage.adapters.tables import bids, package_rounds, packages, providers, timers
from brokerage.bootstrap import SERVICE
from brokerage.domain.evaluation import ProviderRecord, SealedBid, rank_bids
from brokerage.domain.reference.dps_rules import DpsRules
from brokerage.entrypoints.clock import current_time
from brokerage.service_layer.timers import fire_due
from pbshared.contract.events.brokerage import CqcRating
from pbshared.platform.auth import CurrentPrincipal, Role
from pbshared.platform.cli import load_council
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.deps import Uow
from pbshared.platform.migrations import upgrade
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.platform.settings import ServiceSettings
from pbshared.platform.tables import person_copies
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import RunningService, auth, service_settings
from pbshared.testing.postgres import create_database, drop_database

HERE = Path(__file__).resolve().parent
COUNCIL_DIR = HERE.parent / "councils" / "wyvernshire"
COUNCIL = "wyvernshire"
NOW = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)  # the clock every request is judged at
PROVIDERS = 40  # bidding at once; each bids once per package
BIDS_PER_PACKAGE = 20
BIDS_PER_SECOND_TARGET = 500.0
BID_P99_TARGET_MS = 200.0
EVALUATION_RATIO_TARGET = 0.5

bench_metadata = MetaData()
bare_rows = Table(
    "bench_bare_rows",
    bench_metadata,
    Column("row_id", Uuid, primary_key=True),
    Column("provider_id", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Load:
    """A closed loop of concurrent clients: how many succeeded, in how long, at what latencies."""

    succeeded: int
    failed: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.succeeded / self.seconds if self.seconds else 0.0


async def drive(requests: list[Callable[[], Awaitable[httpx.Response]]], concurrency: int, ok: int) -> Load:
    pending = iter(requests)
    latencies: list[float] = []
    outcome = {"ok": 0, "failed": 0}

    async def client() -> None:
        for request in pending:  # one shared iterator: each request is sent by one client
            started = time.perf_counter()
            response = await request()
            latencies.append((time.perf_counter() - started) * 1000)
            outcome["ok" if response.status_code == ok else "failed"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return Load(outcome["ok"], outcome["failed"], time.perf_counter() - started, latencies)


async def _bench_clock() -> datetime:
    return NOW  # async, as the real clock: a sync override would run in FastAPI's thread pool


def _bare_endpoint(service: RunningService) -> None:
    """Beside the bid route, on the same app, pool and middleware: verify the token, commit one row."""

    async def bare(principal: CurrentPrincipal, uow: Uow) -> dict[str, str]:
        async with uow:
            await uow.session.execute(
                insert(bare_rows).values(row_id=uuid.uuid4(), provider_id=principal.provider_id, at=NOW)
            )
            await uow.commit()
        return {"ok": "committed"}

    service.app.add_api_route("/bench/bare", bare, methods=["POST"], status_code=201)
    service.app.state.access_policy.rows[("POST", "/bench/bare")] = frozenset({Role.provider})


async def _market(service: RunningService, packages_wanted: int) -> tuple[list[str], list[str]]:
    """Providers admitted to home care in the north, and packages advertised to them all."""
    client, admin, broker = service.client, auth(Role.admin), auth(Role.broker)
    person_id = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(person_copies).values(
                person_id=person_id,
                council_id=COUNCIL,
                council_person_id="WY-BENCH",
                given_name="Synthetic",
                family_name="Person",
                date_of_birth=date(1940, 1, 1),
                postcode="WV1 2AB",
                client_group="older_people",
                revision=1,
                updated_at=NOW,
            )
        )
    provider_ids = [f"bench-{i:03d}" for i in range(PROVIDERS)]
    for provider_id in provider_ids:
        application = {
            "name": provider_id,
            "rating": "good",
            "capacity_hours_per_week": 50000,
            "lots": ["home_care"],
            "areas": ["north"],
        }
        applied = await client.post(
            "/providers", json=application, headers=auth(Role.provider, provider_id=provider_id)
        )
        assert applied.status_code == 201, applied.text
        decision = {"revision": 1, "admit": [{"lot": "home_care", "area": "north"}]}
        decided = await client.post(f"/providers/{provider_id}/decision", json=decision, headers=admin)
        assert decided.status_code == 200, decided.text
    package_ids = []
    for _ in range(packages_wanted):
        body = {
            "person_id": str(person_id),
            "lot": "home_care",
            "units_per_week": "10.5",
            "carers_per_visit": 1,
            "visit_pattern": "morning and evening",
            "start_date": (NOW + timedelta(days=3)).date().isoformat(),
            "latest_start_date": (NOW + timedelta(days=10)).date().isoformat(),
        }
        raised = await client.post("/packages", json=body, headers=broker)
        assert raised.status_code == 201, raised.text
        package_ids.append(raised.json()["package_id"])
    return provider_ids, package_ids


async def measure_bids(url: str, count: int, concurrency: int) -> tuple[Load, Load]:
    # The production pool (ServiceSettings' defaults), not the smaller one the test harness keeps.
    pool = {
        name: ServiceSettings.model_fields[name].default for name in ("database_pool_size", "database_pool_overflow")
    }
    settings = service_settings(SERVICE, url, "127.0.0.1:1", relay_enabled=False, consumers_enabled=False, **pool)
    async with RunningService(SERVICE, settings) as service:
        service.app.dependency_overrides[current_time] = _bench_clock
        _bare_endpoint(service)
        async with service.app.state.engine.begin() as connection:
            await connection.run_sync(bench_metadata.create_all)
        provider_ids, package_ids = await _market(service, -(-count // PROVIDERS))
        headers = {p: auth(Role.provider, provider_id=p) for p in provider_ids}
        start = (NOW + timedelta(days=4)).date().isoformat()
        client = service.client

        def bid(package_id: str, provider_id: str) -> Callable[[], Awaitable[httpx.Response]]:
            body = {"rate_pence": random.randrange(1800, 2450), "earliest_start": start}
            return lambda: client.post(f"/adverts/{package_id}/bids", json=body, headers=headers[provider_id])

        def bare(provider_id: str) -> Callable[[], Awaitable[httpx.Response]]:
            return lambda: client.post("/bench/bare", headers=headers[provider_id])

        # Provider by provider within each package, so that concurrent bids meet on one package.
        pairs = [(pkg, p) for pkg in package_ids for p in provider_ids][:count]
        await drive([bare(p) for _, p in pairs[: min(200, count)]], concurrency, 201)  # warm the pool and paths
        baseline = await drive([bare(p) for _, p in pairs], concurrency, 201)
        measured = await drive([bid(pkg, p) for pkg, p in pairs], concurrency, 201)
    return measured, baseline


def _rules() -> DpsRules:
    [document] = [d for d in read_council_directory(COUNCIL_DIR) if d["kind"] == "dps_rules"][-1:]
    return DpsRules.model_validate(document["payload"])


async def _seed_closed(url: str, count: int) -> tuple[list[list[SealedBid]], dict[str, ProviderRecord]]:
    """`count` packages whose bidding closed at NOW, each with BIDS_PER_PACKAGE open bids, and their timers."""
    rng = random.Random(2026)
    ratings = [CqcRating.good, CqcRating.outstanding, CqcRating.requires_improvement]
    records = {
        f"eval-{i:02d}": ProviderRecord(ratings[i % 3], accepted_packages=i, handed_back_packages=i // 5)
        for i in range(BIDS_PER_PACKAGE)
    }
    engine = create_engine(url)
    every: list[list[SealedBid]] = []
    try:
        async with session_factory(engine)() as session, session.begin():
            await session.execute(
                insert(providers),
                [
                    dict(
                        council_id=COUNCIL,
                        provider_id=provider_id,
                        name=provider_id,
                        cqc_location_id=None,
                        rating=str(record.rating),
                        capacity_hours_per_week=99999,
                        committed_hours_per_week=0,
                        status="active",
                        status_reason=None,
                        applied_for=[["home_care", "north"]],
                        admitted_to=[["home_care", "north"]],
                        refusals=[],
                        accepted_packages=record.accepted_packages,
                        handed_back_packages=record.handed_back_packages,
                        revision=1,
                        updated_at=NOW,
                    )
                    for provider_id, record in records.items()
                ],
            )
        for first in range(0, count, 500):
            rows, bid_rows, timer_rows, round_rows = [], [], [], []
            for _ in range(first, min(first + 500, count)):
                package_id = uuid.uuid4()
                rows.append(_package_row(package_id))
                sealed = []
                for provider_id in records:
                    bid = SealedBid(uuid.uuid4(), provider_id, rng.randrange(1800, 2450), date(2026, 4, 24), NOW)
                    sealed.append(bid)
                    bid_rows.append(
                        dict(
                            bid_id=bid.bid_id,
                            package_id=package_id,
                            round=1,
                            council_id=COUNCIL,
                            provider_id=provider_id,
                            rate_pence=bid.rate_pence,
                            earliest_start=bid.earliest_start,
                            notes=None,
                            status="open",
                            revision=1,
                            submitted_at=NOW - timedelta(hours=1),
                        )
                    )
                every.append(sealed)
                timer_rows.append(
                    dict(
                        timer_id=uuid.uuid4(),
                        council_id=COUNCIL,
                        kind="bidding_closes",
                        package_id=package_id,
                        key="1",
                        due_at=NOW,
                    )
                )
                round_rows.append(
                    dict(package_id=package_id, round=1, council_id=COUNCIL, advertised_at=NOW - timedelta(hours=24))
                )
            async with session_factory(engine)() as session, session.begin():
                await session.execute(insert(packages), rows)
                await session.execute(insert(bids), bid_rows)
                await session.execute(insert(timers), timer_rows)
                await session.execute(insert(package_rounds), round_rows)
        # Planner statistics, as a table in service has them (autovacuum analyses it): without them,
        # PostgreSQL takes the freshly loaded tables for empty and scans every bid for each batch.
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE packages, bids, timers, package_rounds, providers"))
            await connection.commit()
    finally:
        await engine.dispose()
    return every, records


def _package_row(package_id: uuid.UUID) -> dict:
    return dict(
        package_id=package_id,
        council_id=COUNCIL,
        person_id=uuid.uuid4(),
        origin="broker",
        budget_id=None,
        lot="home_care",
        area="north",
        unit="hour",
        units_per_week=10.5,
        carers_per_visit=1,
        visit_pattern="morning and evening",
        requirements=[],
        start_date=date(2026, 4, 23),
        latest_start_date=date(2026, 4, 30),
        urgency="normal",
        ceiling_pence=2450,
        status="advertised",
        round=1,
        areas=["north"],
        deadline=NOW,
        ranking=None,
        awarded_bid_id=None,
        accept_by=None,
        escalation_reason=None,
        revision=1,
        requested_at=NOW - timedelta(hours=24),
        budget_revision=None,
        needs_from_round=1,
        awarded_at=None,
        withdrawal_reason=None,
    )


async def _evaluate(url: str, count: int) -> tuple[float, int]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        started = time.perf_counter()
        fired = await fire_due(lambda: UnitOfWork(sessions, "brokerage"), NOW + timedelta(seconds=1), limit=count)
        return time.perf_counter() - started, fired
    finally:
        await engine.dispose()


def _in_memory(every: list[list[SealedBid]], records: dict[str, ProviderRecord], rules: DpsRules) -> float:
    lot = rules.lot("home_care")
    assert lot is not None
    started = time.perf_counter()
    for sealed in every:
        rank_bids(sealed, records, lot, rules.quality)
    return time.perf_counter() - started


def _fresh() -> str:
    url = create_database("bench_brokerage")
    upgrade(SERVICE.migrations_dir, url, metadata=SERVICE.metadata)
    asyncio.run(load_council(SERVICE, COUNCIL_DIR, url))
    return url


def measure_brokerage(results: Results, bids_wanted: int, concurrency: int, to_evaluate: int) -> None:
    url = _fresh()
    try:
        measured, baseline = asyncio.run(measure_bids(url, bids_wanted, concurrency))
    finally:
        drop_database(url)
    where = f"{bids_wanted:,} bids, {concurrency} at once"
    results.add(
        Figure(
            f"bids accepted per second ({where}), against a bare endpoint (token + one row)",
            "/s",
            measured.per_second,
            baseline.per_second,
            target=f">= {BIDS_PER_SECOND_TARGET:.0f}/s",
            met=measured.per_second >= BIDS_PER_SECOND_TARGET and measured.failed == 0,
        )
    )
    for p in (50, 99):
        value, base = percentile(measured.latencies_ms, p), percentile(baseline.latencies_ms, p)
        target = f"< {BID_P99_TARGET_MS:.0f} ms" if p == 99 else "-"
        met = (value is not None and value < BID_P99_TARGET_MS) if p == 99 else None
        results.add(Figure(f"bid latency p{p} ({where}), against the bare endpoint", "ms", value, base, target, met))
    results.details["bids refused or failed under load"] = measured.failed

    url = _fresh()
    try:
        every, records = asyncio.run(_seed_closed(url, to_evaluate))
        database_seconds, fired = asyncio.run(_evaluate(url, to_evaluate))
    finally:
        drop_database(url)
    memory_seconds = _in_memory(every, records, _rules())
    results.add(
        Figure(
            f"evaluation of {to_evaluate:,} closed packages of {BIDS_PER_PACKAGE} bids (timers, one worker), "
            "against the same ranking in memory",
            "packages/s",
            fired / database_seconds,
            to_evaluate / memory_seconds,
            target=f">= {EVALUATION_RATIO_TARGET} of in memory",
            met=(fired / database_seconds) / (to_evaluate / memory_seconds) >= EVALUATION_RATIO_TARGET,
        )
    )
    results.details["packages evaluated by the timers"] = fired


def main(argv: list[str] | None = None) -> int:
    from bench import report

    parser = argparse.ArgumentParser(prog="python -m bench.brokerage", description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--evaluate", type=int, default=10000)
    args = parser.parse_args(argv)
    results = Results(parameters=vars(args))
    measure_brokerage(results, args.bids, args.concurrency, args.evaluate)
    print(report.table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
