"""The annual uprating: every current assessment worked out again with the new year's figures.

Runs as a job (pbshared.platform.jobs) in pages of people: each page's new assessments, contribution
events and the job's checkpoint commit together, so a run killed half way resumes after the last page
it committed, and a second run of a finished job changes nothing. A contribution change is published
only where the charge changed (docs/domain/charging.md, "Annual uprating").

The people are walked in lanes (charging.domain.walk), so that more than one worker can walk them
at once: this process and, for a large run, a helper process (uprating_helpers). A page holds its
lanes and reads where the job stands in them under their locks (_HeldLanes), so no worker does a
person another has done, whichever started first or was left over from a killed run.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from charging.adapters.assessments_repository import AssessmentsRepository, CurrentPage
from charging.adapters.charge_locks import hold_lane
from charging.adapters.tables import jobs
from charging.domain.figures import FiguresHistory
from charging.domain.financial_assessment import AssessmentRefused, assess
from charging.domain.policy import PolicyHistory
from charging.domain.recorded import FinancialAssessment
from charging.domain.uprating import empty_totals, merged, tally, tally_refused
from charging.domain.walk import Walk, lane_end
from charging.service_layer.assessments import publish_contribution, recalculated
from charging.service_layer.uprating_helpers import helpers_running
from pbshared.contract.events.charging import ContributionReason
from pbshared.errors import NotFound
from pbshared.platform import context
from pbshared.platform.jobs import (
    Job,
    Progress,
    find_job,
    latest_for_update,
    record_progress,
    run_in_background,
    run_steps,
    start_job,
)
from pbshared.platform.overlap import Overlapped, chunk_sizes
from pbshared.platform.unit_of_work import UnitOfWork

KIND = "uprating"
# People a page: each page is a transaction (its lanes' locks, reads, COPYs, outbox, progress,
# commit), and a kill loses at most one page's work, which the next run does again. Read and stored
# in chunks, a page holds only a chunk's people at a time, so its size costs no memory. Each page
# waits for its first chunk, its last store and its commit, with nothing overlapping: at 100,000
# people, 0.55 s of waiting in pages of 8,000 against 0.3 s in pages of 16,000 (three runs each, back
# to back on 2 cores). A page holds its lanes: a change to the charge of a person in one of them
# waits for it, a second or less, and an uprating is a once-a-year run.
PAGE = 16_000
# A page is read, worked out and stored a chunk at a time, the database reading the next chunk and
# storing the last while this process works out the one in hand; it is let on every few people. The
# page's first and last chunks are small, growing to the full size and shrinking back (chunk_sizes):
# nothing overlaps reading the first or storing the last.
_CHUNK = 1000
_SMALLEST_CHUNK = 100
_BREATHE_EVERY = 10


def financial_year(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


async def start_uprating(uow: UnitOfWork, council_id: str, year: int, started_by: str) -> Job:
    """The uprating job for the year: a new one, or the one already started (to resume or to report)."""
    async with uow:
        repo = AssessmentsRepository(uow.session)
        first_day = _first_day(await repo.figures(council_id), year)
        job, created = await start_job(uow.session, jobs, council_id, KIND, financial_year(year), started_by)
        if created:
            total = await repo.count_people_assessed_by(council_id, first_day)
            job = await record_progress(
                uow.session, jobs, job, done=0, checkpoint=None, totals=empty_totals(), total=total
            )
        await uow.commit()
    return job


def _first_day(figures: FiguresHistory, year: int) -> date:
    wanted = financial_year(year)
    for version in sorted(figures.versions, key=lambda v: v.version, reverse=True):
        if version.figures.financial_year == wanted:
            return version.effective_from
    raise NotFound.about("year", f"no national figures for {wanted} are loaded: load them first")


@dataclass
class _Reference:
    """The figures and policies a run works with, read by its first page and kept for the rest: they
    are the same for every page of a run, and reading them took a query and a parse each page."""

    figures: FiguresHistory | None = None
    policies: PolicyHistory | None = None

    async def read(self, repo: AssessmentsRepository, council_id: str) -> tuple[FiguresHistory, PolicyHistory]:
        if self.figures is None or self.policies is None:
            self.figures, self.policies = await repo.figures(council_id), await repo.policies(council_id)
        return self.figures, self.policies


async def run_uprating(
    new_uow: Callable[[], UnitOfWork],
    job: Job,
    year: int,
    *,
    page: int = PAGE,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Job:
    """Carry the job on from its checkpoint to the end, a page at a time; returns the finished job.
    A large one on PostgreSQL is walked by this process and helper processes side by side, each in
    lanes of its own (uprating_helpers; `workers` to choose how many in all). Every event of the run
    shares one correlation id and one trace: the request's when started through the API, else one for
    the run (from the command line each event would otherwise get its own)."""
    with context.bound(
        correlation_id=context.current_correlation_id(),
        causation_id=context.causation_id_var.get(),
        traceparent=context.traceparent_var.get() or context.new_traceparent(),
    ):
        async with helpers_running(new_uow, job, year, page, workers):
            return await walk_lanes(new_uow, job, year, page=page, first_lane=0, progress=progress)


async def walk_lanes(
    new_uow: Callable[[], UnitOfWork],
    job: Job,
    year: int,
    *,
    page: int = PAGE,
    first_lane: int = 0,
    progress: Progress | None = None,
) -> Job:
    """One worker's part of the job, to its end: pages in whichever lanes no other worker holds, from
    `first_lane` round (each worker starts at its own). Returns the job once every lane is finished."""
    reference = _Reference()

    def one_page(uow: UnitOfWork, job: Job) -> Awaitable[Job]:
        return _work_out_page(uow, job, year, page, first_lane, reference)

    return await run_steps(new_uow, job, one_page, progress)


class _HeldLanes:
    """The lanes a page holds, and the walk as it stands for them: read from the job under each lane's
    lock, so that a page never does again what another worker's page (or an earlier run's worker still
    going) committed while this one waited for the lane."""

    def __init__(self, session: AsyncSession, job: Job):
        self.session, self.job = session, job
        self.walk = Walk.from_checkpoint(job.checkpoint)  # only the held lanes' is sure to be current
        self.held: set[int] = set()
        self.lane: int | None = None  # the lane being read

    async def take_first(self, first_lane: int) -> bool:
        """Hold a lane with people left, a free one if any, else wait for the first left from
        `first_lane` (holding none, so never waiting on a page that waits on this one)."""
        candidates = self.walk.lanes_left(first_lane)
        if await self._take_free(candidates):
            return True
        if candidates and not self.held:
            await hold_lane(self.session, self.job.council_id, candidates[0], wait=True)
            return await self._adopt(candidates[0])
        return False

    async def _take_next(self) -> bool:
        """Go on into the next lane with people left that is free now (never waiting: this page holds
        lanes), the page having room; False, and no lane to read, if none is."""
        assert self.lane is not None
        if await self._take_free(self.walk.lanes_left(self.lane)):  # the lane in hand is finished: not in it
            return True
        self.lane = None
        return False

    async def _take_free(self, lanes: list[int]) -> bool:
        """The first of `lanes` free now and with people left, held and to be read next."""
        for lane in lanes:
            if await hold_lane(self.session, self.job.council_id, lane, wait=False) and await self._adopt(lane):
                return True
        return False

    async def _adopt(self, lane: int) -> bool:
        """The lane is held: read where the job stands in it; True (and read it next) if people are left."""
        latest = await find_job(self.session, jobs, self.job.council_id, self.job.job_id)
        assert latest is not None
        self.walk = Walk.from_checkpoint(latest.checkpoint).with_lanes_of(self.walk, self.held)
        self.held.add(lane)
        if self.walk.is_finished(lane):
            return False
        self.lane = lane
        return True

    async def read(self, repo: AssessmentsRepository, on: date, size: int) -> CurrentPage | None:
        """The next `size` people, from the lane being read and, when it runs out, from the next free
        one; fewer when the page can take no more lanes, None when it found no one."""
        people: list[tuple[FinancialAssessment, str]] = []
        last_sequences: dict[uuid.UUID, int] = {}
        while self.lane is not None and len(people) < size:
            lane = self.lane
            if self.walk.is_finished(lane):  # the last read ran out in it
                await self._take_next()
                continue
            wanted = size - len(people)
            found = await repo.current_after(self.job.council_id, on, self.walk.after(lane), wanted, lane_end(lane))
            last = found.people[-1][0].person_id if found.people else None
            self.walk = self.walk.moved(lane, last, finished=len(found.people) < wanted)
            people += found.people
            last_sequences.update(found.last_sequences)
        return CurrentPage(people, last_sequences) if people else None

    async def record(self, done: int, totals: dict) -> Job:
        """The page's people, totals and lanes added to what the other workers recorded meanwhile."""
        latest = await latest_for_update(self.session, jobs, self.job)
        if latest.finished:  # a worker that found nothing left: the job keeps when it finished
            return latest
        walk = Walk.from_checkpoint(latest.checkpoint).with_lanes_of(self.walk, self.held)
        return await record_progress(
            self.session,
            jobs,
            latest,
            done=latest.done + done,
            checkpoint=walk.checkpoint(),
            totals=merged(latest.totals, totals),
            finished=walk.finished,
        )


