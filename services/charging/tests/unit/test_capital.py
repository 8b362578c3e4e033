"""Capital: tariff income of GBP 1 for every GBP 250 or part above the lower limit; over the upper limit, full cost."""

from __future__ import annotations

import pytest

from charging.domain.capital import tariff_income

LOWER, UPPER = 1425000, 2325000
NO_EXTRAS = {"standard_dre_allowance_pence": 0, "minimum_weekly_charge_pence": 0}


@pytest.mark.parametrize(
    ("capital", "tariff"),
    [
        (0, 0),
        (LOWER, 0),  # exactly at the lower limit: ignored
        (LOWER + 1, 100),  # a penny over: a part step counts as a whole one
        (LOWER + 25000, 100),
        (LOWER + 25001, 200),
        (1500000, 300),
        (1600000, 700),
        (UPPER, 3600),
    ],
)
def test_tariff_income_per_250_or_part_above_the_lower_limit(capital, tariff):
    assert tariff_income(capital, LOWER, 25000, 100) == tariff


def test_capital_exactly_at_the_upper_limit_is_assessed_with_tariff_income(charge):
    result = charge(
        policy=NO_EXTRAS, own_capital_pence=UPPER, income=[{"kind": "state_pension", "weekly_pence": 11250}]
    )
    assert not result.full_cost_payer
    assert result.step("tariff income").pence == 3600
    assert result.weekly_charge_pence == 3600


def test_a_penny_over_the_upper_limit_makes_a_full_cost_payer(charge):
    result = charge(policy=NO_EXTRAS, own_capital_pence=UPPER + 1, weekly_cost_of_care_pence=25000)
    assert result.full_cost_payer
    assert result.weekly_charge_pence == 25000


def test_the_home_is_ignored_for_care_at_home(charge):
    result = charge(
        policy=NO_EXTRAS, own_capital_pence=LOWER, income=[{"kind": "state_pension", "weekly_pence": 11250}]
    )
    assert result.weekly_charge_pence == 0


def test_a_capital_discount_comes_off_capital_before_the_limits(charge):
    policy = {**NO_EXTRAS, "capital_discount_percent": "10"}
    result = charge(policy=policy, own_capital_pence=2500000, income=[{"kind": "state_pension", "weekly_pence": 11250}])
    # GBP 25,000 less 10% is GBP 22,500: under the upper limit, 33 steps above the lower.
    assert not result.full_cost_payer
    assert result.step("capital discount").pence == 250000
    assert result.weekly_charge_pence == 3300


def test_an_odd_penny_of_joint_capital_stays_with_the_other_owner(charge):
    result = charge(
        policy=NO_EXTRAS, joint_capital_pence=2850001, income=[{"kind": "state_pension", "weekly_pence": 11250}]
    )
    assert result.step("jointly held capital").pence == 1425000
    assert result.weekly_charge_pence == 0


def test_a_fraction_of_a_penny_of_capital_discount_goes_the_persons_way(charge):
    policy = {**NO_EXTRAS, "capital_discount_percent": "10"}
    result = charge(policy=policy, own_capital_pence=1583334, income=[{"kind": "state_pension", "weekly_pence": 11250}])
    # 10% is 158,333.4p, counted as 158,334p: capital falls to exactly the lower limit, so no tariff income.
    assert result.step("capital discount").pence == 158334
    assert result.step("tariff income").pence == 0
