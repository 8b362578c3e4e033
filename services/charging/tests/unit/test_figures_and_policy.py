"""National figures and council policy as effective-dated data, validated completely."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from charging.bootstrap import SERVICE
from charging.domain.figures import NationalChargingFigures, NoFiguresForDate
from charging.domain.interest import DeferredPaymentInterestRates
from charging.domain.policy import ChargingPolicy

from .conftest import shipped


def test_charging_holds_the_national_figures_interest_rates_and_policy_kinds():
    assert {"national_charging_figures", "deferred_payment_interest_rates", "charging_policy"} <= set(SERVICE.kinds())


def test_three_years_of_national_figures_are_shipped_in_version_order():
    datasets = shipped("national", "national_charging_figures")
    years = [NationalChargingFigures.model_validate(d["payload"]).financial_year for d in datasets]
    assert years == ["2024/25", "2025/26", "2026/27"]
    assert [d["version"] for d in datasets] == [1, 2, 3]
    assert [d["effective_from"] for d in datasets] == ["2024-04-08", "2025-04-07", "2026-04-06"]


def test_the_shipped_interest_rates_and_sample_policy_are_valid():
    (rates,) = shipped("national", "deferred_payment_interest_rates")
    (policy,) = shipped("wyvernshire", "charging_policy")
    DeferredPaymentInterestRates.model_validate(rates["payload"])
    ChargingPolicy.model_validate(policy["payload"])


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2024, 4, 8), "2024/25"),
        (date(2025, 4, 6), "2024/25"),  # benefit-year figures change on the first Monday on or after 6 April
        (date(2025, 4, 7), "2025/26"),
        (date(2027, 3, 31), "2026/27"),
    ],
)
def test_figures_in_force_on_a_date(figures, day, year):
    assert figures.on(day).figures.financial_year == year


@pytest.mark.parametrize("day", [date(2024, 4, 7), date(2027, 4, 1)])
def test_no_figures_outside_the_shipped_years(figures, day):
    with pytest.raises(NoFiguresForDate):
        figures.on(day)


def test_a_provisional_figure_makes_the_result_provisional(charge):
    confirmed = charge(income=[{"kind": "state_pension", "weekly_pence": 20000}])
    assert not confirmed.provisional
    premium = charge(
        assessed_on="2024-06-03",
        minimum_income_guarantee_premiums=["disability"],
        income=[{"kind": "state_pension", "weekly_pence": 20000}],
    )
    assert premium.provisional_figures == ("minimum_income_guarantee.premiums.disability",)
    next_year = charge(assessed_on="2026-06-01", minimum_income_guarantee_allowance="single_18_to_24")
    assert "capital.lower_limit" in next_year.provisional_figures


@pytest.mark.parametrize(
    ("day", "premium", "pence"),
    [("2025-06-02", "carer", 5235), ("2026-06-01", "carer", 5235), ("2026-06-01", "disability", 4965)],
)
def test_premiums_not_yet_published_are_carried_forward_and_marked_provisional(charge, day, premium, pence):
    result = charge(
        assessed_on=day,
        minimum_income_guarantee_premiums=[premium],
        income=[{"kind": "state_pension", "weekly_pence": 20000}],
    )
    assert result.step(f"MIG premium: {premium}").pence == pence
    assert f"minimum_income_guarantee.premiums.{premium}" in result.provisional_figures


def locations(error: ValidationError) -> set[tuple]:
    return {tuple(e["loc"]) for e in error.errors()}


def test_bad_national_figures_list_every_problem():
    (dataset,) = shipped("national", "national_charging_figures")[:1]
    payload = dict(dataset["payload"])
    payload["financial_year"] = "2024/26"
    payload["personal_expenses_allowance"] = {"pence": -1}
    payload["capital"] = {**payload["capital"], "tariff_step": {"pence": 25000, "provisional": "perhaps"}}
    payload["benefit_rates"] = {"attendance_allowance_lower": {"pence": 7265}}
    with pytest.raises(ValidationError) as error:
        NationalChargingFigures.model_validate(payload)
    assert {
        ("financial_year",),
        ("personal_expenses_allowance", "pence"),
        ("capital", "tariff_step", "provisional"),
    } <= (locations(error.value))


def test_missing_benefit_rates_and_an_fnc_date_outside_the_year_are_both_named():
    (dataset,) = shipped("national", "national_charging_figures")[:1]
    payload = {
        **dataset["payload"],
        "benefit_rates": {},
        "funded_nursing_care": {**dataset["payload"]["funded_nursing_care"], "applies_from": "2023-04-01"},
    }
    with pytest.raises(ValidationError) as error:
        NationalChargingFigures.model_validate(payload)
    message = str(error.value)
    assert "dla_care_middle" in message and "pip_daily_living_standard" in message
    assert "applies_from must fall in the financial year" in message


def test_a_bad_policy_lists_every_problem():
    (dataset,) = shipped("wyvernshire", "charging_policy")
    payload = {
        **dataset["payload"],
        "standard_dre_allowance_pence": -1,
        "free_reablement_weeks": 4,
        "short_stay_max_weeks": 9,
        "capital_discount_percent": "0",
        "short_stay_rules": "whatever",
        "reassessment_limit_years": 0,
    }
    with pytest.raises(ValidationError) as error:
        ChargingPolicy.model_validate(payload)
    assert locations(error.value) == {
        ("standard_dre_allowance_pence",),
        ("free_reablement_weeks",),
        ("short_stay_max_weeks",),
        ("capital_discount_percent",),
        ("short_stay_rules",),
        ("reassessment_limit_years",),
    }
