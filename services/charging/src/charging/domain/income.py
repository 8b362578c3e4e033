"""Which income counts (Schedule 1 of the Care and Support (Charging and Assessment of Resources) Regulations 2014).

See docs/domain/charging.md, "Income".
"""

from __future__ import annotations

from charging.domain.circumstances import IncomeKind, IncomeLine
from charging.domain.figures import NationalChargingFigures
from charging.domain.money import Pence
from charging.domain.policy import ChargingPolicy
from charging.domain.result import Treatment, Worksheet

DISREGARDED_IN_FULL = {
    IncomeKind.earnings: "earnings are disregarded (regulation 14)",
    IncomeKind.dla_mobility: "the mobility component of DLA is disregarded (Schedule 1 para 8)",
    IncomeKind.pip_mobility: "the mobility component of PIP is disregarded (Schedule 1 para 8)",
    IncomeKind.war_disablement_pension: "war disablement pension is disregarded (Schedule 1)",
    IncomeKind.housing_benefit: "housing benefit is disregarded; housing costs are taken net of it (Schedule 1)",
    IncomeKind.council_tax_support: "council tax support is disregarded; council tax is taken net of it (Schedule 1)",
}

# The higher rates of the disability benefits, and the rate a council without night care counts instead.
HIGHER_RATES = {
    IncomeKind.attendance_allowance_higher: "attendance_allowance_lower",
    IncomeKind.dla_care_highest: "dla_care_middle",
    IncomeKind.pip_daily_living_enhanced: "pip_daily_living_standard",
}


def count_income(
    lines: list[IncomeLine],
    figures: NationalChargingFigures,
    policy: ChargingPolicy,
    sheet: Worksheet,
    *,
    at_home: bool,
    night_care_provided: bool,
) -> Pence:
    """The weekly income that counts; each line recorded as counted or disregarded and why."""
    total = 0
    for line in lines:
        name = line.kind.value
        if line.kind in DISREGARDED_IN_FULL:
            sheet.add(name, line.weekly_pence, Treatment.disregarded, DISREGARDED_IN_FULL[line.kind])
            continue
        lower_rate = HIGHER_RATES.get(line.kind)
        if at_home and lower_rate and _only_lower_rate_counts(line.kind, policy, night_care_provided):
            counted = min(
                line.weekly_pence, sheet.figure(f"benefit_rates.{lower_rate}", figures.benefit_rates[lower_rate])
            )
            total += sheet.add(name, counted, Treatment.counted, f"counted at the {lower_rate} rate: no night care")
            sheet.add(
                f"{name} (no night care)",
                line.weekly_pence - counted,
                Treatment.disregarded,
                "council policy: the higher rate counts only when the council provides night care",
            )
            continue
        total += sheet.add(name, line.weekly_pence, Treatment.counted, "counted in full")
    return total


def _only_lower_rate_counts(kind: IncomeKind, policy: ChargingPolicy, night_care_provided: bool) -> bool:
    if night_care_provided:
        return False
    if kind is IncomeKind.pip_daily_living_enhanced:
        return not policy.count_enhanced_pip_daily_living_in_full
    return policy.count_higher_aa_dla_care_only_with_night_care
