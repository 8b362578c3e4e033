"""Money in the charging rules: integer pence, with Decimal only where a rule multiplies or divides.

Every rounding is half up to the penny and happens at the point the rule says (docs/domain/charging.md,
"Rounding").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Pence = int


def round_half_up(amount: Decimal) -> Pence:
    """Pence from a fractional amount of pence, half up (0.5p becomes 1p)."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(pence: Pence, percent: Decimal) -> Pence:
    return round_half_up(Decimal(pence) * percent / 100)


def pounds(pence: Pence) -> str:
    """GBP text for a step in a result: 12345 -> '123.45'."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"
