"""What the council learns from its market, for any period: JSON (money in pence), CSV for a
spreadsheet (money in pounds, text cells guarded against formulas) and a chart (docs/domain/brokerage.md,
"Market figures")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from brokerage.adapters.market_chart import market_chart
from brokerage.domain.market import HandBacks, LotAreaFigures, RoundShare
from brokerage.entrypoints.shapes import REFUSALS
from brokerage.service_layer import market_figures as use_cases
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.charts import MEDIA_TYPES, ImageFormat
from pbshared.platform.deps import Session
from pbshared.platform.errors import FieldProblem, Problem
from pbshared.platform.reports import csv_response, pounds, text

router = APIRouter(prefix="/market-figures", tags=["market figures"], responses=REFUSALS)

_READERS = frozenset({Role.commissioner, Role.broker, Role.admin, Role.auditor})
ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("GET", "/market-figures"): _READERS,
    ("GET", "/market-figures/hand-backs"): _READERS,
    ("GET", "/market-figures/chart"): _READERS,
}

Start = Annotated[date, Query(description="First day of the period (packages requested from this day)")]
End = Annotated[date, Query(description="Last day of the period, inclusive")]
ReportFormat = Annotated[
    Literal["json", "csv"] | None,
    Query(description="json (money in pence) or csv (money in pounds); otherwise the Accept header decides"),
]
_LONGEST_DAYS = 366 * 10


class MarketFiguresOut(BaseModel):
    start: date
    end: date
    council: LotAreaFigures
    by_lot_and_area: list[LotAreaFigures]


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def _period(start: Start, end: End) -> Period:
    if end < start:
        raise Problem(422, "Invalid period", "", [FieldProblem(["query", "end"], "cannot be before start")])
    if (end - start).days > _LONGEST_DAYS:
        raise Problem(422, "Invalid period", "", [FieldProblem(["query", "end"], "at most ten years after start")])
    return Period(start, end)


InPeriod = Annotated[Period, Depends(_period)]


def _wants_csv(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    return "text/csv" in request.headers.get("accept", "")


def _optional(value: object) -> object:
    return "" if value is None else value


def _share(shares: list[RoundShare], number: int) -> object:
    found = next((s for s in shares if s.round == number), None)
    return _optional(found.unfilled_percent if found else None)


@router.get("", response_model=MarketFiguresOut, responses={200: {"content": {"text/csv": {}}}})
async def market_figures(
    period: InPeriod, request: Request, principal: CurrentPrincipal, session: Session, format: ReportFormat = None
) -> MarketFiguresOut | Response:
    """For packages requested in the period, council-wide and by lot and area: time to award and to
    start, the share unfilled after each round, placed rates against ceilings, bids per package.
    CSV: one line per lot and area, the council-wide line first."""
    start, end = period.start, period.end
    overall, lines = await use_cases.figures(session, principal.council_id, start, end)
    if not _wants_csv(request, format):
        return MarketFiguresOut(start=start, end=end, council=overall, by_lot_and_area=lines)
    rounds = [s.round for s in overall.unfilled_after_round]
    header = ["lot", "area", "packages", "awarded", "median_hours_to_award", "placed", "median_days_to_start"]
    header += ["bids", "bids_per_package", "mean_placed_rate", "mean_rate_to_ceiling_percent"]
    header += ["placed_above_ceiling", "placed_off_dps"] + [f"unfilled_after_round_{r}_percent" for r in rounds]
    return csv_response(
        f"market-figures-{start}-{end}",
        header,
        (
            [text(f.lot), text(f.area), f.packages, f.awarded, _optional(f.median_hours_to_award), f.placed]
            + [_optional(f.median_days_to_start), f.bids, _optional(f.bids_per_package)]
            + [pounds(f.mean_placed_rate_pence) if f.mean_placed_rate_pence is not None else ""]
            + [_optional(f.mean_rate_to_ceiling_percent), f.placed_above_ceiling, f.placed_off_dps]
            + [_share(f.unfilled_after_round, r) for r in rounds]
            for f in [overall, *lines]
        ),
    )


@router.get("/hand-backs", response_model=list[HandBacks], responses={200: {"content": {"text/csv": {}}}})
async def provider_hand_backs(
    period: InPeriod, request: Request, principal: CurrentPrincipal, session: Session, format: ReportFormat = None
) -> list[HandBacks] | Response:
    """Per provider: placements started and placements handed back (by their end date) in the period."""
    rows = await use_cases.provider_hand_backs(session, principal.council_id, period.start, period.end)
    if not _wants_csv(request, format):
        return rows
    return csv_response(
        f"hand-backs-{period.start}-{period.end}",
        ["provider_id", "placements_started", "handed_back"],
        ([text(r.provider_id), r.placements_started, r.handed_back] for r in rows),
    )


@router.get("/chart", response_class=Response, responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}})
async def market_figures_chart(
    period: InPeriod,
    principal: CurrentPrincipal,
    session: Session,
    format: Annotated[ImageFormat, Query(description="svg (the default) or png")] = "svg",
) -> Response:
    """Unfilled after each round, median time to award, and placed rates against ceilings."""
    overall, lines = await use_cases.figures(session, principal.council_id, period.start, period.end)
    # Drawing is CPU work: off the event loop, so other requests are answered meanwhile.
    return Response(await run_in_threadpool(market_chart, overall, lines, format), media_type=MEDIA_TYPES[format])
