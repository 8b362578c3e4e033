"""A CSV download for a route (the cells and the file itself: pbshared.platform.csv_export, which use
cases may use too; this module is the HTTP edge)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi import Response

from pbshared.platform.csv_export import cell, csv_text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """A CSV download: every cell guarded (`cell`)."""
    body = csv_text(header, ([cell(value) for value in row] for row in rows))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )
