"""Bad input is refused with every problem listed, each naming the field and the rule, never the value."""

from __future__ import annotations

import pytest

from charging.domain.financial_assessment import AssessmentRefused


def problems_of(charge, **circumstances) -> dict[str, str]:
    with pytest.raises(AssessmentRefused) as refused:
        charge(**circumstances)
    return {".".join(map(str, p.location)): p.message for p in refused.value.problems}


def test_every_problem_is_listed_at_once(charge):
    problems = problems_of(
        charge,
        weekly_cost_of_care_pence=-1,
        housing_costs_pence=-250,
        income=[{"kind": "lottery_win", "weekly_pence": 100}, {"kind": "state_pension", "weekly_pence": -5}],
        assessed_on="2019-04-01",
    )
    assert set(problems) == {
        "weekly_cost_of_care_pence",
        "housing_costs_pence",
        "income.0.kind",
        "income.1.weekly_pence",
        "assessed_on",
    }
    assert "greater than or equal to 0" in problems["housing_costs_pence"]
    for message in problems.values():  # the values sent are never echoed back
        assert not any(value in message for value in ("lottery_win", "-250", "-5", "2019-04-01"))
    assert (
        problems["assessed_on"] == "no national figures take effect on or before this date; the first are for 2024/25"
    )


def test_a_date_after_the_last_years_figures_is_refused(charge):
    problems = problems_of(charge, assessed_on="2027-04-01")
    assert "latest are for 2026/27" in problems["assessed_on"]


def test_unknown_mig_allowance_and_premium_are_refused_with_what_the_figures_hold(charge):
    problems = problems_of(
        charge,
        minimum_income_guarantee_allowance="single_99",
        minimum_income_guarantee_premiums=["severe_disability"],
    )
    assert "single_18_to_24" in problems["minimum_income_guarantee_allowance"]
    assert "unknown premium" in problems["minimum_income_guarantee_premiums.0"]
    assert "carer" in problems["minimum_income_guarantee_premiums.0"]  # the premiums the figures hold


def test_inconsistent_circumstances_are_refused(charge):
    problems = problems_of(
        charge,
        setting="care_home",
        nhs_share_pence=40000,
        second_carer_cost_pence=40000,
        funding="reablement",
    )
    assert set(problems) == {"stay", "nhs_share_pence", "second_carer_cost_pence", "care_started_on"}


def test_a_short_stay_needs_its_planned_length(charge):
    problems = problems_of(charge, setting="care_home", stay={"permanent": False, "admitted_on": "2025-05-01"})
    assert "stay.planned_weeks" in problems


def test_unknown_fields_are_refused(charge):
    assert "partner_income_pence" in problems_of(charge, partner_income_pence=100)
