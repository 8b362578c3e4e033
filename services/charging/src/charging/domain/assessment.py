"""The weekly charge: Care Act 2014 s14 and s17 and the charging regulations, step by step.

The rules, with their sources, are in docs/domain/charging.md; each function names the part it follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from charging.domain.capital import assess_capital
from charging.domain.circumstances import Circumstances, Collection, Funding, IncomeKind, Setting, Stay
from charging.domain.figures import FiguresVersion, FundedNursingCare
from charging.domain.health import HealthBasis, free_reason_on
from charging.domain.income import count_income
from charging.domain.money import Pence, allowance_percent_of
from charging.domain.policy import ChargingPolicy, PolicyVersion, ShortStayRules
from charging.domain.result import ChargeResult, Treatment, Worksheet

PROPERTY_DISREGARD_DAYS = 12 * 7  # Schedule 2: the main home, for the first 12 weeks of a permanent stay

FREE_BY_LAW = {
    Funding.section_117_aftercare: "section 117 aftercare (Mental Health Act 1983) is free",
    Funding.continuing_healthcare: "NHS continuing healthcare: the NHS pays the whole package",
}


class Rules(StrEnum):
    non_residential = "non_residential"
    residential = "residential"


def rules_for(setting: Setting, stay: Stay | None, policy: ChargingPolicy) -> Rules:
    """Care at home, and a short stay where the council chooses so (regulation 8), use non-residential rules."""
    if setting is Setting.at_home or stay is None:
        return Rules.non_residential
    short = not stay.permanent and stay.planned_weeks is not None and stay.planned_weeks <= policy.short_stay_max_weeks
    if short and policy.short_stay_rules is ShortStayRules.non_residential:
        return Rules.non_residential
    return Rules.residential


@dataclass(frozen=True)
class Inputs:
    """Everything one calculation reads, already looked up for the assessment date."""

    circumstances: Circumstances
    figures: FiguresVersion
    policy: PolicyVersion
    funded_nursing_care: tuple[FiguresVersion, FundedNursingCare] | None = None


def calculate(inputs: Inputs) -> ChargeResult:
    c, policy = inputs.circumstances, inputs.policy.policy
    sheet = Worksheet()
    free = _free_reason(c, policy)
    if free:
        sheet.add("weekly charge", 0, Treatment.charge, free)
        return _result(inputs, sheet, 0, free_reason=free)
    rules = rules_for(c.care_setting, c.stay, policy)
    fnc = _funded_nursing_care(inputs, sheet)
    cost = _chargeable_cost(c, policy, fnc, sheet)
    if not c.disclosed:
        sheet.add(
            "declined to disclose",
            0,
            Treatment.counted,
            "a person who declines a financial assessment pays the full cost",
        )
        return _full_cost(inputs, sheet, cost, fnc, rules)
    capital = assess_capital(
        c.own_capital_pence,
        c.joint_capital_pence,
        _main_home_counted(c, rules, sheet),
        inputs.figures.figures.capital,
        policy.capital_discount_percent,
        sheet,
    )
    if capital.over_upper_limit:
        return _full_cost(inputs, sheet, cost, fnc, rules)
    if rules is Rules.non_residential:
        available = _non_residential_available(inputs, capital.tariff_income_pence, sheet)
    else:
        available = _residential_available(inputs, capital.tariff_income_pence, sheet)
    charge = _capped(available, cost, rules, policy, sheet)
    return _result(inputs, sheet, charge, fnc=fnc, cost=cost)


def _free_reason(c: Circumstances, policy: ChargingPolicy) -> str | None:
    if c.health is not None and (reason := free_reason_on(c.health, c.assessed_on)):
        return reason
    if c.funding in FREE_BY_LAW:
        return FREE_BY_LAW[c.funding]
    if c.funding is Funding.reablement and c.care_started_on is not None:
        weeks = policy.free_reablement_weeks
        if c.assessed_on < c.care_started_on + timedelta(weeks=weeks):
            return f"reablement is free for its first {weeks} weeks (regulation 3 and council policy)"
    return None


def _funded_nursing_care(inputs: Inputs, sheet: Worksheet) -> Pence:
    stay = inputs.circumstances.stay
    if (
        inputs.circumstances.care_setting is not Setting.nursing_home
        or stay is None
        or inputs.funded_nursing_care is None
    ):
        return 0
    _, rates = inputs.funded_nursing_care
    band = stay.funded_nursing_care_band or "standard"
    fnc = sheet.figure(f"funded_nursing_care.{band}", getattr(rates, band))
    sheet.add(
        "funded nursing care",
        fnc,
        Treatment.cap,
        "paid by the NHS; the contribution plus FNC never exceeds the placement cost",
    )
    return fnc


def _chargeable_cost(c: Circumstances, policy: ChargingPolicy, fnc: Pence, sheet: Worksheet) -> Pence:
    """The weekly cost the council may charge for: without the NHS's part, any policy discount and FNC."""
    weekly, why = care_cost(c)
    cost = sheet.add("weekly cost of care", weekly, Treatment.cap, why)
    share, reason = _nhs_share(c)
    if share:
        cost -= sheet.add("NHS-funded part", share, Treatment.disregarded, reason)
    if c.second_carer_cost_pence and policy.second_carer_discount_percent is not None:
        discount = allowance_percent_of(c.second_carer_cost_pence, policy.second_carer_discount_percent)
        cost -= sheet.add(
            "second carer discount",
            discount,
            Treatment.disregarded,
            f"council policy: {policy.second_carer_discount_percent}% off the second carer on double-handed calls",
        )
    return max(0, cost - fnc)


