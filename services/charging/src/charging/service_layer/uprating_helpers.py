"""Helper processes for a large uprating: a second worker on a core of its own.

Working out a charge is CPU in this process; reading and storing are PostgreSQL's, in another. On two
cores, one worker left most of a core idle (bench/README.md, "Uprating, eighth round"); a thread
would share this process's one interpreter lock. So a large run on PostgreSQL starts helper processes,
each walking lanes of people of its own (charging.domain.walk) on its own connection, as this one
does: a page holds its lanes and reads the job's checkpoint under their locks, so no two workers
ever do the same people, whoever starts or stops when.

A helper ends when every lane is finished, and at once when this process closes its stdin or dies,
its page rolled back (the pipe closes with the process, however it ended): a run killed half way
leaves no helper behind, and the next run resumes from the checkpoint as one killed alone would. If a
helper fails, this process carries on in its lanes and the job still finishes; the failure is logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from charging.domain.walk import LANES
from pbshared.platform import context
from pbshared.platform.jobs import Job
from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# People left to uprate below which no helper is started: starting one (a Python process importing
# the service, a connection) takes up to a second, more than it saves on a small run.
HELPERS_FROM = 20_000
DATABASE_URL_VARIABLE = "PB_UPRATING_DATABASE_URL"  # not on the command line, where `ps` shows it
HELPER_MODULE = "charging.entrypoints.uprating_helper"
PARENT_GONE = 3  # a helper's exit code when the run that started it ended first
_STOPPING = 10.0  # seconds a helper has to end once told to, before it is killed


def workers_for(people_left: int, dialect: str, workers: int | None) -> int:
    """How many workers walk the job, this process among them: one on SQLite (one writer at a time)."""
    if dialect != "postgresql":
        return 1
    if workers is not None:
        return max(1, min(workers, LANES))
    # The CPUs this process may run on (a container's cpuset), not every CPU of the host.
    return min(2, len(os.sched_getaffinity(0))) if people_left >= HELPERS_FROM else 1


def first_lane(worker: int, workers: int) -> int:
    """Where each worker starts, spread over the lanes (this process, worker 0, at the first)."""
    return worker * LANES // workers


@asynccontextmanager
async def helpers_running(
    new_uow: Callable[[], UnitOfWork], job: Job, year: int, page: int, workers: int | None
) -> AsyncIterator[None]:
    """Helpers walking the job beside the block's own walk; stopped when it ends, however it ends."""
    uow = new_uow()
    async with uow:
        connection = await uow.session.connection()
        dialect, url = connection.dialect.name, connection.engine.url.render_as_string(hide_password=False)
    count = 1 if job.finished else workers_for((job.total or 0) - job.done, dialect, workers)
    helpers: list[asyncio.subprocess.Process] = []
    try:
        for n in range(1, count):
            helpers.append(await _start(url, job, year, page, first_lane(n, count)))
        yield
    finally:
        # The job is finished, or this run failed: either way a helper's work is over, and closing its
        # stdin ends it at once (anything it had not committed rolls back).
        for helper in helpers:
            await _stop(helper, job)


async def _stop(helper: asyncio.subprocess.Process, job: Job) -> None:
    if helper.stdin is not None:
        helper.stdin.close()
    try:
        code = await asyncio.wait_for(helper.wait(), _STOPPING)
    except TimeoutError:
        with suppress(ProcessLookupError):
            helper.kill()
        code = await helper.wait()
    if code not in (0, PARENT_GONE):
        log.error("an uprating helper of job %s stopped with exit code %s", job.job_id, code)


async def _start(url: str, job: Job, year: int, page: int, lane: int) -> asyncio.subprocess.Process:
    arguments = ["--council", job.council_id, "--job", str(job.job_id), "--year", str(year)]
    arguments += ["--page", str(page), "--first-lane", str(lane)]
    arguments += ["--correlation-id", context.current_correlation_id()]
    if (causation := context.causation_id_var.get()) is not None:
        arguments += ["--causation-id", str(causation)]
    if (traceparent := context.traceparent_var.get()) is not None:
        arguments += ["--traceparent", traceparent]
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        HELPER_MODULE,
        *arguments,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        env={**os.environ, DATABASE_URL_VARIABLE: url},
    )
