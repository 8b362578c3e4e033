"""CSV for a spreadsheet: money in pounds, text guarded against formula injection, UTF-8 with a BOM.

CSV cells that are text the council supplied (a reference) are escaped when a spreadsheet would
read them as a formula: a leading = + - @ (or tab, carriage return) gets a leading apostrophe.
Numbers we write ourselves stay numbers, negative ones included, so they add up in the sheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_PENNY = Decimal("0.01")


def pounds(pence: int) -> Decimal:
    """Pence as pounds with two decimals, exactly (no float on the way). A Decimal, not text, so a
    negative amount is written as a number the sheet adds up, never guarded as a formula."""
    return (Decimal(pence) / 100).quantize(_PENNY)


def text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    # A byte order mark tells Excel the file is UTF-8; CRLF line ends are what RFC 4180 says.
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def cell(value: object) -> object:
    """A cell as written: text guarded against formula injection, numbers as numbers, None empty."""
    if isinstance(value, str):
        return text(value)
    return "" if value is None else value