def care_cost(c: Circumstances) -> tuple[Pence, str]:
    """The weekly cost of the care: the personal budget, with the part the council arranges at what
    brokerage's placements actually cost, so the charge is never above what the care costs."""
    placed = c.placed
    if placed is None:
        return c.weekly_cost_of_care_pence, "personal budget or placement cost"
    budget = c.weekly_cost_of_care_pence
    arranged = budget if c.council_managed_weekly_pence is None else min(c.council_managed_weekly_pence, budget)
    return budget - arranged + placed.weekly_pence, "the care the council arranged at its placements' actual cost"


def _nhs_share(c: Circumstances) -> tuple[Pence, str]:
    """The NHS's part of a jointly funded package: from the health service's decision when there is one
    (a percentage of the cost, a fraction of a penny in the person's favour), else as the assessor gave it."""
    health = c.health
    if health is None or health.basis is not HealthBasis.joint_funding:
        return c.nhs_share_pence, "the NHS-funded part of joint funding is free"
    cost, _ = care_cost(c)
    if health.nhs_share_percent is not None:
        share = min(cost, allowance_percent_of(cost, health.nhs_share_percent))
        return share, f"joint funding: the NHS pays {health.nhs_share_percent}% of the cost, which is not charged"
    share = min(cost, health.nhs_weekly_pence or 0)
    return share, "joint funding: the NHS pays a weekly amount of the cost, which is not charged"


def _main_home_counted(c: Circumstances, rules: Rules, sheet: Worksheet) -> Pence:
    """The main home counts only for a permanent resident, after 12 weeks, with no qualifying relative in it."""
    stay = c.stay
    if stay is None or not stay.main_home_value_pence:
        return 0
    value = stay.main_home_value_pence
    if rules is Rules.non_residential or not stay.permanent:
        reason = "the home is disregarded for care at home and short or temporary stays"
    elif stay.qualifying_relative_in_main_home:
        reason = "a partner or qualifying relative lives in the home (Schedule 2)"
    elif c.assessed_on < stay.admitted_on + timedelta(days=PROPERTY_DISREGARD_DAYS):
        reason = "12-week property disregard from the start of the permanent stay (Schedule 2)"
    else:
        return value
    sheet.add("main home", value, Treatment.disregarded, reason)
    return 0


def _non_residential_available(inputs: Inputs, tariff: Pence, sheet: Worksheet) -> Pence:
    """Income + tariff income - MIG - housing costs - DRE (regulation 7, guidance annex C)."""
    c, figures, policy = inputs.circumstances, inputs.figures.figures, inputs.policy.policy
    income = count_income(c.income, figures, policy, sheet, at_home=True, night_care_provided=c.night_care_provided)
    mig_table = figures.minimum_income_guarantee
    key = c.minimum_income_guarantee_allowance or ""
    mig = sheet.figure(f"minimum_income_guarantee.personal_allowances.{key}", mig_table.personal_allowances[key])
    sheet.add("minimum income guarantee", mig, Treatment.allowance, f"personal allowance: {key} (regulation 7)")
    for premium in c.minimum_income_guarantee_premiums:
        amount = sheet.figure(f"minimum_income_guarantee.premiums.{premium}", mig_table.premiums[premium])
        mig += sheet.add(f"MIG premium: {premium}", amount, Treatment.allowance, "regulation 7")
    housing = sheet.add(
        "housing costs", c.housing_costs_pence, Treatment.allowance, "rent, mortgage and council tax, net"
    )
    if c.itemised_dre_pence is not None:
        dre = sheet.add(
            "disability-related expenditure", c.itemised_dre_pence, Treatment.allowance, "itemised with evidence"
        )
    else:
        dre = sheet.add(
            "disability-related expenditure",
            policy.standard_dre_allowance_pence,
            Treatment.allowance,
            "council standard allowance",
        )
    return income + tariff - mig - housing - dre


