"""Money on the wire and in storage: integer pence. Decimal only where a rate is multiplied out.

One rounding rule for every service: half up to the penny (0.5p rounds away from zero), applied once,
at the point a product of a rate and a quantity becomes money. Never round intermediate figures.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

WEEKS_PER_YEAR = 52


def pence_half_up(amount_in_pence: Decimal | int) -> int:
    """Whole pence from an exact figure in pence, rounding half up."""
    return int(Decimal(amount_in_pence).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def weekly_from_annual(annual_pence: int) -> int:
    """A yearly amount as a weekly one: annual / 52, half up to the penny."""
    return pence_half_up(Decimal(annual_pence) / WEEKS_PER_YEAR)


def as_pounds(pence: int) -> str:
    """Pence as text a person reads, e.g. 123456 -> 'GBP 1,234.56'."""
    return f"-GBP {in_pounds(-pence)}" if pence < 0 else f"GBP {in_pounds(pence)}"


def in_pounds(pence: int) -> str:
    """Pence as pounds and pence with thousands separated, e.g. 123456 -> '1,234.56': integer
    arithmetic, so a large sum is never a float's nearest neighbour."""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(pence), 100)
    return f"{sign}{pounds:,}.{pennies:02d}"
