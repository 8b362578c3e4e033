"""A member of a couple's MIG (regulation 7(4) and (6)): the couple allowances and premiums are not
shipped (docs/domain/charging.md, "National figures"), so an assessment naming one is refused with the
keys the figures hold, and worked out once an administrator loads a version of the year's figures with
it. The amounts below are test values, not the regulations' figures."""

from __future__ import annotations

import pytest

from charging.domain.figures import figures_history
from charging.domain.financial_assessment import AssessmentRefused, assess

from .conftest import AT_HOME, sample_policy, shipped

COUPLE = "couple_one_or_both_18_or_over"
TEST_COUPLE_ALLOWANCE = 8800  # a test value: no source in hand gives the figure
POLICY = sample_policy(standard_dre_allowance_pence=0, minimum_weekly_charge_pence=0)


def a_couple(**circumstances):
    return {
        **AT_HOME,
        "member_of_couple": True,
        "minimum_income_guarantee_allowance": COUPLE,
        "income": [{"kind": "employment_and_support_allowance", "weekly_pence": 15000}],
        **circumstances,
    }


def with_couple_allowance():
    """The shipped figures plus the version an administrator would load for 2025/26 with the couple key."""
    datasets = shipped("national", "national_charging_figures")
    (year,) = [d for d in datasets if d["payload"]["financial_year"] == "2025/26"]
    mig = year["payload"]["minimum_income_guarantee"]
    allowances = {**mig["personal_allowances"], COUPLE: {"pence": TEST_COUPLE_ALLOWANCE}}
    loaded = {
        **year,
        "version": year["version"] + 10,
        "payload": {**year["payload"], "minimum_income_guarantee": {**mig, "personal_allowances": allowances}},
    }
    return figures_history([*datasets, loaded])


def test_a_couple_allowance_not_loaded_is_refused_with_the_keys_the_figures_hold(figures):
    with pytest.raises(AssessmentRefused) as refused:
        assess(a_couple(), figures, POLICY)
    (problem,) = refused.value.problems
    assert problem.location == ("minimum_income_guarantee_allowance",)
    assert "single_25_to_pension_credit_age" in problem.message and COUPLE not in problem.message


def test_once_loaded_a_couple_allowance_is_the_mig_and_only_the_persons_own_income_counts():
    result = assess(a_couple(), with_couple_allowance(), POLICY)
    assert result.weekly_charge_pence == 15000 - TEST_COUPLE_ALLOWANCE
    assert result.step("minimum income guarantee").pence == TEST_COUPLE_ALLOWANCE
