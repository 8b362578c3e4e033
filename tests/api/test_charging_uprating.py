"""The annual uprating: every current charge worked out with the new year's figures, once, resumable."""

from __future__ import annotations

import gc

import pytest
from sqlalchemy import func, select

from charging.adapters.assessments_repository import AssessmentsRepository
from charging.adapters.tables import financial_assessments
from charging.entrypoints.uprate_cli import uprate_every_council
from charging.service_layer import uprating
from pbshared.platform.auth import Role
from pbshared.platform.tables import outbox
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import auth, wait_for
from tests.api.test_charging_assessments import person_in, record
from tests.api.test_charging_health import Inbox, budget_ended

pytestmark = pytest.mark.integration

# Pensions a week: the 2026/27 MIG takes more of each than 2025/26's did, so these charges go down;
# the last has no charge either year, and one stays the same.
PENSIONS = (23000, 25000, 27000, 30000, 12000)


class Killed(Exception):
    pass


async def assessed_people(charging) -> list:
    people = []
    for pension in PENSIONS:
        person_id = await person_in(charging)
        income = [{"kind": "state_pension", "weekly_pence": pension}]
        assert (await record(charging, person_id, income=income)).status_code == 201
        people.append(person_id)
    return people


async def uprating_events(charging) -> list[str]:
    async with charging.sessions() as session:
        rows = await session.execute(
            select(outbox.c.message).where(outbox.c.event_type == "contribution.changed").order_by(outbox.c.id)
        )
        return [m for m in rows.scalars() if '"annual_uprating"' in m]


async def test_a_run_killed_half_way_resumes_and_a_second_run_changes_nothing(api):
    charging = await api("charging")
    people = await assessed_people(charging)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(charging.sessions, "charging")

    job = await uprating.start_uprating(new_uow(), "wyvernshire", 2026, "test")
    assert (job.total, job.done) == (len(people), 0)

    def kill_after_first_page(progress) -> None:
        raise Killed

    with pytest.raises(Killed):
        await uprating.run_uprating(new_uow, job, 2026, page=2, progress=kill_after_first_page)
    half_way = await uprating.start_uprating(new_uow(), "wyvernshire", 2026, "test")
    assert (half_way.job_id, half_way.done, half_way.finished) == (job.job_id, 2, False)
    changed_on_first_page = half_way.totals["down"] + half_way.totals["up"]
    assert half_way.totals["unchanged"] + changed_on_first_page == 2
    assert len(await uprating_events(charging)) == changed_on_first_page  # the first page committed, only it

    finished = await uprating.run_uprating(new_uow, half_way, 2026, page=2)
    totals = finished.totals
    assert finished.done == len(people)
    assert (totals["down"], totals["unchanged"], totals["up"]) == (4, 1, 0)
    assert totals["weekly_effect_pence"]["older_people"] < 0
    events = await uprating_events(charging)
    assert len(events) == 4  # only where the charge changed, each once despite the kill

    again = await uprating.start_uprating(new_uow(), "wyvernshire", 2026, "test")
    assert again.finished and again.totals == totals
    assert await uprating.run_uprating(new_uow, again, 2026) == again
    async with charging.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(financial_assessments))
    assert rows == 2 * len(people)  # one uprated assessment each, beside the one it supersedes
    assert len(await uprating_events(charging)) == 4


async def test_a_page_read_and_stored_a_chunk_at_a_time_misses_no_one_and_counts_each_once(api, monkeypatch):
    charging = await api("charging")
    people = await assessed_people(charging)
    # Pages of four, in chunks of one, two and one (growing from the smallest and back): every boundary crossed.
    monkeypatch.setattr(uprating, "_CHUNK", 2)
    monkeypatch.setattr(uprating, "_SMALLEST_CHUNK", 1)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(charging.sessions, "charging")

    job = await uprating.start_uprating(new_uow(), "wyvernshire", 2026, "test")
    finished = await uprating.run_uprating(new_uow, job, 2026, page=4)
    totals = finished.totals
    assert finished.done == len(people)
    assert (totals["down"], totals["unchanged"], totals["up"]) == (4, 1, 0)
    assert len(await uprating_events(charging)) == 4
    async with charging.sessions() as session:
        uprated = await session.execute(
            select(financial_assessments.c.person_id).where(financial_assessments.c.sequence == 2)
        )
    assert sorted(uprated.scalars()) == sorted(people)


