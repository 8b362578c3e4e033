"""Payment runs: a preview of what a run date will pay, the run itself as a job, and its payment file."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from ledger.adapters.tables import jobs
from ledger.service_layer import payment_runs
from pbshared.errors import NotFound
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.jobs import Job, JobStatus, find_job
from pbshared.platform.refdata.router import KnownCouncilPrincipal
from pbshared.platform.unit_of_work import UnitOfWork

router = APIRouter(tags=["payment runs"])

_FINANCE = frozenset({Role.finance_officer, Role.admin})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("GET", "/payment-runs/{run_date}/preview"): _FINANCE | {Role.auditor},
    ("POST", "/payment-runs"): _FINANCE,
    ("GET", "/payment-runs/{run_date}/payment-file"): _FINANCE | {Role.auditor},
    ("GET", "/jobs/{job_id}"): _FINANCE | {Role.auditor},
}


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_date: date = Field(description="Every payment due on or before this day is paid (in advance).")


class JobOut(BaseModel):
    job_id: uuid.UUID
    kind: str
    key: str
    status: JobStatus
    total: int | None
    done: int
    totals: dict[str, Any]
    error: str | None
    started_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(**{name: getattr(job, name) for name in cls.model_fields})


@router.get("/payment-runs/{run_date}/preview")
async def preview(run_date: date, principal: CurrentPrincipal, session: Session) -> dict[str, Any]:
    """What a run for run_date would pay, per card account and funder, line by line; nothing is paid.
    Amounts held back (a change lowered cycles already paid) are listed apart."""
    return await payment_runs.preview(session, principal.council_id, run_date)


@router.post("/payment-runs", status_code=status.HTTP_202_ACCEPTED, response_model=JobOut)
async def start_run(
    body: RunIn, principal: KnownCouncilPrincipal, uow: Uow, request: Request, response: Response
) -> JobOut:
    """Start (or resume) the run for run_date; it runs on in this process (progress at GET /jobs/{id}).
    Started again for the same date it is the same run: nothing is paid twice."""
    job = await payment_runs.start_run(uow, principal.council_id, body.run_date, principal.subject)
    if not job.finished:
        app = request.app

        def new_uow() -> UnitOfWork:
            return UnitOfWork(app.state.sessions, app.state.settings.service_name, app.state.outbox_signal)

        task = asyncio.create_task(payment_runs.run_payments_safely(new_uow, job))
        app.state.background_jobs = {*getattr(app.state, "background_jobs", set()), task}
        task.add_done_callback(app.state.background_jobs.discard)
    response.headers["Location"] = f"/jobs/{job.job_id}"
    return JobOut.of(job)


@router.get("/payment-runs/{run_date}/payment-file")
async def payment_file(run_date: date, principal: CurrentPrincipal, session: Session) -> Response:
    """The run's payment file for the card provider, CSV (columns: docs/domain/direct-payments.md)."""
    return Response(
        await payment_runs.payment_file(session, principal.council_id, run_date),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="payments-{run_date.isoformat()}.csv"'},
    )


@router.get("/jobs/{job_id}", response_model=JobOut)
async def get_job(job_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> JobOut:
    """A long job's progress (done of total) and its totals so far: payment runs, statement imports."""
    job = await find_job(session, jobs, principal.council_id, job_id)
    if job is None:  # another council's job is as absent as one that does not exist
        raise NotFound.about("job_id", "no such job in this council", where="path")
    return JobOut.of(job)
