"""Worked examples councils publish, reproduced to the penny. Each names its source (council, page, year).

Where a council's policy differs from the sample council's, the test sets that council's option.
"""

from __future__ import annotations

from charging.domain.figures import figures_history
from charging.domain.financial_assessment import assess

from .conftest import sample_policy, shipped


def test_knowsley_2024_25_example_1_aged_18_to_pension_age(charge):
    """Knowsley Council, 'Examples of financial assessments for care provided in your home or the
    community', example 1 (Client A, 22, supported accommodation), 2024/25 rates: GBP 67.71 a week."""
    result = charge(
        policy={"count_enhanced_pip_daily_living_in_full": False, "minimum_weekly_charge_pence": 0},
        assessed_on="2024-06-03",
        weekly_cost_of_care_pence=39195,
        minimum_income_guarantee_allowance="single_18_to_24",
        minimum_income_guarantee_premiums=["disability", "enhanced_disability"],  # MIG 160.30
        income=[
            {"kind": "universal_credit", "weekly_pence": 16796},
            {"kind": "pip_daily_living_enhanced", "weekly_pence": 10855},
            {"kind": "pip_mobility", "weekly_pence": 7575},
        ],
        itemised_dre_pence=1260,  # laundry and bedding 6.42, clothing and footwear 6.18
    )
    assert result.step("pip_daily_living_enhanced (no night care)").pence == 3590
    assert result.weekly_charge_pence == 6771


def test_leeds_2024_25_home_care_example_1_mary_income_below_her_allowances(charge):
    """Leeds City Council, 'Examples: how much people pay' (care and support at home), example 1: Mary,
    85, state pension 169.50 and pension credit 48.65 against MIG 228.70 and telecare 9.30: pays nothing."""
    result = charge(
        assessed_on="2024-06-03",
        weekly_cost_of_care_pence=28750,
        minimum_income_guarantee_allowance="single_pension_credit_age",
        income=[
            {"kind": "state_pension", "weekly_pence": 16950},
            {"kind": "pension_credit_guarantee", "weekly_pence": 4865},
        ],
        itemised_dre_pence=930,
    )
    assert result.step("minimum income guarantee").pence == 22870
    assert result.weekly_charge_pence == 0


def test_lambeth_care_home_example_jane_with_savings_of_15250(charge):
    """Lambeth Council, 'Example of how your contribution is calculated' (paying for a care home), 2024/25
    PEA 30.15: Jane, 71, savings GBP 15,250 (tariff GBP 4), pensions 130, benefits 40: pays GBP 143.85.
    The page gives no placement cost; any cost above the charge gives the same result."""
    result = charge(
        assessed_on="2024-06-03",
        setting="care_home",
        weekly_cost_of_care_pence=90000,
        minimum_income_guarantee_allowance=None,
        stay={"permanent": True, "admitted_on": "2024-06-03"},
        own_capital_pence=1525000,
        income=[
            {"kind": "private_pension", "weekly_pence": 13000},
            {"kind": "other", "weekly_pence": 4000},
        ],
    )
    assert result.step("tariff income").pence == 400
    assert result.weekly_charge_pence == 14385


def test_leeds_2024_25_care_home_example_1_michael(charge):
    """Leeds City Council, 'Examples: how much people pay for care homes', example 1: Michael, state
    pension 209.67 and private pension 25.81, PEA 30.15: pays GBP 205.33 of GBP 694; the council pays 488.67."""
    result = charge(
        assessed_on="2024-06-03",
        setting="care_home",
        weekly_cost_of_care_pence=69400,
        minimum_income_guarantee_allowance=None,
        stay={"permanent": True, "admitted_on": "2024-05-06", "collection": "net"},
        income=[
            {"kind": "state_pension", "weekly_pence": 20967},
            {"kind": "private_pension", "weekly_pence": 2581},
        ],
    )
    assert result.weekly_charge_pence == 20533
    assert result.council_pays_provider_pence == 48867


def test_devon_2023_24_example_1_peter_aged_18_to_pension_age():
    """Devon County Council, 'Examples of common financial assessments' (community services), example 1,
    2023/24 rates: Peter, 37, ESA 225.45, PIP daily living enhanced 101.75 (counted), PIP mobility
    standard 26.90 (disregarded), housing 17.27, DRE 28.08, MIG 171.75: pays GBP 110.10 of GBP 454.

    We ship no 2023/24 figures, so this test loads that year's dataset itself; the page states the
    MIG only as a total, so the dataset holds it as one allowance."""
    (dataset,) = shipped("national", "national_charging_figures")[:1]
    payload = {
        **dataset["payload"],
        "financial_year": "2023/24",
        "minimum_income_guarantee": {"personal_allowances": {"as_published_by_devon": {"pence": 17175}}},
        "funded_nursing_care": {**dataset["payload"]["funded_nursing_care"], "applies_from": "2023-04-01"},
    }
    figures = figures_history([{"version": 1, "effective_from": "2023-04-10", "payload": payload}])
    policy = sample_policy("2023-04-10", count_enhanced_pip_daily_living_in_full=True, minimum_weekly_charge_pence=0)
    result = assess(
        {
            "assessed_on": "2023-06-05",
            "setting": "at_home",
            "weekly_cost_of_care_pence": 45400,
            "minimum_income_guarantee_allowance": "as_published_by_devon",
            "income": [
                {"kind": "employment_and_support_allowance", "weekly_pence": 22545},
                {"kind": "pip_daily_living_enhanced", "weekly_pence": 10175},
                {"kind": "pip_mobility", "weekly_pence": 2690},
            ],
            "housing_costs_pence": 1727,  # top-up rent 10.00, council tax 6.00, contents insurance 1.27
            "itemised_dre_pence": 2808,  # cleaner 20.00, mobile phone 2.31, broadband 5.77
        },
        figures,
        policy,
    )
    assert result.weekly_charge_pence == 11010