def _residential_available(inputs: Inputs, tariff: Pence, sheet: Worksheet) -> Pence:
    """Income + tariff income - personal expenses allowance - savings credit disregard (regulation 6)."""
    c, figures, policy = inputs.circumstances, inputs.figures.figures, inputs.policy.policy
    income = count_income(c.income, figures, policy, sheet, at_home=False, night_care_provided=False)
    pea = sheet.figure("personal_expenses_allowance", figures.personal_expenses_allowance)
    sheet.add("personal expenses allowance", pea, Treatment.allowance, "regulation 6")
    savings_credit = sum(line.weekly_pence for line in c.income if line.kind is IncomeKind.pension_credit_savings)
    disregard = 0
    if savings_credit:
        key = "couple" if c.member_of_couple and "couple" in figures.savings_credit_disregard else "single"
        limit = sheet.figure(f"savings_credit_disregard.{key}", figures.savings_credit_disregard[key])
        disregard = sheet.add(
            "savings credit disregard",
            min(savings_credit, limit),
            Treatment.allowance,
            "Schedule 1: up to the weekly limit",
        )
    return income + tariff - pea - disregard


def _capped(available: Pence, cost: Pence, rules: Rules, policy: ChargingPolicy, sheet: Worksheet) -> Pence:
    charge = max(0, available)
    if available < 0:
        sheet.add("never below zero", charge, Treatment.cap, "income below the allowances: nothing to pay")
    if charge > cost:
        charge = sheet.add("cost of care cap", cost, Treatment.cap, "never more than the weekly cost of the care")
    charge = _council_maximum(charge, rules, policy, sheet)
    if 0 < charge < policy.minimum_weekly_charge_pence:
        sheet.add(
            "below the minimum charge",
            charge,
            Treatment.cap,
            "council policy: charges below the minimum are not collected",
        )
        charge = 0
    sheet.add("weekly charge", charge, Treatment.charge, "the assessed weekly charge")
    return charge


def _council_maximum(charge: Pence, rules: Rules, policy: ChargingPolicy, sheet: Worksheet) -> Pence:
    cap = policy.maximum_weekly_charge_pence
    if rules is Rules.non_residential and cap is not None and charge > cap:
        return sheet.add(
            "council maximum", cap, Treatment.cap, "council policy: maximum weekly charge for care at home"
        )
    return charge


def _full_cost(inputs: Inputs, sheet: Worksheet, cost: Pence, fnc: Pence, rules: Rules) -> ChargeResult:
    """A full-cost payer pays the weekly cost; one who asks the council to arrange care at home may pay a fee."""
    policy = inputs.policy.policy
    charge = _council_maximum(cost, rules, policy, sheet)
    sheet.add("weekly charge", charge, Treatment.charge, "full-cost payer")
    fee = policy.arrangement_fee
    charge_fee = (
        fee is not None
        and inputs.circumstances.asks_council_to_arrange
        and inputs.circumstances.care_setting is Setting.at_home
    )
    return _result(
        inputs,
        sheet,
        charge,
        full_cost_payer=True,
        fee_one_off=fee.one_off_pence if fee and charge_fee else 0,
        fee_weekly=fee.weekly_pence if fee and charge_fee else 0,
        fnc=fnc,
        cost=cost,
    )


def _result(
    inputs: Inputs,
    sheet: Worksheet,
    charge: Pence,
    *,
    free_reason: str | None = None,
    full_cost_payer: bool = False,
    fee_one_off: Pence = 0,
    fee_weekly: Pence = 0,
    fnc: Pence = 0,
    cost: Pence = 0,
) -> ChargeResult:
    stay = inputs.circumstances.stay
    in_home = inputs.circumstances.care_setting is not Setting.at_home and stay is not None and free_reason is None
    nhs_share, part_free_reason = _nhs_share(inputs.circumstances)
    return ChargeResult(
        weekly_charge_pence=charge,
        effective_date=inputs.circumstances.assessed_on,
        figures_version=inputs.figures.version,
        figures_year=inputs.figures.figures.financial_year,
        policy_version=inputs.policy.version,
        steps=tuple(sheet.steps),
        provisional_figures=tuple(sheet.provisional),
        full_cost_payer=full_cost_payer,
        free_reason=free_reason,
        part_free_reason=part_free_reason if nhs_share and free_reason is None else None,
        arrangement_fee_one_off_pence=fee_one_off,
        arrangement_fee_weekly_pence=fee_weekly,
        funded_nursing_care_pence=fnc,
        collection=stay.collection if in_home and stay else None,
        council_pays_provider_pence=_council_pays(stay, cost, charge) if in_home and stay else None,
    )


def _council_pays(stay: Stay, cost: Pence, charge: Pence) -> Pence:
    """Gross: the council pays the provider the whole (less FNC) and bills the person; net: the provider collects."""
    return cost if stay.collection is Collection.gross else cost - charge