async def _work_out_page(
    uow: UnitOfWork, job: Job, year: int, page: int, first_lane: int, reference: _Reference
) -> Job:
    """One page of people, read, worked out and stored a chunk at a time: the database reads the next
    chunk and stores the last while this process works out the one in hand (pbshared.platform.overlap)."""
    lanes = _HeldLanes(uow.session, job)  # no one's charge in them changes under the page
    totals, done = empty_totals(), 0
    if not await lanes.take_first(first_lane):
        return await lanes.record(done, totals)  # every lane finished, or the one waited for was
    repo = AssessmentsRepository(uow.session)
    figures, policies = await reference.read(repo, job.council_id)
    first_day = _first_day(figures, year)
    async with Overlapped() as database:
        sizes = chunk_sizes(page, _CHUNK, _SMALLEST_CHUNK)
        reading = database.then(lanes.read(repo, first_day, next(sizes)))
        while (found := await reading) is not None:
            done += len(found.people)
            size = next(sizes, None)
            if size is not None:
                reading = database.then(lanes.read(repo, first_day, size))
            uprated: list[FinancialAssessment] = []
            for n, (assessment, client_group) in enumerate(found.people, 1):
                totals = await _uprate_one(uow, uprated, assessment, client_group, figures, policies, first_day, totals)
                if n % _BREATHE_EVERY == 0:
                    await database.breathe()
            database.then(repo.add_many(uprated, found.last_sequences, bulk=True))
            database.then(uow.flush())  # the chunk's contribution events
            if size is None:
                break
    return await lanes.record(done, totals)


