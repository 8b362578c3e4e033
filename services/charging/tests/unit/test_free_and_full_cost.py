"""Free by law or policy, shown as free; full-cost payers and the arrangement fee."""

from __future__ import annotations

import pytest

RICH = [{"kind": "private_pension", "weekly_pence": 100000}]
NO_MINIMUM = {"minimum_weekly_charge_pence": 0, "standard_dre_allowance_pence": 0}


@pytest.mark.parametrize("funding", ["section_117_aftercare", "continuing_healthcare"])
def test_care_free_by_law_is_shown_as_free(charge, funding):
    result = charge(funding=funding, income=RICH)
    assert result.free
    assert result.weekly_charge_pence == 0
    assert result.step("weekly charge").reason == result.free_reason


def test_reablement_is_free_for_the_policys_weeks_and_charged_after(charge):
    started = {"funding": "reablement", "care_started_on": "2025-06-02", "income": RICH}
    last_free_day = charge(policy=NO_MINIMUM, assessed_on="2025-07-13", **started)
    first_charged_day = charge(policy=NO_MINIMUM, assessed_on="2025-07-14", **started)
    assert last_free_day.free and "6 weeks" in last_free_day.free_reason
    assert not first_charged_day.free
    assert first_charged_day.weekly_charge_pence == 30000


def test_a_council_may_make_reablement_free_for_longer(charge):
    result = charge(
        policy={"free_reablement_weeks": 8},
        funding="reablement",
        care_started_on="2025-06-02",
        assessed_on="2025-07-14",
    )
    assert result.free


def test_the_nhs_funded_part_of_joint_funding_is_not_charged(charge):
    result = charge(
        policy=NO_MINIMUM, funding="joint_funding", weekly_cost_of_care_pence=40000, nhs_share_pence=25000, income=RICH
    )
    assert result.weekly_charge_pence == 15000
    assert result.step("NHS-funded part").pence == 25000


def test_declining_to_disclose_makes_a_full_cost_payer(charge):
    result = charge(disclosed=False, weekly_cost_of_care_pence=27500, minimum_income_guarantee_allowance=None)
    assert result.full_cost_payer
    assert result.weekly_charge_pence == 27500
    assert result.arrangement_fee_one_off_pence == 0  # did not ask the council to arrange


def test_a_full_cost_payer_who_asks_the_council_to_arrange_pays_the_policys_fee(charge):
    result = charge(disclosed=False, asks_council_to_arrange=True)
    assert (result.arrangement_fee_one_off_pence, result.arrangement_fee_weekly_pence) == (15000, 250)


def test_no_arrangement_fee_where_the_policy_has_none(charge):
    result = charge(policy={"arrangement_fee": None}, disclosed=False, asks_council_to_arrange=True)
    assert result.arrangement_fee_one_off_pence == 0


def test_the_councils_maximum_also_caps_a_full_cost_payer_at_home(charge):
    result = charge(policy={"maximum_weekly_charge_pence": 48500}, disclosed=False, weekly_cost_of_care_pence=60000)
    assert result.weekly_charge_pence == 48500
