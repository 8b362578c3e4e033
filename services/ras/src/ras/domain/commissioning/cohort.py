"""Reading a cohort of past assessments from CSV, one line at a time (format: docs/domain/ras.md).

A cohort file can be large, so lines are read as they arrive and good rows handed on at once; every
bad row is noted with its line number, column and rule (never its value, which may be personal data)
and the caller stores nothing when any line was bad.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal

from pbshared.contract.events.people import ClientGroup
from ras.domain.commissioning.calibration import CohortRow
from ras.domain.problems import Problem, refuse_if_any

COLUMNS = ("reference", "client_group", "points", "actual_weekly_cost")
MAX_ROWS = 100_000
MAX_POINTS = 10_000
MAX_PROBLEMS_LISTED = 500
_MAX_REFERENCE = 64
# Pounds and pence as a spreadsheet writes them: an optional pound sign, at most two decimals.
_POUNDS = re.compile(r"£?(\d{1,7})(?:\.(\d{1,2}))?")
_GROUPS = {g.value for g in ClientGroup}


def _pence(cell: str) -> int | None:
    match = _POUNDS.fullmatch(cell)
    if match is None:
        return None
    pounds, pence = match.groups()
    return int(Decimal(f"{pounds}.{(pence or '0').ljust(2, '0')}") * 100)


def _points(cell: str) -> int | None:
    return int(cell) if cell.isascii() and cell.isdigit() and int(cell) <= MAX_POINTS else None


class CohortReader:
    """Feed it the file's lines in order; it returns each good row, and `finish` refuses the file
    with every problem if any line was bad."""

    def __init__(self) -> None:
        self.line = 0
        self.rows = 0
        self._columns: dict[str, int] | None = None
        self._references: set[str] = set()
        self._problems: list[Problem] = []
        self._unlisted = 0

    @property
    def clean(self) -> bool:
        """No bad line so far: rows read are worth keeping."""
        return not self._problems

    def _problem(self, column: str, rule: str) -> None:
        if len(self._problems) < MAX_PROBLEMS_LISTED:
            self._problems.append(Problem(("line", self.line, column), rule))
        else:
            self._unlisted += 1

    def read(self, text: str) -> CohortRow | None:
        self.line += 1
        text = text.rstrip("\r\n")
        if self.line == 1:
            text = text.removeprefix("\ufeff")  # spreadsheets mark UTF-8 files with a byte order mark
        if not text.strip():
            return None
        if self._columns is not None:
            self.rows += 1
        try:
            cells = [cell.strip() for cell in next(csv.reader([text]), [])]
        except csv.Error:
            self._problem("reference" if self._columns else "file", "cannot be read as CSV")
            return None
        if self._columns is None:
            self._read_header(cells)
            return None
        return self._read_row(cells)

    def _read_header(self, cells: list[str]) -> None:
        names = [cell.lower() for cell in cells]
        self._columns = {name: i for i, name in enumerate(names)}
        for name in COLUMNS:
            if name not in self._columns:
                self._problem(name, "the header has no such column")
        for i, name in enumerate(names):
            if name not in COLUMNS:
                self._problem(f"column {i + 1}", f"is not a cohort column; the columns are {', '.join(COLUMNS)}")
            elif names.index(name) != i:
                self._problem(name, "appears twice in the header")

    def _read_row(self, cells: list[str]) -> CohortRow | None:
        assert self._columns is not None
        if self.rows > MAX_ROWS:
            if self.rows == MAX_ROWS + 1:
                self._problem("reference", f"a cohort has at most {MAX_ROWS} rows")
            return None
        if len(cells) != len(self._columns):
            self._problem("reference", f"has {len(cells)} cells; the header has {len(self._columns)}")
            return None
        if any(name not in self._columns for name in COLUMNS):
            return None  # the header was refused; its problem says why
        cell = {name: cells[self._columns[name]] for name in COLUMNS}
        before = len(self._problems) + self._unlisted
        reference = cell["reference"]
        if not reference or len(reference) > _MAX_REFERENCE or not reference.isprintable():
            self._problem("reference", f"must be 1 to {_MAX_REFERENCE} printable characters")
        elif reference in self._references:
            self._problem("reference", "repeats an earlier row's reference")
        self._references.add(reference)
        if cell["client_group"] not in _GROUPS:
            self._problem("client_group", f"must be one of {', '.join(sorted(_GROUPS))}")
        points = _points(cell["points"])
        if points is None:
            self._problem("points", f"must be a whole number from 0 to {MAX_POINTS}")
        weekly = _pence(cell["actual_weekly_cost"])
        if weekly is None:
            self._problem("actual_weekly_cost", "must be pounds and pence, 0 or more, such as 412.50")
        if len(self._problems) + self._unlisted > before or points is None or weekly is None:
            return None
        return CohortRow(reference, ClientGroup(cell["client_group"]), points, weekly)

    def finish(self) -> None:
        """Refused, with every problem listed, when the file had any bad line or no rows at all."""
        problems = list(self._problems)
        if self._columns is None:
            problems.append(Problem(("file",), "is empty: its first line names the columns"))
        elif self.rows == 0:
            problems.append(Problem(("file",), "has a header and no rows"))
        if self._unlisted:
            problems.append(Problem(("file",), f"has {self._unlisted} more problems than are listed"))
        refuse_if_any(problems)
