"""Care homes and nursing homes: income + tariff - PEA - savings credit disregard; the home; short stays; FNC."""

from __future__ import annotations

from charging.domain.result import Treatment

PEA = 3065  # 2025/26
NO_EXTRAS = {"minimum_weekly_charge_pence": 0}


def stay(**overrides) -> dict:
    return {"permanent": True, "admitted_on": "2025-05-01", **overrides}


def in_care_home(charge, policy=None, **circumstances):
    values = {
        "setting": "care_home",
        "weekly_cost_of_care_pence": 80000,
        "minimum_income_guarantee_allowance": None,
        "stay": stay(),
        **circumstances,
    }
    return charge(policy={**NO_EXTRAS, **(policy or {})}, **values)


def test_residential_charge_is_income_less_the_personal_expenses_allowance(charge):
    result = in_care_home(charge, income=[{"kind": "state_pension", "weekly_pence": 23000}])
    assert result.weekly_charge_pence == 23000 - PEA
    assert result.step("personal expenses allowance").pence == PEA


def test_the_savings_credit_disregard_is_kept_up_to_its_limit(charge):
    result = in_care_home(
        charge,
        income=[
            {"kind": "state_pension", "weekly_pence": 23000},
            {"kind": "pension_credit_savings", "weekly_pence": 1000},
        ],
    )
    assert result.step("savings credit disregard").pence == 695
    assert result.weekly_charge_pence == 24000 - PEA - 695
    assert "savings_credit_disregard.single" in result.provisional_figures  # carried forward, flagged


def test_the_main_home_is_disregarded_for_the_first_12_weeks_of_a_permanent_stay(charge):
    home = stay(admitted_on="2025-05-01", main_home_value_pence=20000000)
    last_day = in_care_home(
        charge, assessed_on="2025-07-23", stay=home, income=[{"kind": "state_pension", "weekly_pence": 23000}]
    )
    first_day_after = in_care_home(charge, assessed_on="2025-07-24", stay=home)
    assert last_day.step("main home").treatment is Treatment.disregarded
    assert not last_day.full_cost_payer
    assert first_day_after.full_cost_payer
    assert first_day_after.weekly_charge_pence == 80000


def test_the_main_home_is_disregarded_while_a_qualifying_relative_lives_there(charge):
    home = stay(main_home_value_pence=20000000, qualifying_relative_in_main_home=True)
    result = in_care_home(
        charge, assessed_on="2026-01-05", stay=home, income=[{"kind": "state_pension", "weekly_pence": 23000}]
    )
    assert not result.full_cost_payer
    assert "qualifying relative" in result.step("main home").reason


def test_a_short_stay_is_charged_under_non_residential_rules_where_the_council_chooses_so(charge):
    respite = stay(permanent=False, planned_weeks=3)
    income = [{"kind": "state_pension", "weekly_pence": 30000}]
    non_res = in_care_home(
        charge,
        policy={"short_stay_rules": "non_residential", "standard_dre_allowance_pence": 0},
        stay=respite,
        income=income,
        minimum_income_guarantee_allowance="single_pension_credit_age",
    )
    res = in_care_home(charge, policy={"short_stay_rules": "residential"}, stay=respite, income=income)
    assert non_res.weekly_charge_pence == 30000 - 23260
    assert res.weekly_charge_pence == 30000 - PEA


def test_a_stay_longer_than_the_short_stay_limit_uses_residential_rules(charge):
    result = in_care_home(
        charge,
        policy={"short_stay_rules": "non_residential"},
        stay=stay(permanent=False, planned_weeks=9),
        income=[{"kind": "state_pension", "weekly_pence": 23000}],
    )
    assert result.step("personal expenses allowance").pence == PEA


def test_nursing_contribution_plus_fnc_exactly_at_the_placement_cost(charge):
    fnc = 25406  # 2025/26 standard rate
    result = in_care_home(
        charge,
        setting="nursing_home",
        weekly_cost_of_care_pence=60000,
        stay=stay(funded_nursing_care_band="standard"),
        income=[{"kind": "private_pension", "weekly_pence": 60000 - fnc + PEA}],
    )
    assert result.funded_nursing_care_pence == fnc
    assert result.weekly_charge_pence == 60000 - fnc
    assert result.weekly_charge_pence + fnc == 60000


def test_nursing_contribution_plus_fnc_never_exceeds_the_placement_cost(charge):
    result = in_care_home(
        charge,
        setting="nursing_home",
        weekly_cost_of_care_pence=60000,
        stay=stay(funded_nursing_care_band="higher"),
        income=[{"kind": "private_pension", "weekly_pence": 90000}],
    )
    assert result.weekly_charge_pence + result.funded_nursing_care_pence == 60000
    assert result.step("cost of care cap").treatment is Treatment.cap


def test_fnc_changes_on_1_april_before_the_benefit_year_figures(charge):
    result = in_care_home(
        charge,
        assessed_on="2025-04-03",
        setting="nursing_home",
        stay=stay(admitted_on="2025-01-06", funded_nursing_care_band="standard"),
        income=[{"kind": "state_pension", "weekly_pence": 23000}],
    )
    assert result.figures_year == "2024/25"
    assert result.funded_nursing_care_pence == 25406


def test_who_collects_decides_what_the_council_pays_the_provider(charge):
    common = dict(
        setting="care_home", weekly_cost_of_care_pence=80000, income=[{"kind": "state_pension", "weekly_pence": 23000}]
    )
    gross = in_care_home(charge, **common, stay=stay(collection="gross"))
    net = in_care_home(charge, **common, stay=stay(collection="net"))
    assert (gross.collection, gross.council_pays_provider_pence) == ("gross", 80000)
    assert (net.collection, net.council_pays_provider_pence) == ("net", 80000 - (23000 - PEA))


def test_no_council_maximum_in_a_care_home(charge):
    result = in_care_home(
        charge, policy={"maximum_weekly_charge_pence": 10000}, income=[{"kind": "state_pension", "weekly_pence": 23000}]
    )
    assert result.weekly_charge_pence == 23000 - PEA


def test_a_full_cost_payer_in_a_nursing_home_pays_the_placement_less_fnc(charge):
    result = in_care_home(
        charge,
        setting="nursing_home",
        weekly_cost_of_care_pence=120000,
        own_capital_pence=2325001,
        stay=stay(funded_nursing_care_band="standard"),
    )
    assert result.full_cost_payer
    assert result.funded_nursing_care_pence == 25406
    assert result.weekly_charge_pence == 120000 - 25406
