"""Commissioning API: a commissioner uploads cohorts of past assessments and studies the RAS against
them (calibration, winners and losers, model comparison), as JSON, CSV or charts."""

from __future__ import annotations

import codecs
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from pbshared.contract.events.people import ClientGroup
from pbshared.contract.money import weekly_from_annual
from pbshared.platform.auth import Role, RouteKey
from pbshared.platform.deps import Session, Uow
from pbshared.platform.errors import FieldProblem, Problem
from pbshared.platform.pagination import Limit, Offset
from pbshared.platform.refdata.router import KnownCouncilPrincipal
from pbshared.platform.reports import csv_response, pounds, text
from ras.adapters import charts
from ras.adapters.cohort_repository import Cohort
from ras.domain.commissioning.calibration import Fit, GainsAndLosses, Residual
from ras.domain.commissioning.comparison import GroupComparison
from ras.domain.problems import Refused
from ras.service_layer import commissioning as use_cases

router = APIRouter(prefix="/cohorts", tags=["commissioning"])
T = TypeVar("T")

_COMMISSIONERS = frozenset({Role.commissioner, Role.admin})
_READERS = _COMMISSIONERS | {Role.auditor}
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("POST", "/cohorts"): _COMMISSIONERS,
    ("GET", "/cohorts"): _READERS,
    ("GET", "/cohorts/{cohort_id}/calibration"): _READERS,
    ("GET", "/cohorts/{cohort_id}/calibration/chart"): _READERS,
    ("GET", "/cohorts/{cohort_id}/winners-and-losers"): _READERS,
    ("GET", "/cohorts/{cohort_id}/winners-and-losers/chart"): _READERS,
    ("GET", "/cohorts/{cohort_id}/model-comparison"): _READERS,
}

ReportFormat = Annotated[
    Literal["json", "csv"] | None,
    Query(description="json (money in pence) or csv (money in pounds); otherwise the Accept header decides"),
]
ChartFormat = Annotated[Literal["svg", "png"], Query(description="svg (the default) or png")]
Version = Annotated[int, Query(ge=1, le=2**31 - 1, description="A ras_model version number")]
OutlierZ = Annotated[
    float, Query(ge=1, le=10, description="Residual standard deviations from zero beyond which a row is an outlier")
]
CohortName = Annotated[str, Query(min_length=1, max_length=100, description="What the cohort is, for the list")]


