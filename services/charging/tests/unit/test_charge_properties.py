"""Properties every charge has, whatever the circumstances: never below zero, never above the cost of care,
and in a nursing home the contribution plus FNC never above the placement cost."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charging.domain.circumstances import IncomeKind

pence = st.integers(min_value=0, max_value=200_000)
income = st.lists(
    st.builds(lambda k, p: {"kind": k.value, "weekly_pence": p}, st.sampled_from(IncomeKind), pence), max_size=6
)
policies = st.fixed_dictionaries(
    {
        "maximum_weekly_charge_pence": st.none() | st.integers(min_value=1, max_value=100_000),
        "minimum_weekly_charge_pence": st.integers(min_value=0, max_value=1_000),
        "capital_discount_percent": st.none() | st.sampled_from(["10", "33.3"]),
        "count_enhanced_pip_daily_living_in_full": st.booleans(),
    }
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    policy=policies,
    setting=st.sampled_from(["at_home", "care_home", "nursing_home"]),
    cost=pence,
    lines=income,
    capital=st.integers(min_value=0, max_value=3_000_000),
    disclosed=st.booleans(),
    band=st.sampled_from(["standard", "higher"]),
)
def test_a_charge_is_never_negative_nor_above_the_cost_of_care(
    charge, policy, setting, cost, lines, capital, disclosed, band
):
    stay = (
        None
        if setting == "at_home"
        else {"permanent": True, "admitted_on": "2025-05-01", "funded_nursing_care_band": band}
    )
    result = charge(
        policy=policy,
        setting=setting,
        weekly_cost_of_care_pence=cost,
        income=lines,
        own_capital_pence=capital,
        disclosed=disclosed,
        stay=stay,
    )
    assert 0 <= result.weekly_charge_pence <= cost
    assert result.weekly_charge_pence + result.funded_nursing_care_pence <= max(cost, result.funded_nursing_care_pence)
    if setting == "at_home" and policy["maximum_weekly_charge_pence"] is not None:
        assert result.weekly_charge_pence <= policy["maximum_weekly_charge_pence"]
    if result.weekly_charge_pence:
        assert result.weekly_charge_pence >= policy["minimum_weekly_charge_pence"] or result.full_cost_payer
