"""Commissioning reports as JSON (money in pence) and as CSV for a spreadsheet (money in pounds); the CSV
rules (formula guard, pounds, BOM, CRLF) are the platform's (pbshared.platform.csv_export)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi import Response

from pbshared.platform.csv_export import csv_text, pounds, text

__all__ = ["csv_response", "pounds", "text"]


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    return Response(
        csv_text(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )
