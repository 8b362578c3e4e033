"""Deadline timers fired many to a transaction: a batch closes each round as one timer at a time
would (award to the best bid, or re-advertise), and a step that fails loses no other timer of its
batch: it stays due, and fires once the fault is gone."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta

import pytest

from brokerage.service_layer import awarding
from brokerage.service_layer.timers import fire_due
from pbshared.platform.migrations import upgrade
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import RunningService, service_settings
from tests.api.brokerage_support import BROKER, Brokerage
from tests.councils import load_sample_council
from tools.services import definition

pytestmark = pytest.mark.integration
PROVIDERS = ["p1", "p2", "p3"]


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'brokerage.db'}"
    upgrade(definition("brokerage").migrations_dir, url, metadata=definition("brokerage").metadata)
    return url


# The batch's statements (locks, IN lists, executemany updates) on both databases the service runs on.
@pytest.fixture(params=["postgresql", "sqlite"])
async def brokerage(request, api, sqlite_url) -> AsyncIterator[Brokerage]:
    async with AsyncExitStack() as stack:
        if request.param == "postgresql":
            service = await api("brokerage")
        else:
            settings = service_settings(
                definition("brokerage"), sqlite_url, "127.0.0.1:1", relay_enabled=False, consumers_enabled=False
            )
            service = await stack.enter_async_context(RunningService(definition("brokerage"), settings))
            await load_sample_council(service)
        b = Brokerage(service)
        for provider_id in PROVIDERS:
            await b.admitted_provider(provider_id)
        yield b


async def _package(b: Brokerage, package_id: str) -> dict:
    return (await b.client.get(f"/packages/{package_id}", headers=BROKER)).json()


async def test_a_batch_awards_each_round_with_bids_and_readvertises_each_without(brokerage: Brokerage) -> None:
    b = brokerage
    person_id = await b.person()
    with_bids = [(await b.package(person_id))["package_id"] for _ in range(4)]
    without = [(await b.package(person_id))["package_id"] for _ in range(2)]
    best = {}
    for n, package_id in enumerate(with_bids):
        for i, provider_id in enumerate(PROVIDERS):
            placed = await b.bid(package_id, provider_id, 2000 + 10 * ((i + n) % 3))
            assert placed.status_code == 201, placed.text
            if (i + n) % 3 == 0:
                best[package_id] = placed.json()["bid_id"]  # the lowest rate, the same rating: ranked first
    b.move_to(b.now + timedelta(hours=24))

    assert await fire_due(lambda: UnitOfWork(b.service.sessions, "brokerage"), b.now, batch=4) == 6

    for package_id in with_bids:
        package = await _package(b, package_id)
        assert package["status"] == "awarded" and package["awarded_bid_id"] == best[package_id]
        assert [entry["rank"] for entry in package["ranking"]] == [1, 2, 3]
    for package_id in without:
        assert (await _package(b, package_id))["round"] == 2
    events = await b.events()
    assert (events.count("package.awarded"), events.count("package.unfilled")) == (4, 2)
    assert await b.fire_timers() == 0  # each fired once


async def test_a_failing_step_leaves_its_timer_due_and_the_rest_of_its_batch_fired(
    brokerage: Brokerage, monkeypatch: pytest.MonkeyPatch
) -> None:
    b = brokerage
    person_id = await b.person()
    package_ids = [(await b.package(person_id))["package_id"] for _ in range(5)]
    for package_id in package_ids:
        assert (await b.bid(package_id, "p1", 2100)).status_code == 201
    faulty = package_ids[2]
    ranking = awarding._ranking

    def failing(package, *args):
        if str(package.package_id) == faulty:
            raise RuntimeError("a fault in one package's evaluation")
        return ranking(package, *args)

    monkeypatch.setattr(awarding, "_ranking", failing)
    b.move_to(b.now + timedelta(hours=24))

    assert await b.fire_timers() == 4
    statuses = {package_id: (await _package(b, package_id))["status"] for package_id in package_ids}
    assert statuses == {p: "advertised" if p == faulty else "awarded" for p in package_ids}

    monkeypatch.setattr(awarding, "_ranking", ranking)
    assert await b.fire_timers() == 1  # still due, once the fault is gone
    assert (await _package(b, faulty))["status"] == "awarded"
    assert (await b.events()).count("package.awarded") == 5


async def test_the_collector_is_held_off_while_a_batch_is_in_hand_and_back_on_after_it_fails(
    brokerage: Brokerage, monkeypatch: pytest.MonkeyPatch
) -> None:
    b = brokerage
    person_id = await b.person()
    for package_id in [(await b.package(person_id))["package_id"] for _ in range(2)]:
        assert (await b.bid(package_id, "p1", 2100)).status_code == 201
    collector_on: list[bool] = []
    ranking = awarding._ranking

    def watched(package, *args):
        collector_on.append(gc.isenabled())
        if len(collector_on) == 1:
            raise RuntimeError("a fault the first time only")
        return ranking(package, *args)

    monkeypatch.setattr(awarding, "_ranking", watched)
    b.move_to(b.now + timedelta(hours=24))

    assert await b.fire_timers() == 2  # the batch failed; each then fired on its own
    assert collector_on == [False, True, True]  # off in the batch; a timer on its own is left alone
    assert gc.isenabled()
