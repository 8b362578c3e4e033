"""Loading DPS rules or localities validates the whole dataset and lists every problem at its place."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from brokerage.bootstrap import SERVICE
from brokerage.domain.reference.dps_rules import DpsRules, at_or_above
from brokerage.domain.reference.localities import Localities
from pbshared.contract.events.brokerage import CqcRating, Urgency


def problems(model: type[BaseModel], payload: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(payload)
    return {tuple(e["loc"]): e["msg"] for e in refused.value.errors()}


def test_brokerage_holds_dps_rules_and_localities_beside_the_council() -> None:
    assert set(SERVICE.kinds()) == {"council", "dps_rules", "localities"}


def test_the_sample_council_prices_every_lot_in_every_area(rules, localities) -> None:
    assert rules.areas_without_ceiling(localities) == []
    assert rules.lot("home_care").ceiling_in("central") == 2400
    assert rules.bidding_windows.hours(Urgency.urgent) < rules.bidding_windows.hours(Urgency.normal)


def test_an_area_follows_from_the_postcode_district(localities) -> None:
    assert localities.area_of("WV1 2AB") == "north"
    assert localities.area_of("WV10 1AA") == "south"  # WV10 is not WV1
    assert localities.area_of("SK1 3XE") is None


def test_weights_that_do_not_sum_and_a_repeated_area_are_both_listed(dps_rules_payload) -> None:
    payload = copy.deepcopy(dps_rules_payload)
    payload["lots"][0]["price_weight_percent"] = 70
    payload["lots"][1]["ceilings"][1]["area"] = "north"
    payload["quality"]["record_percent"] = 50
    del payload["quality"]["rating_points"]["inadequate"]
    found = problems(DpsRules, payload)
    assert found[("lots", 0, "quality_weight_percent")] == "price and quality weights must sum to 100"
    assert found[("lots", 1, "ceilings", 1, "area")].startswith("duplicate")
    assert found[("quality", "record_percent")] == "rating and record shares must sum to 100"
    assert found[("quality", "rating_points", "inadequate")] == "a rating needs points from 0 to 100"


def test_a_district_in_two_areas_and_an_unknown_neighbour_are_refused(localities_payload) -> None:
    payload = copy.deepcopy(localities_payload)
    payload["areas"][1]["postcode_districts"].append("WV1")
    payload["areas"][2]["neighbours"] = ["east"]
    found = problems(Localities, payload)
    assert found[("areas", 1, "postcode_districts", 4)].startswith("duplicate: already used at areas.0")
    assert found[("areas", 2, "neighbours", 0)] == "not an area of this dataset"


def test_a_district_must_be_an_outward_code_in_capitals(localities_payload) -> None:
    payload = copy.deepcopy(localities_payload)
    payload["areas"][0]["postcode_districts"].append("wy 1")
    assert ("areas", 0, "postcode_districts", 3) in problems(Localities, payload)


def test_not_yet_rated_is_below_requires_improvement_and_above_inadequate() -> None:
    floor = CqcRating.requires_improvement
    assert at_or_above(CqcRating.good, floor)
    assert at_or_above(CqcRating.requires_improvement, floor)
    assert not at_or_above(CqcRating.not_yet_rated, floor)
    assert at_or_above(CqcRating.not_yet_rated, CqcRating.not_yet_rated)
    assert not at_or_above(CqcRating.inadequate, CqcRating.not_yet_rated)