async def test_a_failure_while_a_chunk_is_being_stored_rolls_the_page_back_whole(api, monkeypatch):
    charging = await api("charging")
    people = await assessed_people(charging)
    monkeypatch.setattr(uprating, "_CHUNK", 2)
    monkeypatch.setattr(uprating, "_SMALLEST_CHUNK", 1)
    worked_out = uprating._uprate_one

    async def fails_at_the_third(*args, **kwargs):
        if len(seen) == 2:  # the first chunk's reads and writes are queued or under way
            raise Killed
        seen.append(1)
        return await worked_out(*args, **kwargs)

    seen: list[int] = []
    monkeypatch.setattr(uprating, "_uprate_one", fails_at_the_third)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(charging.sessions, "charging")

    job = await uprating.start_uprating(new_uow(), "wyvernshire", 2026, "test")
    with pytest.raises(Killed):
        await uprating.run_uprating(new_uow, job, 2026, page=5)
    async with charging.sessions() as session:
        stored = await session.scalar(select(func.count()).select_from(financial_assessments))
    assert stored == len(people) and await uprating_events(charging) == []  # nothing of the page kept

    monkeypatch.setattr(uprating, "_uprate_one", worked_out)
    again = await uprating.start_uprating(new_uow(), "wyvernshire", 2026, "test")
    finished = await uprating.run_uprating(new_uow, again, 2026, page=5)
    assert finished.done == len(people) and len(await uprating_events(charging)) == 4


async def test_the_endpoint_runs_the_job_and_its_progress_is_readable(api):
    charging = await api("charging")
    await assessed_people(charging)
    started = await charging.client.post("/uprating-jobs", json={"year": 2026}, headers=auth(Role.finance_officer))
    assert started.status_code == 202, started.text
    url = started.headers["Location"]

    async def finished() -> bool:
        return (await charging.client.get(url, headers=auth(Role.auditor))).json()["status"] == "finished"

    await wait_for(finished, 30, "the uprating job")
    job = (await charging.client.get(url, headers=auth(Role.auditor))).json()
    assert (job["done"], job["total"], job["totals"]["down"]) == (5, 5, 4)
    [older_people, everyone] = job["income_effect"]
    assert older_people["client_group"] == "older_people" and everyone["client_group"] == "all"
    assert everyone["yearly_pence"] == everyone["weekly_pence"] * 52 < 0
    refused = await charging.client.post("/uprating-jobs", json={"year": 2031}, headers=auth(Role.admin))
    assert refused.status_code == 404 and refused.json()["errors"][0]["loc"] == ["body", "year"]


async def test_the_command_shows_progress_and_ends_with_the_totals(api, databases, capsys):
    charging = await api("charging")
    await assessed_people(charging)
    [job] = await uprate_every_council(2026, databases["charging"], page=2)
    assert job.finished and job.done == 5
    shown = capsys.readouterr().out
    assert "Uprating 2026/27, wyvernshire: 5 people" in shown
    assert "older_people" in shown and "unchanged" in shown


async def test_the_garbage_collector_is_on_again_after_a_page_that_failed(api, monkeypatch):
    # Each page pauses the cyclic collector (pbshared.platform.jobs.run_steps); a failure must not leave it off.
    charging = await api("charging")
    await assessed_people(charging)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(charging.sessions, "charging")

    async def fail(*_args, **_kwargs) -> None:
        assert not gc.isenabled()  # paused while the page is worked out
        raise Killed

    job = await uprating.start_uprating(new_uow(), "wyvernshire", 2026, "test")
    monkeypatch.setattr(AssessmentsRepository, "add_many", fail)
    with pytest.raises(Killed):
        await uprating.run_uprating(new_uow, job, 2026, page=2)
    assert gc.isenabled()
    monkeypatch.undo()
    assert (await uprating.run_uprating(new_uow, job, 2026, page=2)).done == 5
    assert gc.isenabled()


async def test_the_uprating_keeps_a_budgets_end_that_falls_in_the_new_year(api):
    # The budget ends on 31 May 2026, after the uprating's first day: the uprated charge applies from
    # then until the end, and nothing after it.
    charging = await api("charging")
    [person_id, *_] = await assessed_people(charging)
    inbox = Inbox(charging)
    assert await inbox.send(budget_ended(person_id, "2026-05-31"), "ras") == "handled"
    before = await inbox.charge(person_id, "2026-03-31")

    def new_uow() -> UnitOfWork:
        return UnitOfWork(charging.sessions, "charging")

    job = await uprating.start_uprating(new_uow(), "wyvernshire", 2026, "test")
    await uprating.run_uprating(new_uow, job, 2026)
    assert 0 < await inbox.charge(person_id, "2026-05-31") < before  # uprated: the 2026/27 MIG takes more
    assert await inbox.charge(person_id, "2026-06-01") == 0
