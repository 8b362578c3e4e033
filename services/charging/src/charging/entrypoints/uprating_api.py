"""The annual uprating as a job: start it, then read its progress and totals at GET /jobs/{id}."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from charging.adapters.tables import jobs
from charging.domain.uprating import income_effect
from charging.service_layer import uprating
from pbshared.errors import NotFound
from pbshared.platform.auth import Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.jobs import Job, JobStatus, find_job, run_detached
from pbshared.platform.refdata.router import KnownCouncilPrincipal

router = APIRouter(tags=["uprating"])

_RUNNERS = frozenset({Role.finance_officer, Role.admin})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/uprating-jobs"): _RUNNERS,
    ("GET", "/jobs/{job_id}"): _RUNNERS | {Role.auditor},
}


class UpratingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100, description="First year of the financial year, e.g. 2026 for 2026/27.")


class IncomeEffect(BaseModel):
    client_group: str
    weekly_pence: int
    yearly_pence: int


class JobOut(BaseModel):
    job_id: uuid.UUID
    kind: str
    key: str
    status: JobStatus
    total: int | None
    done: int
    totals: dict[str, Any]
    income_effect: list[IncomeEffect]
    error: str | None
    started_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        rows = income_effect(job.totals) if job.totals else []
        effect = [IncomeEffect(client_group=g, weekly_pence=w, yearly_pence=y) for g, w, y in rows]
        return cls(
            job_id=job.job_id,
            kind=job.kind,
            key=job.key,
            status=job.status,
            total=job.total,
            done=job.done,
            totals=job.totals,
            income_effect=effect,
            error=job.error,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


@router.post("/uprating-jobs", status_code=status.HTTP_202_ACCEPTED, response_model=JobOut)
async def start_uprating(
    body: UpratingIn, principal: KnownCouncilPrincipal, uow: Uow, request: Request, response: Response
) -> JobOut:
    """Start (or resume) the year's uprating; it runs on in this process. Starting it again returns the
    same job: resumed if it stopped, its totals if it finished."""
    job = await uprating.start_uprating(uow, principal.council_id, body.year, principal.subject)
    if not job.finished:
        workers = request.app.state.settings.uprating_workers
        run_detached(request.app, lambda new_uow: uprating.run_uprating_safely(new_uow, job, body.year, workers))
    response.headers["Location"] = f"/jobs/{job.job_id}"
    return JobOut.of(job)


@router.get("/jobs/{job_id}", response_model=JobOut)
async def get_job(job_id: uuid.UUID, principal: KnownCouncilPrincipal, session: Session) -> JobOut:
    """A job's progress (done of total) and its totals so far."""
    job = await find_job(session, jobs, principal.council_id, job_id)
    if job is None:  # another council's job is as absent as one that does not exist
        raise NotFound.about("job_id", "no job with that id", where="path")
    return JobOut.of(job)