def _wants_csv(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    return "text/csv" in request.headers.get("accept", "")


def _refused(refused: Refused, where: str, title: str) -> Problem:
    problems = [FieldProblem([where, *p.location], p.message) for p in refused.problems]
    return Problem(422, title, "nothing was stored" if where == "body" else "the report cannot be made", problems)


async def _lines(chunks: AsyncIterable[bytes]) -> AsyncIterator[str]:
    """The body's lines as they arrive; a line may span chunks, and a character too."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = ""
    async for chunk in chunks:
        pending += decoder.decode(chunk)
        *complete, pending = pending.split("\n")
        for line in complete:
            yield line
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


class CohortOut(BaseModel):
    cohort_id: uuid.UUID
    name: str
    row_count: int
    uploaded_by: str
    uploaded_at: datetime

    @classmethod
    def of(cls, cohort: Cohort) -> CohortOut:
        return cls(**{name: getattr(cohort, name) for name in cls.model_fields})


_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string", "description": "Columns: docs/domain/ras.md"}}},
    }
}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CohortOut, openapi_extra=_CSV_BODY)
async def upload_cohort(request: Request, name: CohortName, principal: KnownCouncilPrincipal, uow: Uow) -> CohortOut:
    """Upload a cohort of past assessments as CSV (text/csv). Every bad line is listed with its
    line number, column and rule; nothing is stored if any line is bad."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ("text/csv", "text/plain"):
        raise Problem(415, "Unsupported media type", "send the cohort as text/csv")
    try:
        cohort = await use_cases.upload_cohort(
            uow, principal.council_id, name, principal.subject, _lines(request.stream())
        )
    except Refused as refused:
        raise _refused(refused, "body", "Invalid cohort") from None
    except UnicodeDecodeError:
        raise Problem(
            422, "Invalid cohort", "nothing was stored", [FieldProblem(["body", "file"], "must be UTF-8 text")]
        ) from None
    return CohortOut.of(cohort)


@router.get("", response_model=list[CohortOut])
async def list_cohorts(
    principal: KnownCouncilPrincipal, session: Session, limit: Limit = 100, offset: Offset = 0
) -> list[CohortOut]:
    return [CohortOut.of(c) for c in await use_cases.cohorts(session, principal.council_id, limit=limit, offset=offset)]


class ResidualOut(BaseModel):
    reference: str
    points: int
    actual_annual_pence: int
    fitted_annual_pence: int
    residual_pence: int
    standardised: float = Field(description="Residual standard deviations from zero, to 3 places")
    outlier: bool


class FitOut(BaseModel):
    client_group: ClientGroup
    rows: int
    annual_pence_per_point: int
    weekly_pence_per_point: int = Field(description="The annual price / 52, half up to the penny")
    r_squared: float = Field(description="To 4 places; negative when the line fits worse than the mean")
    outliers: list[ResidualOut]
    residuals: list[ResidualOut]


class CalibrationOut(BaseModel):
    cohort_id: uuid.UUID
    outlier_z: float
    groups: list[FitOut]


def _residual(residual: Residual, fit: Fit) -> ResidualOut:
    return ResidualOut(
        reference=residual.reference,
        points=residual.points,
        actual_annual_pence=residual.actual_annual_pence,
        fitted_annual_pence=residual.fitted_annual_pence,
        residual_pence=residual.residual_pence,
        standardised=round(residual.standardised, 3),
        outlier=abs(residual.standardised) > fit.outlier_z,
    )


def _fit(fit: Fit) -> FitOut:
    residuals = [_residual(r, fit) for r in fit.residuals]
    return FitOut(
        client_group=fit.client_group,
        rows=len(residuals),
        annual_pence_per_point=fit.annual_pence_per_point,
        weekly_pence_per_point=weekly_from_annual(fit.annual_pence_per_point),
        r_squared=round(fit.r_squared, 4),
        outliers=[r for r in residuals if r.outlier],
        residuals=residuals,
    )


async def _calibration(
    session: Session, council_id: str, cohort_id: uuid.UUID, outlier_z: float
) -> dict[ClientGroup, Fit]:
    try:
        return (await use_cases.calibration(session, council_id, cohort_id, outlier_z))[1]
    except Refused as refused:
        raise _refused(refused, "cohort", "Cohort cannot be fitted") from None


@router.get("/{cohort_id}/calibration", response_model=CalibrationOut, responses={200: {"content": {"text/csv": {}}}})
async def calibration(
    cohort_id: uuid.UUID,
    request: Request,
    principal: KnownCouncilPrincipal,
    session: Session,
    format: ReportFormat = None,
    outlier_z: OutlierZ = 2.0,
) -> CalibrationOut | Response:
    """The price per point per client group that fits the cohort best, with R squared, residuals and outliers."""
    fits = await _calibration(session, principal.council_id, cohort_id, outlier_z)
    report = CalibrationOut(cohort_id=cohort_id, outlier_z=outlier_z, groups=[_fit(f) for f in fits.values()])
    if not _wants_csv(request, format):
        return report
    header = ["client_group", "reference", "points", "actual_annual_cost", "fitted_annual_cost", "residual"]
    header += ["standardised_residual", "outlier", "price_per_point_a_year", "r_squared"]
    return csv_response(
        f"calibration-{cohort_id}",
        header,
        (
            [group.client_group.value, text(r.reference), r.points, pounds(r.actual_annual_pence)]
            + [pounds(r.fitted_annual_pence), pounds(r.residual_pence), r.standardised, "yes" if r.outlier else "no"]
            + [pounds(group.annual_pence_per_point), group.r_squared]
            for group in report.groups
            for r in group.residuals
        ),
    )


async def _chart(draw: Callable[[T, charts.ImageFormat], bytes], data: T, image: charts.ImageFormat) -> Response:
    # Drawing is CPU work: off the event loop, so other requests are answered meanwhile.
    return Response(await run_in_threadpool(draw, data, image), media_type=charts.MEDIA_TYPES[image])


@router.get(
    "/{cohort_id}/calibration/chart",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
)
async def calibration_chart(
    cohort_id: uuid.UUID,
    principal: KnownCouncilPrincipal,
    session: Session,
    format: ChartFormat = "svg",
    outlier_z: OutlierZ = 2.0,
) -> Response:
    """Points against actual weekly cost, with the fitted line, per client group."""
    fits = await _calibration(session, principal.council_id, cohort_id, outlier_z)
    return await _chart(charts.calibration_chart, fits, format)


class GroupGainsOut(BaseModel):
    client_group: ClientGroup
    people: int
    winners: int
    losers: int
    unchanged: int
    gained_weekly_pence: int
    lost_weekly_pence: int = Field(description="As a positive amount")
    net_weekly_pence: int


class ChangeOut(BaseModel):
    reference: str
    client_group: ClientGroup
    current_weekly_pence: int
    proposed_weekly_pence: int
    difference_weekly_pence: int


class WinnersAndLosersOut(BaseModel):
    cohort_id: uuid.UUID
    model_version: int
    groups: list[GroupGainsOut]
    changes: list[ChangeOut]


def _group_gains(result: GainsAndLosses) -> GroupGainsOut:
    return GroupGainsOut(
        client_group=result.client_group,
        people=len(result.changes),
        winners=result.winners,
        losers=result.losers,
        unchanged=result.unchanged,
        gained_weekly_pence=result.gained_weekly_pence,
        lost_weekly_pence=result.lost_weekly_pence,
        net_weekly_pence=result.gained_weekly_pence - result.lost_weekly_pence,
    )


async def _gains_and_losses(
    session: Session, council_id: str, cohort_id: uuid.UUID, version: int
) -> dict[ClientGroup, GainsAndLosses]:
    try:
        return (await use_cases.gains_and_losses(session, council_id, cohort_id, version))[1]
    except Refused as refused:
        raise _refused(refused, "cohort", "The model cannot price this cohort") from None


def _outcome(difference: int) -> str:
    return "gains" if difference > 0 else "loses" if difference < 0 else "unchanged"


@router.get(
    "/{cohort_id}/winners-and-losers",
    response_model=WinnersAndLosersOut,
    responses={200: {"content": {"text/csv": {}}}},
)
async def winners_and_losers(
    cohort_id: uuid.UUID,
    model_version: Version,
    request: Request,
    principal: KnownCouncilPrincipal,
    session: Session,
    format: ReportFormat = None,
) -> WinnersAndLosersOut | Response:
    """Each person's weekly indicative budget under a model version against their current weekly
    cost; counts and totals of gains and losses by client group. CSV: one line a person."""
    results = await _gains_and_losses(session, principal.council_id, cohort_id, model_version)
    changes = [
        ChangeOut(
            reference=c.reference,
            client_group=c.client_group,
            current_weekly_pence=c.current_weekly_pence,
            proposed_weekly_pence=c.proposed_weekly_pence,
            difference_weekly_pence=c.difference_pence,
        )
        for result in results.values()
        for c in result.changes
    ]
    if not _wants_csv(request, format):
        groups = [_group_gains(r) for r in results.values()]
        return WinnersAndLosersOut(cohort_id=cohort_id, model_version=model_version, groups=groups, changes=changes)
    return csv_response(
        f"winners-and-losers-{cohort_id}-v{model_version}",
        ["client_group", "reference", "current_weekly_cost", "proposed_weekly_budget", "difference", "outcome"],
        (
            [c.client_group.value, text(c.reference), pounds(c.current_weekly_pence)]
            + [pounds(c.proposed_weekly_pence), pounds(c.difference_weekly_pence), _outcome(c.difference_weekly_pence)]
            for c in changes
        ),
    )


@router.get(
    "/{cohort_id}/winners-and-losers/chart",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
)
async def winners_and_losers_chart(
    cohort_id: uuid.UUID,
    model_version: Version,
    principal: KnownCouncilPrincipal,
    session: Session,
    format: ChartFormat = "svg",
) -> Response:
    """The distribution of weekly gains and losses under a model version, stacked by client group."""
    results = await _gains_and_losses(session, principal.council_id, cohort_id, model_version)
    return await _chart(charts.gains_and_losses_chart, results, format)


class NotComparableOut(BaseModel):
    reference: str
    problems: list[str]


class GroupComparisonOut(BaseModel):
    client_group: ClientGroup
    compared: int
    current_weekly_pence: int
    proposed_weekly_pence: int
    difference_weekly_pence: int
    difference_percent: Decimal | None = Field(description="Against the current total, one decimal, half up")
    not_comparable: list[NotComparableOut]


class ModelComparisonOut(BaseModel):
    cohort_id: uuid.UUID
    current_version: int
    proposed_version: int
    groups: list[GroupComparisonOut]


@router.get(
    "/{cohort_id}/model-comparison",
    response_model=ModelComparisonOut,
    responses={200: {"content": {"text/csv": {}}}},
)
async def model_comparison(
    cohort_id: uuid.UUID,
    current: Version,
    proposed: Version,
    request: Request,
    principal: KnownCouncilPrincipal,
    session: Session,
    format: ReportFormat = None,
) -> ModelComparisonOut | Response:
    """The cohort priced under two model versions, with the difference by client group."""
    _cohort, rows, compared = await use_cases.model_comparison(
        session, principal.council_id, cohort_id, current, proposed
    )
    groups = [_comparison(c, [r.reference for r in rows]) for c in compared.values()]
    if not _wants_csv(request, format):
        return ModelComparisonOut(
            cohort_id=cohort_id, current_version=current, proposed_version=proposed, groups=groups
        )
    header = ["client_group", "compared", "not_comparable", "current_weekly_total", "proposed_weekly_total"]
    return csv_response(
        f"model-comparison-{cohort_id}-v{current}-v{proposed}",
        [*header, "difference", "difference_percent"],
        (
            [g.client_group.value, g.compared, len(g.not_comparable), pounds(g.current_weekly_pence)]
            + [pounds(g.proposed_weekly_pence), pounds(g.difference_weekly_pence), g.difference_percent]
            for g in groups
        ),
    )


def _comparison(group: GroupComparison, references: list[str]) -> GroupComparisonOut:
    return GroupComparisonOut(
        client_group=group.client_group,
        compared=group.compared,
        current_weekly_pence=group.before_weekly_pence,
        proposed_weekly_pence=group.after_weekly_pence,
        difference_weekly_pence=group.difference_weekly_pence,
        difference_percent=group.difference_percent,
        not_comparable=[
            NotComparableOut(reference=references[i], problems=[p.message for p in problems])
            for i, problems in group.not_comparable.items()
        ],
    )
