"""The annual uprating: every current assessment worked out again with the new year's figures.

Runs as a job (pbshared.platform.jobs) in pages of people: each page's new assessments, contribution
events and the job's checkpoint commit together, so a run killed half way resumes after the last page
it committed, and a second run of a finished job changes nothing. A contribution change is published
only where the charge changed (docs/domain/charging.md, "Annual uprating").
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from charging.adapters.assessments_repository import AssessmentsRepository
from charging.adapters.charge_locks import hold_council
from charging.adapters.tables import jobs
from charging.domain.figures import FiguresHistory
from charging.domain.financial_assessment import AssessmentRefused, assess
from charging.domain.policy import PolicyHistory
from charging.domain.recorded import FinancialAssessment
from charging.domain.uprating import empty_totals, tally
from charging.service_layer.assessments import publish_contribution, recalculated
from pbshared.contract.events.charging import ContributionReason
from pbshared.errors import NotFound
from pbshared.platform import context
from pbshared.platform.jobs import Job, Progress, record_progress, run_in_background, run_steps, start_job
from pbshared.platform.overlap import Overlapped, chunk_sizes
from pbshared.platform.unit_of_work import UnitOfWork

KIND = "uprating"
# People a page: each page is a transaction (the council's lock, reads, COPYs, outbox, progress,
# commit), and a kill loses at most one page's work, which the next run does again. Read and stored
# in chunks, a page holds only a chunk's people at a time, so its size costs no memory. Each page
# waits for its first chunk, its last store and its commit, with nothing overlapping: at 100,000
# people, 0.55 s of waiting in pages of 8,000 against 0.3 s in pages of 16,000 (three runs each, back
# to back on 2 cores). A page holds the council's lock: a change to one person's charge meanwhile
# waits for it, about a second and a half, and an uprating is a once-a-year run.
PAGE = 16_000
# A page is read, worked out and stored a chunk at a time, the database reading the next chunk and
# storing the last while this process works out the one in hand; it is let on every few people. The
# page's first and last chunks are small, growing to the full size and shrinking back (chunk_sizes):
# nothing overlaps reading the first or storing the last.
_CHUNK = 1000
_SMALLEST_CHUNK = 100
_BREATHE_EVERY = 10
# Whom the job lists as refused (e.g. a premium the new figures do not have): enough to act on.
_REFUSED_LISTED = 100


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
    new_uow: Callable[[], UnitOfWork], job: Job, year: int, *, page: int = PAGE, progress: Progress | None = None
) -> Job:
    """Carry the job on from its checkpoint to the end, a page at a time; returns the finished job.
    Every event of the run shares one correlation id and one trace: the request's when started through
    the API, else one for the run (from the command line each event would otherwise get its own)."""
    reference = _Reference()

    def one_page(uow: UnitOfWork, job: Job) -> Awaitable[Job]:
        return _work_out_page(uow, job, year, page, reference)

    with context.bound(
        correlation_id=context.current_correlation_id(),
        causation_id=context.causation_id_var.get(),
        traceparent=context.traceparent_var.get() or context.new_traceparent(),
    ):
        return await run_steps(new_uow, job, one_page, progress)


async def _work_out_page(uow: UnitOfWork, job: Job, year: int, page: int, reference: _Reference) -> Job:
    """One page of people, read, worked out and stored a chunk at a time: the database reads the next
    chunk and stores the last while this process works out the one in hand (pbshared.platform.overlap)."""
    await hold_council(uow.session, job.council_id)  # no one's charge changes under the page
    repo = AssessmentsRepository(uow.session)
    figures, policies = await reference.read(repo, job.council_id)
    first_day = _first_day(figures, year)
    after = uuid.UUID(job.checkpoint) if job.checkpoint else None
    totals, done = job.totals, 0
    async with Overlapped() as database:
        sizes = chunk_sizes(page, _CHUNK, _SMALLEST_CHUNK)
        reading = database.then(repo.current_after(job.council_id, first_day, after, next(sizes)))
        while (found := await reading).people:
            done += len(found.people)
            after = found.people[-1][0].person_id
            size = next(sizes, None)
            if size is not None:
                reading = database.then(repo.current_after(job.council_id, first_day, after, size))
            uprated: list[FinancialAssessment] = []
            for n, (assessment, client_group) in enumerate(found.people, 1):
                totals = await _uprate_one(uow, uprated, assessment, client_group, figures, policies, first_day, totals)
                if n % _BREATHE_EVERY == 0:
                    await database.breathe()
            database.then(repo.add_many(uprated, found.last_sequences, bulk=True))
            database.then(uow.flush())  # the chunk's contribution events
            if size is None:
                break
    return await record_progress(
        uow.session,
        jobs,
        job,
        done=job.done + done,
        checkpoint=str(after) if after else None,
        totals=totals,
        finished=done == 0,
    )


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
        refused = [*totals["refused"], str(current.person_id)][:_REFUSED_LISTED]
        return {**totals, "refused": refused}
    reason = ContributionReason.annual_uprating
    uprated = recalculated(current.council_id, current.person_id, current, circumstances, result, reason)
    uprated_page.append(uprated)
    if uprated.weekly_charge_pence != current.weekly_charge_pence:
        await publish_contribution(
            uow, uprated, current.weekly_charge_pence, uprated.weekly_charge_pence, first_day, reason
        )
    return tally(totals, client_group, current.weekly_charge_pence, uprated.weekly_charge_pence)


async def run_uprating_safely(new_uow: Callable[[], UnitOfWork], job: Job, year: int) -> Job | None:
    """run_uprating in the background: a failure is written on the job for GET /jobs/{id} to show; the
    next start resumes from its checkpoint."""
    return await run_in_background(new_uow, jobs, job, lambda: run_uprating(new_uow, job, year), "uprating")
