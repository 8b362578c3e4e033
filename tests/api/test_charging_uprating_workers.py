"""The uprating walked by several workers at once, each in lanes of its own (charging.domain.walk):
side by side, stale, killed or orphaned, every person is uprated once and counted once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from charging.adapters.charge_locks import hold_lane, hold_person
from charging.adapters.tables import financial_assessments
from charging.domain.walk import LANES
from charging.entrypoints.uprate_cli import uprate_every_council
from charging.service_layer import uprating, uprating_helpers
from charging.service_layer.uprating_helpers import DATABASE_URL_VARIABLE, HELPER_MODULE, PARENT_GONE
from pbshared.platform.auth import Role
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import auth, wait_for
from tests.api.test_charging_assessments import person_in, record
from tests.api.test_charging_uprating import PENSIONS, Killed, uprating_events

pytestmark = pytest.mark.integration

PEOPLE = 10 * len(PENSIONS)  # pages of four: a dozen pages and more, in every lane or nearly


async def many_people(charging) -> list[uuid.UUID]:
    people = []
    for n in range(PEOPLE):
        person_id = await person_in(charging)
        income = [{"kind": "state_pension", "weekly_pence": PENSIONS[n % len(PENSIONS)]}]
        assert (await record(charging, person_id, income=income)).status_code == 201
        people.append(person_id)
    return people


@dataclass
class Uprating:
    """A council of PEOPLE assessed for 2025/26, and its 2026/27 uprating job, started."""

    charging: Any
    people: list[uuid.UUID]
    job: Any = None

    def new_uow(self) -> UnitOfWork:
        return UnitOfWork(self.charging.sessions, "charging")

    async def latest(self):
        return await uprating.start_uprating(self.new_uow(), "wyvernshire", 2026, "test")


@pytest.fixture
async def council(api) -> Uprating:
    charging = await api("charging")
    started = Uprating(charging, await many_people(charging))
    started.job = await started.latest()
    return started


async def assert_each_uprated_once(council: Uprating, job) -> None:
    """One new assessment each, one event for each charge that changed, and each counted once."""
    people = council.people
    async with council.charging.sessions() as session:
        rows = await session.execute(select(financial_assessments.c.person_id, financial_assessments.c.sequence))
        stored = rows.all()
    assert sorted(p for p, sequence in stored if sequence == 2) == sorted(people)
    assert len(stored) == 2 * len(people)
    changed = 4 * PEOPLE // len(PENSIONS)  # four of each five pensions' charges go down
    events = await uprating_events(council.charging)
    assert len(events) == changed
    assert len({json.loads(e)["payload"]["person_id"] for e in events}) == changed
    assert job.finished and job.done == len(people)
    assert (job.totals["down"], job.totals["unchanged"], job.totals["up"]) == (changed, PEOPLE - changed, 0)


def helpers_of(job) -> list[int]:
    """The helper processes still running for the job (from /proc: their command lines name it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                command = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if HELPER_MODULE.encode() in command and str(job.job_id).encode() in command:
                found.append(int(proc.name))
    return found


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(uprating, "_CHUNK", 2)
    monkeypatch.setattr(uprating, "_SMALLEST_CHUNK", 1)


async def test_workers_side_by_side_each_uprate_their_own_people(council, small_chunks):
    job = council.job
    # Two start in the same lane, one in the middle: each takes the free lanes as it comes to them.
    walks = [uprating.walk_lanes(council.new_uow, job, 2026, page=4, first_lane=lane) for lane in (0, 0, LANES // 2)]
    finished = await asyncio.gather(*walks)
    latest = await council.latest()
    assert all(f.finished for f in finished)
    await assert_each_uprated_once(council, latest)


async def test_a_worker_that_read_the_job_before_another_committed_does_only_what_is_left(council):
    # A run resumed while a worker of the killed run still goes on: it begins from a checkpoint the
    # other has since moved past. Reading where each lane stands under its lock, it repeats nothing.
    stale = council.job

    def stop_after_three_pages(job) -> None:
        if job.done >= 12:
            raise Killed

    with pytest.raises(Killed):
        await uprating.walk_lanes(council.new_uow, stale, 2026, page=4, progress=stop_after_three_pages)
    assert stale.done == 0 and stale.checkpoint is None  # as the late worker last saw it
    finished = await uprating.walk_lanes(council.new_uow, stale, 2026, page=4)
    await assert_each_uprated_once(council, finished)
    later = await uprating.walk_lanes(council.new_uow, stale, 2026, page=4)
    assert later == finished  # a worker that found nothing left wrote nothing, not even when it ended


async def test_a_run_with_a_helper_process_shares_the_work_and_leaves_no_helper(council):
    job = council.job
    seen = [0]
    helped = []

    async def slowly(progress) -> None:
        # This process's pages are of four: more done since its last means the helper did some.
        helped.append(progress.done - seen[0] > 4)
        seen[0] = progress.done
        await asyncio.sleep(0.3)  # long enough for the helper to start and take lanes

    finished = await uprating.run_uprating(council.new_uow, job, 2026, page=4, workers=2, progress=slowly)
    await assert_each_uprated_once(council, finished)
    assert any(helped), "the helper did no page"
    assert helpers_of(job) == []
    correlation = {json.loads(e)["correlation_id"] for e in await uprating_events(council.charging)}
    assert len(correlation) == 1  # the helper's events are the run's


async def test_a_run_that_fails_stops_its_helper_and_the_next_run_finishes_the_job(council):
    job = council.job

    async def fail_once_the_helper_has_done_some(progress) -> None:
        for _ in range(100):
            latest = await council.latest()
            if latest.done > progress.done:
                raise Killed
            await asyncio.sleep(0.1)
        raise AssertionError("the helper did no page")

    async with council.charging.sessions() as session, session.begin():
        for lane in range(LANES - 4, LANES):  # a page elsewhere holds four lanes: the job cannot finish
            await hold_lane(session, "wyvernshire", lane, wait=True)
        with pytest.raises(Killed):
            await uprating.run_uprating(
                council.new_uow, job, 2026, page=4, workers=2, progress=fail_once_the_helper_has_done_some
            )
        assert helpers_of(job) == []  # stopped, though it was waiting for a lane
    half_way = await council.latest()
    assert 4 < half_way.done < PEOPLE and not half_way.finished
    finished = await uprating.run_uprating(council.new_uow, half_way, 2026, page=4, workers=2)
    await assert_each_uprated_once(council, finished)


async def test_a_helper_ends_when_the_run_that_started_it_is_gone(council, databases):
    job = council.job
    async with council.charging.sessions() as session, session.begin():
        for lane in range(LANES):  # a page elsewhere holds every lane: the helper waits for one
            await hold_lane(session, "wyvernshire", lane, wait=True)
        helper = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", HELPER_MODULE, "--council", "wyvernshire", "--job", str(job.job_id)),
            *("--year", "2026", "--page", "4", "--first-lane", "0", "--correlation-id", "test"),
            stdin=asyncio.subprocess.PIPE,
            env={**os.environ, DATABASE_URL_VARIABLE: databases["charging"]},
        )
        await asyncio.sleep(1.5)  # started and waiting
        assert helper.returncode is None
        helper.stdin.close()  # as when the run is killed: the pipe's far end closes
        assert await asyncio.wait_for(helper.wait(), 10) == PARENT_GONE
    untouched = await council.latest()
    assert untouched.done == 0
    async with council.charging.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(financial_assessments)) == PEOPLE


async def test_a_page_holds_back_changes_to_people_in_its_lanes_only(api):
    charging = await api("charging")
    inside, outside = uuid.UUID(int=(3 << 124) + 1), uuid.UUID(int=(9 << 124) + 1)  # lanes 3 and 9

    async def change(person_id: uuid.UUID) -> None:
        async with charging.sessions() as session, session.begin():
            await session.execute(text("SET LOCAL lock_timeout = '300ms'"))
            await hold_person(session, "wyvernshire", person_id)

    async with charging.sessions() as page, page.begin():
        assert await hold_lane(page, "wyvernshire", 3, wait=False)
        await change(outside)  # another lane's person is not held up
        with pytest.raises(DBAPIError, match="lock timeout"):
            await change(inside)
    async with charging.sessions() as in_hand, in_hand.begin():
        await hold_person(in_hand, "wyvernshire", inside)
        async with charging.sessions() as page, page.begin():  # a page passes over a lane with a change in hand
            assert not await hold_lane(page, "wyvernshire", 3, wait=False)
            assert await hold_lane(page, "wyvernshire", 9, wait=False)


@pytest.fixture
def workers_asked(monkeypatch) -> list[int | None]:
    """The number of workers each run was asked for (by the operator's setting, the command's option)."""
    asked: list[int | None] = []
    counted = uprating_helpers.workers_for

    def spy(people_left: int, dialect: str, workers: int | None) -> int:
        asked.append(workers)
        return counted(people_left, dialect, workers)

    monkeypatch.setattr(uprating_helpers, "workers_for", spy)
    return asked


async def test_the_endpoint_runs_with_the_workers_the_operator_set(api, workers_asked):
    charging = await api("charging", uprating_workers=2)  # as PB_UPRATING_WORKERS=2 sets it
    council = Uprating(charging, await many_people(charging))
    started = await charging.client.post("/uprating-jobs", json={"year": 2026}, headers=auth(Role.admin))
    assert started.status_code == 202, started.text
    job = await council.latest()

    async def finished() -> bool:
        return (await council.latest()).finished and helpers_of(job) == []

    await wait_for(finished, 30, "the uprating job and its helper")
    await assert_each_uprated_once(council, await council.latest())
    assert workers_asked == [2]


async def test_the_command_runs_with_the_workers_asked_for(council, databases, workers_asked):
    [job] = await uprate_every_council(2026, databases["charging"], page=4, workers=2)
    await assert_each_uprated_once(council, job)
    assert workers_asked == [2] and helpers_of(job) == []


async def test_helpers_already_started_are_stopped_when_the_next_cannot_start(council, monkeypatch):
    start = uprating_helpers._start
    started = []

    async def second_fails(*args):
        if started:
            raise OSError("no more processes")
        started.append(await start(*args))
        return started[-1]

    monkeypatch.setattr(uprating_helpers, "_start", second_fails)
    with pytest.raises(OSError, match="no more processes"):
        await uprating.run_uprating(council.new_uow, council.job, 2026, page=4, workers=3)
    assert started and started[0].returncode is not None and helpers_of(council.job) == []