async def _uprate_one(
    uow: UnitOfWork,
    uprated_page: list[FinancialAssessment],
    current: FinancialAssessment,
    client_group: str,
    figures: FiguresHistory,
    policies: PolicyHistory,
    first_day: date,
    totals: dict,
) -> dict:
    ended = current.ended_on is not None and current.ended_on < first_day
    if ended or current.effective_date >= first_day:  # care over, or already worked out for the year
        return {**totals, "skipped": totals["skipped"] + 1}
    circumstances = {**current.circumstances, "assessed_on": first_day.isoformat()}
    try:
        result = assess(circumstances, figures, policies)
    except AssessmentRefused:
        return tally_refused(totals, str(current.person_id))
    reason = ContributionReason.annual_uprating
    uprated = recalculated(current.council_id, current.person_id, current, circumstances, result, reason)
    uprated_page.append(uprated)
    if uprated.weekly_charge_pence != current.weekly_charge_pence:
        await publish_contribution(
            uow, uprated, current.weekly_charge_pence, uprated.weekly_charge_pence, first_day, reason
        )
    return tally(totals, client_group, current.weekly_charge_pence, uprated.weekly_charge_pence)


async def run_uprating_safely(
    new_uow: Callable[[], UnitOfWork], job: Job, year: int, workers: int | None = None
) -> Job | None:
    """run_uprating in the background: a failure is written on the job for GET /jobs/{id} to show; the
    next start resumes from its checkpoint."""

    def run() -> Awaitable[Job]:
        return run_uprating(new_uow, job, year, workers=workers)

    return await run_in_background(new_uow, jobs, job, run, "uprating")
