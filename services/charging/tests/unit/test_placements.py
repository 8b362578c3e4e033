"""Brokerage's placements: the council-arranged part of the budget at its actual cost, and a placement in
a nursing-home lot selects nursing rules (FNC) where the assessment records the stay."""

from __future__ import annotations

import uuid
from datetime import date

from charging.domain.circumstances import Setting
from charging.domain.placements import Placement, placed_on, placement_change_points

PEA = 3065  # 2025/26
FNC = 25406  # 2025/26 standard rate
HOME_CARE = uuid.uuid4()


def placement(cost: int, start: str, ends_on: str | None = None, lot: str = "home_care", pid=HOME_CARE) -> Placement:
    return Placement(pid, lot, cost, date.fromisoformat(start), date.fromisoformat(ends_on) if ends_on else None)


def test_a_change_is_the_whole_picture_from_its_date_and_an_end_stops_it():
    kept = [placement(5000, "2025-07-07", "2025-09-01"), placement(8000, "2025-08-04", "2025-09-01")]
    assert placed_on(kept, date(2025, 7, 6), {}) is None
    assert placed_on(kept, date(2025, 7, 7), {}).weekly_pence == 5000
    assert placed_on(kept, date(2025, 8, 4), {}).weekly_pence == 8000
    assert placed_on(kept, date(2025, 9, 1), {}) is None
    assert placement_change_points(kept, date(2025, 7, 7)) == {date(2025, 8, 4), date(2025, 9, 1)}


def test_placements_add_up_and_a_nursing_lot_outranks_a_care_home_lot():
    kept = [
        placement(50000, "2025-07-07", lot="residential", pid=uuid.uuid4()),
        placement(10000, "2025-07-07", lot="nursing", pid=uuid.uuid4()),
    ]
    lots = {"residential": Setting.care_home, "nursing": Setting.nursing_home}
    placed = placed_on(kept, date(2025, 7, 7), lots)
    assert (placed.weekly_pence, placed.setting) == (60000, Setting.nursing_home)


def test_the_council_arranged_part_is_charged_at_what_the_placement_costs(charge):
    result = charge(
        income=[{"kind": "state_pension", "weekly_pence": 23000}],
        weekly_cost_of_care_pence=30000,
        council_managed_weekly_pence=28000,
        placed={"weekly_pence": 5000},
    )
    # The budget's direct payment part (20.00) and the placement's actual cost (50.00) cap the charge.
    assert result.step("weekly cost of care").pence == 2000 + 5000
    assert result.weekly_charge_pence == 7000


def test_without_the_budgets_split_the_placements_are_the_whole_cost(charge):
    result = charge(income=[{"kind": "state_pension", "weekly_pence": 23000}], placed={"weekly_pence": 4000})
    assert result.weekly_charge_pence == 4000


def test_a_nursing_placement_selects_nursing_rules_where_the_assessment_records_the_stay(charge):
    result = charge(
        setting="care_home",
        minimum_income_guarantee_allowance=None,
        weekly_cost_of_care_pence=60000,
        stay={"permanent": True, "admitted_on": "2025-05-01", "funded_nursing_care_band": "standard"},
        income=[{"kind": "private_pension", "weekly_pence": 60000}],
        placed={"weekly_pence": 60000, "setting": "nursing_home"},
    )
    assert result.funded_nursing_care_pence == FNC
    assert result.weekly_charge_pence == 60000 - FNC
