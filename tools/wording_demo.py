"""How the local stack's demonstration writes money, dates and outcomes: for a social worker, finance
officer or commissioner reading it, so one way each, and no HTTP status codes or ISO timestamps."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pbshared.contract.money import as_pounds

# One way to write money across the demonstration: "GBP 1,234.56", from integer pence (never a float).
money = as_pounds


def day(value: date | str) -> str:
    """A date as a person writes it: '2026-11-24' -> '24 November 2026'."""
    when = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{when.day} {when:%B %Y}"


def moment(value: datetime | str) -> str:
    """An instant in UTC, to the minute: '2026-11-25T06:41:53.449Z' -> '25 November 2026 at 06:41 UTC'."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    when = when.astimezone(UTC)
    return f"{day(when.date())} at {when:%H:%M} UTC"


def outcome(status_code: int) -> str:
    """What a response meant, in words: accepted (stored) or refused (nothing stored)."""
    return "accepted" if 200 <= status_code < 300 else "refused: nothing stored"


def plain(code: str) -> str:
    """A code name as words: 'state_pension' -> 'state pension'."""
    return code.replace("_", " ")


def count(n: int, thing: str) -> str:
    """'1 package', '2 packages'."""
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"
