"""Long jobs a service runs in steps: started once, checkpointed as they go, resumed after a kill.

A service adds the table to its own metadata (`jobs = jobs_table(metadata)`) and a migration. A job
is identified by its council, kind and key (e.g. "uprating", "2026/27"): starting the same job again
finds the one already there, so a second run resumes an unfinished job or reports a finished one.
Each step commits its work and the job's new checkpoint, progress and running totals in one
transaction, so a job killed half way loses at most the step it was in, and repeats nothing.
`GET /jobs/{id}` (a service's router over `find_job`) shows the progress. The ledger's payment runs
and imports are meant to use the same mechanism (docs/jobs.md).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, UniqueConstraint, Uuid, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.collector import cycle_collection_paused

if TYPE_CHECKING:
    from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class JobStatus(StrEnum):
    running = "running"
    finished = "finished"
    failed = "failed"


def jobs_table(metadata: MetaData) -> Table:
    return Table(
        "jobs",
        metadata,
        Column("job_id", Uuid, primary_key=True),
        Column("council_id", String(64), nullable=False),
        Column("kind", String(64), nullable=False),
        Column("key", String(200), nullable=False, comment="What the job is about, e.g. the year uprated."),
        Column("status", String(16), nullable=False),
        Column("total", Integer, nullable=True, comment="Items to do, when known."),
        Column("done", Integer, nullable=False),
        Column("checkpoint", JSON, nullable=True, comment="Where a resumed run carries on."),
        Column("totals", JSON, nullable=False, comment="What the job has counted so far."),
        Column("error", String(500), nullable=True),
        Column("started_by", String(200), nullable=False),
        Column("started_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Column("finished_at", DateTime(timezone=True), nullable=True),
        UniqueConstraint("council_id", "kind", "key", name="uq_jobs_council_kind_key"),
    )


@dataclass(frozen=True)
class Job:
    job_id: uuid.UUID
    council_id: str
    kind: str
    key: str
    status: JobStatus
    total: int | None
    done: int
    checkpoint: Any
    totals: dict[str, Any]
    error: str | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status is JobStatus.finished


def _job(row: Any) -> Job:
    values = {name: row._mapping[name] for name in Job.__dataclass_fields__}
    return Job(**{**values, "status": JobStatus(values["status"])})


async def find_job(session: AsyncSession, table: Table, council_id: str, job_id: uuid.UUID) -> Job | None:
    row = (
        await session.execute(select(table).where(table.c.council_id == council_id, table.c.job_id == job_id))
    ).first()
    return _job(row) if row else None


async def start_job(
    session: AsyncSession, table: Table, council_id: str, kind: str, key: str, started_by: str
) -> tuple[Job, bool]:
    """The job for (council, kind, key): the one already started, or a new one; (job, created)."""
    where = (table.c.council_id == council_id, table.c.kind == kind, table.c.key == key)
    row = (await session.execute(select(table).where(*where))).first()
    if row:
        job = _job(row)
        if job.status is JobStatus.failed:  # a failed job is tried again from its checkpoint
            await session.execute(update(table).where(*where).values(status=JobStatus.running, error=None))
            job = _job((await session.execute(select(table).where(*where))).first())
        return job, False
    now = datetime.now(UTC)
    values = dict(
        job_id=uuid.uuid4(),
        council_id=council_id,
        kind=kind,
        key=key,
        status=JobStatus.running,
        total=None,
        done=0,
        checkpoint=None,
        totals={},
        error=None,
        started_by=started_by,
        started_at=now,
        updated_at=now,
        finished_at=None,
    )
    await session.execute(table.insert().values(**values))
    return _job((await session.execute(select(table).where(*where))).first()), True


async def record_progress(
    session: AsyncSession,
    table: Table,
    job: Job,
    *,
    done: int,
    checkpoint: Any,
    totals: dict[str, Any],
    total: int | None = None,
    finished: bool = False,
) -> Job:
    """Write a step's progress, in the transaction that wrote the step's work."""
    now = datetime.now(UTC)
    values: dict[str, Any] = dict(done=done, checkpoint=checkpoint, totals=totals, updated_at=now)
    if total is not None:
        values["total"] = total
    if finished:
        values.update(status=JobStatus.finished, finished_at=now)
    await session.execute(update(table).where(table.c.job_id == job.job_id).values(**values))
    return _job((await session.execute(select(table).where(table.c.job_id == job.job_id))).first())


async def latest_for_update(session: AsyncSession, table: Table, job: Job) -> Job:
    """The job as last committed, its row locked to the end of the transaction: for a step run beside
    others on the same job (each of a job's workers adds its step's counts and position to what the
    others recorded, one at a time, none lost). SQLite's writing transaction is alone already."""
    query = select(table).where(table.c.job_id == job.job_id).with_for_update()
    return _job((await session.execute(query)).first())


async def record_failure(session: AsyncSession, table: Table, job: Job, error: str) -> None:
    await session.execute(
        update(table)
        .where(table.c.job_id == job.job_id)
        .values(status=JobStatus.failed, error=error[:500], updated_at=datetime.now(UTC))
    )


# Running a job: one step a transaction, then the caller's progress callback (a CLI bar, say).
Step = Callable[["UnitOfWork", Job], Awaitable[Job]]
Progress = Callable[[Job], Awaitable[None] | None]


async def run_steps(new_uow: Callable[[], UnitOfWork], job: Job, step: Step, progress: Progress | None = None) -> Job:
    """Carry a job on from its checkpoint to the end: each step (which records its progress) commits
    alone, so a kill loses at most the step it was in; returns the finished job. The cyclic collector
    is held off through a step and its commit (the step's events are written then), and is back on
    between steps (pbshared.platform.collector)."""
    while not job.finished:
        uow = new_uow()
        with cycle_collection_paused():
            async with uow:
                job = await step(uow, job)
                await uow.commit()
        if progress is not None:
            waited = progress(job)
            if waited is not None:
                await waited
    return job


async def run_in_background(
    new_uow: Callable[[], UnitOfWork], table: Table, job: Job, run: Callable[[], Awaitable[Job]], what: str
) -> Job | None:
    """`run()` where no one waits for it (a route's background task): a failure is written on the job
    for `GET /jobs/{id}` to show, and starting the job again resumes it from its checkpoint."""
    try:
        return await run()
    except Exception as error:
        log.exception("%s job %s failed", what, job.job_id)
        uow = new_uow()
        async with uow:
            await record_failure(uow.session, table, job, f"{type(error).__name__}: start it again to resume")
            await uow.commit()
        return None


def run_detached(app: Any, run: Callable[[Callable[[], UnitOfWork]], Awaitable[Any]]) -> None:
    """Run a job on in this process after the request that started it has answered (202): `run` is
    given a maker of fresh units of work on the app's database, and the task is kept until it ends."""
    from pbshared.platform.unit_of_work import UnitOfWork  # at run time: the module imports the platform

    def new_uow() -> UnitOfWork:
        return UnitOfWork(app.state.sessions, app.state.settings.service_name, app.state.outbox_signal)

    task = asyncio.create_task(run(new_uow))
    app.state.background_jobs = {*getattr(app.state, "background_jobs", set()), task}
    task.add_done_callback(app.state.background_jobs.discard)
