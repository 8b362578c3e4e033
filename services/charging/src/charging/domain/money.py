"""Money in the charging rules: integer pence, with Decimal only where a rule multiplies or divides.

Rounding happens only where a rule multiplies or divides, to the penny (docs/domain/charging.md,
"Rounding"): in a financial assessment a fraction of a penny goes the person's way (regulation 11);
elsewhere (interest, the equity limit) it is rounded half up.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

Pence = int


def round_half_up(amount: Decimal) -> Pence:
    """Pence from a fractional amount of pence, half up (0.5p becomes 1p)."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(pence: Pence, percent: Decimal) -> Pence:
    return round_half_up(Decimal(pence) * percent / 100)


def allowance_percent_of(pence: Pence, percent: Decimal) -> Pence:
    """A percentage taken off what the person is charged on: a fraction of a penny counts in their favour."""
    return int((Decimal(pence) * percent / 100).quantize(Decimal(1), rounding=ROUND_CEILING))


def pounds(pence: Pence) -> str:
    """GBP text for a step in a result: 12345 -> '123.45'."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"
