"""Reports as JSON (money in pence) and as CSV for a spreadsheet (money in pounds): RAS's
commissioning reports, brokerage's market figures. The CSV rules (formula guard, pounds, BOM, CRLF)
are the platform's (pbshared.platform.csv_export)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi import Response

from pbshared.platform.csv_export import cell, csv_text, pounds, text

__all__ = ["csv_response", "pounds", "text"]


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """A CSV download: every text cell guarded against formula injection (`cell`); amounts from
    `pounds` are numbers and stay numbers."""
    return Response(
        csv_text(header, ([cell(value) for value in row] for row in rows)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )
