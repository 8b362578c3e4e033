"""Care at home: income + tariff income - MIG - housing - DRE, capped (docs/domain/charging.md, "Care at home")."""

from __future__ import annotations

from charging.domain.result import Treatment

NO_EXTRAS = {"standard_dre_allowance_pence": 0, "minimum_weekly_charge_pence": 0}
MIG_25 = 11250  # 2025/26, single, 25 to pension credit age


def pension(pence: int) -> list[dict]:
    return [{"kind": "state_pension", "weekly_pence": pence}]


def test_income_less_mig_housing_and_dre_is_the_charge(charge):
    result = charge(
        policy=NO_EXTRAS,
        income=pension(30000),
        housing_costs_pence=2500,
        itemised_dre_pence=1500,
    )
    assert result.weekly_charge_pence == 30000 - MIG_25 - 2500 - 1500
    assert result.step("housing costs").pence == 2500
    assert result.step("disability-related expenditure").reason == "itemised with evidence"


def test_the_councils_standard_dre_allowance_applies_when_dre_is_not_itemised(charge):
    result = charge(
        policy={"standard_dre_allowance_pence": 2000, "minimum_weekly_charge_pence": 0}, income=pension(20000)
    )
    assert result.weekly_charge_pence == 20000 - MIG_25 - 2000
    assert result.step("disability-related expenditure").reason == "council standard allowance"


def test_earnings_and_mobility_components_are_disregarded(charge):
    result = charge(
        policy=NO_EXTRAS,
        income=[
            {"kind": "employment_and_support_allowance", "weekly_pence": 15000},
            {"kind": "earnings", "weekly_pence": 9000},
            {"kind": "pip_mobility", "weekly_pence": 7705},
            {"kind": "dla_mobility", "weekly_pence": 2920},
        ],
    )
    assert result.weekly_charge_pence == 15000 - MIG_25
    for kind in ("earnings", "pip_mobility", "dla_mobility"):
        assert result.step(kind).treatment is Treatment.disregarded


def test_income_a_penny_under_the_mig_means_no_charge(charge):
    result = charge(policy=NO_EXTRAS, income=pension(MIG_25 - 1))
    assert result.weekly_charge_pence == 0
    assert result.step("never below zero").treatment is Treatment.cap


def test_income_a_penny_over_the_mig_is_charged_that_penny_when_there_is_no_minimum(charge):
    assert charge(policy=NO_EXTRAS, income=pension(MIG_25 + 1)).weekly_charge_pence == 1


def test_a_charge_below_the_councils_minimum_is_not_collected(charge):
    policy = {**NO_EXTRAS, "minimum_weekly_charge_pence": 125}
    assert charge(policy=policy, income=pension(MIG_25 + 124)).weekly_charge_pence == 0
    assert charge(policy=policy, income=pension(MIG_25 + 125)).weekly_charge_pence == 125


def test_a_charge_exactly_at_the_cost_of_care_is_the_cost_of_care_and_no_cap_is_recorded(charge):
    result = charge(policy=NO_EXTRAS, income=pension(MIG_25 + 30000), weekly_cost_of_care_pence=30000)
    assert result.weekly_charge_pence == 30000
    assert "cost of care cap" not in [s.label for s in result.steps]


def test_the_charge_is_never_above_the_cost_of_care(charge):
    result = charge(policy=NO_EXTRAS, income=pension(MIG_25 + 30001), weekly_cost_of_care_pence=30000)
    assert result.weekly_charge_pence == 30000
    assert result.step("cost of care cap").treatment is Treatment.cap


def test_the_charge_is_never_above_the_councils_maximum(charge):
    policy = {**NO_EXTRAS, "maximum_weekly_charge_pence": 48500}
    result = charge(policy=policy, income=pension(MIG_25 + 60000), weekly_cost_of_care_pence=70000)
    assert result.weekly_charge_pence == 48500
    assert result.step("council maximum").pence == 48500


def test_higher_attendance_allowance_counts_only_at_the_lower_rate_without_night_care(charge):
    policy = {**NO_EXTRAS, "count_higher_aa_dla_care_only_with_night_care": True}
    income = [{"kind": "attendance_allowance_higher", "weekly_pence": 11040}, *pension(MIG_25)]
    without = charge(policy=policy, income=income)
    assert without.weekly_charge_pence == 7390  # the 2025/26 lower rate
    assert without.step("attendance_allowance_higher (no night care)").pence == 11040 - 7390
    assert charge(policy=policy, income=income, night_care_provided=True).weekly_charge_pence == 11040


def test_higher_attendance_allowance_counts_in_full_when_the_council_does_not_tie_it_to_night_care(charge):
    policy = {**NO_EXTRAS, "count_higher_aa_dla_care_only_with_night_care": False}
    income = [{"kind": "dla_care_highest", "weekly_pence": 11040}, *pension(MIG_25)]
    assert charge(policy=policy, income=income).weekly_charge_pence == 11040


def test_enhanced_pip_daily_living_counts_in_full_only_where_the_council_says_so(charge):
    income = [{"kind": "pip_daily_living_enhanced", "weekly_pence": 11040}, *pension(MIG_25)]
    in_full = charge(policy={**NO_EXTRAS, "count_enhanced_pip_daily_living_in_full": True}, income=income)
    standard_only = charge(policy={**NO_EXTRAS, "count_enhanced_pip_daily_living_in_full": False}, income=income)
    assert in_full.weekly_charge_pence == 11040
    assert standard_only.weekly_charge_pence == 7390


def test_couples_own_income_counts_and_jointly_held_capital_is_halved(charge):
    result = charge(policy=NO_EXTRAS, member_of_couple=True, income=pension(MIG_25), joint_capital_pence=3000000)
    # Half of GBP 30,000 is GBP 15,000: GBP 750 above the lower limit, 3 steps of GBP 250.
    assert result.step("jointly held capital").pence == 1500000
    assert result.weekly_charge_pence == 300


def test_the_second_carer_discount_comes_off_the_cost_of_double_handed_calls(charge):
    policy = {**NO_EXTRAS, "second_carer_discount_percent": "33"}
    result = charge(
        policy=policy, income=pension(MIG_25 + 50000), weekly_cost_of_care_pence=40000, second_carer_cost_pence=10001
    )
    # 33% of GBP 100.01 is 3300.33p: the fraction of a penny goes the person's way (regulation 11).
    assert result.step("second carer discount").pence == 3301
    assert result.weekly_charge_pence == 40000 - 3301


def test_no_second_carer_discount_without_the_policy(charge):
    result = charge(
        policy=NO_EXTRAS, income=pension(MIG_25 + 50000), weekly_cost_of_care_pence=40000, second_carer_cost_pence=10000
    )
    assert result.weekly_charge_pence == 40000


def test_the_result_names_the_figures_and_policy_versions_and_the_date(charge):
    result = charge(policy=NO_EXTRAS, income=pension(MIG_25))
    assert (result.figures_version, result.figures_year, result.policy_version) == (2, "2025/26", 1)
    assert result.effective_date.isoformat() == "2025-06-02"
