"""Races at the deadline, on PostgreSQL: many providers bidding at once as the deadline timer fires
lose no accepted bid and get none accepted after it; timers set by one process fire once, from
another process's engine (as after a restart), even with two of them polling at once."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest

from brokerage.entrypoints.timer_loop import run_timers
from brokerage.service_layer.timers import fire_due
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import wait_for
from tests.api.brokerage_support import BROKER, Brokerage

pytestmark = pytest.mark.integration
PROVIDERS = [f"p{i:02d}" for i in range(16)]


@pytest.fixture
async def brokerage(api) -> Brokerage:
    b = Brokerage(await api("brokerage"))
    for provider_id in PROVIDERS:
        await b.admitted_provider(provider_id)
    return b


async def test_bids_racing_the_deadline_are_either_ranked_or_refused_as_closed(brokerage: Brokerage) -> None:
    b = brokerage
    person_id = await b.person()
    for round_number in range(3):
        package_id = (await b.package(person_id))["package_id"]
        deadline = b.now + timedelta(hours=24)
        early = await b.bid(package_id, PROVIDERS[0], 2400)  # so the round is awarded, not re-advertised
        b.move_to(deadline - timedelta(seconds=1))  # every request thinks it is just in time
        half = len(PROVIDERS) // 2
        evaluation = fire_due(lambda: UnitOfWork(b.service.sessions, "brokerage"), deadline)
        racing = [b.bid(package_id, p, 2000 + i) for i, p in enumerate(PROVIDERS[1:])]
        results = await asyncio.gather(*racing[:half], evaluation, *racing[half:])
        responses = [r for r in results if not isinstance(r, int)]

        accepted = {r.json()["bid_id"] for r in [early, *responses] if r.status_code == 201}
        refused = [r for r in responses if r.status_code != 201]
        assert all(r.status_code == 422 for r in refused), [r.text for r in refused]
        assert all(r.json()["errors"][0]["loc"][-1] == "package_id" for r in refused)
        package = (await b.client.get(f"/packages/{package_id}", headers=BROKER)).json()
        assert {entry["bid_id"] for entry in package["ranking"] or []} == accepted, f"round {round_number}"

        b.move_to(deadline + timedelta(seconds=1))
        late = await asyncio.gather(*(b.bid(package_id, p, 2000) for p in PROVIDERS))
        assert {r.status_code for r in late} == {422}
        b.move_to(deadline + timedelta(days=1))


async def test_timers_fire_once_from_two_fresh_processes_polling_together(brokerage: Brokerage, databases) -> None:
    b = brokerage
    person_id = await b.person()
    packages = [(await b.package(person_id))["package_id"] for _ in range(6)]
    due = b.now + timedelta(hours=24)
    engines = [create_engine(databases["brokerage"]) for _ in range(2)]
    try:
        fired = await asyncio.gather(
            *(fire_due(lambda e=e: UnitOfWork(session_factory(e), "brokerage"), due) for e in engines)
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(fired) == len(packages)
    events = await b.events()
    assert events.count("package.unfilled") == len(packages)
    assert events.count("package.advertised") == 2 * len(packages)  # each re-advertised once


async def test_the_workers_loop_fires_timers_due_by_the_real_clock(brokerage: Brokerage) -> None:
    b = brokerage
    package_id = (await b.package(await b.person(), urgency="urgent"))["package_id"]  # due in April 2026
    loop = asyncio.create_task(run_timers(b.service.app))
    try:

        async def readvertised() -> bool:
            package = (await b.client.get(f"/packages/{package_id}", headers=BROKER)).json()
            return package["round"] == 2

        await wait_for(readvertised, what="the deadline timer to fire")
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
