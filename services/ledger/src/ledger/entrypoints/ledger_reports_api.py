"""Reports finance hands to auditors: balances by account and funder, payments by run, spending by
category, recoveries raised and recovered (arrears and flagged spending have their own lists), as
JSON (money in pence) and CSV that opens cleanly in a spreadsheet."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from ledger.adapters import report_repository as reports
from pbshared.errors import RuleBroken
from pbshared.platform.auth import Role, RouteKey
from pbshared.platform.deps import Session
from pbshared.platform.refdata.router import KnownCouncilPrincipal
from pbshared.platform.reports import csv_response

router = APIRouter(tags=["reports"])

ACCESS: dict[RouteKey, frozenset[Role]] = {
    ("GET", "/ledger-reports/{report}"): frozenset({Role.finance_officer, Role.auditor}),
}


class Report(StrEnum):
    balances = "balances"  # at period_to
    payments = "payments"
    spending = "spending"
    recoveries = "recoveries"


@router.get(
    "/ledger-reports/{report}", response_model=list[dict[str, Any]], responses={200: {"content": {"text/csv": {}}}}
)
async def report(
    report: Report,
    principal: KnownCouncilPrincipal,
    session: Session,
    period_from: date,
    period_to: date,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv (for a spreadsheet)")] = "json",
) -> list[dict[str, Any]] | Response:
    """One report for a period (balances: at its last day), every row with its money in pence."""
    if period_to < period_from:
        raise RuleBroken.about("period_to", "must not be before period_from", where="query")
    council = principal.council_id
    if report is Report.balances:
        rows = await reports.balances(session, council, period_to)
    elif report is Report.payments:
        rows = await reports.payments_by_run(session, council, period_from, period_to)
    elif report is Report.spending:
        rows = await reports.spending_by_category(session, council, period_from, period_to)
    else:
        rows = await reports.recoveries_summary(session, council, period_from, period_to)
    if format == "csv":
        header = list(rows[0]) if rows else ["no rows"]
        return csv_response(f"{report.value}-{period_from}-{period_to}", header, ([*row.values()] for row in rows))
    return rows
