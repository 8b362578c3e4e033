"""Capital and tariff income (regulations 12 to 25 and Schedule 2; docs/domain/charging.md, "Capital")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from charging.domain.figures import CapitalLimits
from charging.domain.money import Pence, allowance_percent_of
from charging.domain.result import Treatment, Worksheet


@dataclass(frozen=True)
class CapitalOutcome:
    assessable_pence: Pence
    over_upper_limit: bool
    tariff_income_pence: Pence


def tariff_income(capital: Pence, lower_limit: Pence, step: Pence, per_step: Pence) -> Pence:
    """GBP 1 a week for every GBP 250, or part of GBP 250, above the lower limit (regulation 25)."""
    if capital <= lower_limit:
        return 0
    steps = -(-(capital - lower_limit) // step)  # a part step counts as a whole one
    return steps * per_step


def assess_capital(
    own: Pence,
    joint: Pence,
    main_home: Pence,
    limits: CapitalLimits,
    discount_percent: Decimal | None,
    sheet: Worksheet,
) -> CapitalOutcome:
    sheet.add("own capital", own, Treatment.counted, "the person's own capital")
    half_joint = joint // 2  # an odd penny stays with the other owner
    if joint:
        sheet.add("jointly held capital", half_joint, Treatment.counted, "half of capital held jointly (regulation 24)")
    total = own + half_joint + main_home
    if main_home:
        sheet.add("main home", main_home, Treatment.counted, "the main home is not disregarded")
    if discount_percent is not None and total:
        discount = allowance_percent_of(total, discount_percent)
        sheet.add(
            "capital discount", discount, Treatment.disregarded, f"council policy: {discount_percent}% of capital"
        )
        total -= discount
    lower = sheet.figure("capital.lower_limit", limits.lower_limit)
    upper = sheet.figure("capital.upper_limit", limits.upper_limit)
    if total > upper:
        sheet.add("capital over the upper limit", total, Treatment.counted, "above the upper limit: full-cost payer")
        return CapitalOutcome(total, True, 0)
    step = sheet.figure("capital.tariff_step", limits.tariff_step)
    per_step = sheet.figure("capital.tariff_per_step", limits.tariff_per_step)
    tariff = tariff_income(total, lower, step, per_step)
    reason = (
        "no tariff income at or below the lower limit" if not tariff else "per GBP 250 or part above the lower limit"
    )
    sheet.add("tariff income", tariff, Treatment.counted, reason)
    return CapitalOutcome(total, False, tariff)
