"""Loading a RAS model, rate card or budget rules validates the whole dataset and lists every problem."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ras.bootstrap import SERVICE
from ras.domain.reference.budget_rules import BudgetRules
from ras.domain.reference.ras_model import RasModel
from ras.domain.reference.rate_card import RateCard


def problems(model: type[BaseModel], payload: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(payload)
    return {tuple(e["loc"]): e["msg"] for e in refused.value.errors()}


def test_the_ras_service_holds_the_four_ras_kinds_beside_the_council() -> None:
    kinds = {"council", "ras_model", "rate_card", "budget_rules", "client_level_data_codes"}
    assert set(SERVICE.kinds()) == kinds


def test_the_sample_councils_two_model_versions_start_on_different_dates(model_v1, model_v2) -> None:
    assert model_v1.effective_from < model_v2.effective_from
    assert [d.id for d in model_v1.model.domains][:3] == ["personal_care", "eating_and_drinking", "household_tasks"]


def test_duplicate_ids_are_refused_each_at_its_place(ras_model_payload) -> None:
    payload = copy.deepcopy(ras_model_payload)
    payload["domains"][1]["id"] = "personal_care"
    payload["domains"][2]["questions"][0]["id"] = "toileting"
    payload["domains"][0]["questions"][0]["options"][1]["id"] = "none"
    found = problems(RasModel, payload)
    assert found[("domains", 1, "id")] == "duplicate id: already used at domains.0.id"
    assert found[("domains", 2, "questions", 0, "id")].startswith("duplicate id")
    assert found[("domains", 0, "questions", 0, "options", 1, "id")].startswith("duplicate id")


def test_an_option_without_points_and_a_negative_price_are_both_listed(ras_model_payload) -> None:
    payload = copy.deepcopy(ras_model_payload)
    del payload["domains"][0]["questions"][0]["options"][2]["points"]
    payload["points_to_money"]["formula"]["annual_pence_per_point"]["older_people"] = -1
    found = problems(RasModel, payload)
    assert found[("domains", 0, "questions", 0, "options", 2, "points")] == "Field required"
    assert ("points_to_money", "formula", "price_per_point", "annual_pence_per_point", "older_people") in found


def test_a_carer_reduction_naming_an_unknown_domain_is_refused(ras_model_payload) -> None:
    payload = copy.deepcopy(ras_model_payload)
    payload["carer_reduction"]["domains"].append("gardening")
    payload["domains"][1]["id"] = "personal_care"  # listed with it, not instead of it
    found = problems(RasModel, payload)
    assert found[("carer_reduction", "domains", 4)] == "names a domain the model does not have"
    assert ("domains", 1, "id") in found


def banded(*bands: dict[str, int]) -> dict[str, Any]:
    return {"formula": {"method": "banded", "bands": list(bands)}}


def test_overlapping_and_gapped_bands_are_refused(ras_model_payload) -> None:
    payload = {
        **ras_model_payload,
        "points_to_money": banded(
            {"from_points": 0, "to_points": 10, "annual_pence": 100},
            {"from_points": 10, "to_points": 20, "annual_pence": 200},  # overlaps at 10
            {"from_points": 22, "annual_pence": 300},  # gap at 21
        ),
    }
    found = problems(RasModel, payload)
    assert found[("points_to_money", "formula", "banded", "bands", 1, "from_points")] == "overlaps the band before it"
    assert found[("points_to_money", "formula", "banded", "bands", 2, "from_points")] == (
        "leaves a gap after the band before it"
    )


def test_bands_start_at_zero_and_only_the_last_is_open(ras_model_payload) -> None:
    payload = {
        **ras_model_payload,
        "points_to_money": banded(
            {"from_points": 1, "annual_pence": 100},
            {"from_points": 2, "to_points": 5, "annual_pence": 200},
        ),
    }
    found = problems(RasModel, payload)
    prefix = ("points_to_money", "formula", "banded", "bands")
    assert found[(*prefix, 0, "from_points")] == "the first band starts at 0 points"
    assert found[(*prefix, 0, "to_points")] == "only the last band may be open"
    assert found[(*prefix, 1, "to_points")] == "the last band is open: leave to_points out"


def test_published_points_must_go_up_and_the_maximum_may_not_be_below_the_minimum(ras_model_payload) -> None:
    same_twice = [{"points": 10, "annual_pence": 1}, {"points": 10, "annual_pence": 2}]
    formula = {"method": "piecewise_linear", "points": same_twice}
    payload = {**ras_model_payload, "points_to_money": {"formula": formula}}
    assert ("points_to_money", "formula", "piecewise_linear", "points", 1, "points") in problems(RasModel, payload)
    floor_above_ceiling = {**ras_model_payload["points_to_money"], "minimum_annual_pence": 10}
    floor_above_ceiling["maximum_annual_pence"] = 9
    found = problems(RasModel, {**ras_model_payload, "points_to_money": floor_above_ceiling})
    assert found[("points_to_money", "maximum_annual_pence")] == "the maximum is below the minimum"


def test_a_rate_card_refuses_a_repeated_service_and_negative_rates(rate_card) -> None:
    payload = rate_card.model_dump(mode="json")
    payload["services"][1]["service_type"] = "home_care"
    assert problems(RateCard, payload)[("services", 1, "service_type")].startswith("duplicate id")
    payload["services"][1]["service_type"] = "other"
    payload["services"][0]["direct_payment_rate_pence"] = -5
    assert ("services", 0, "direct_payment_rate_pence") in problems(RateCard, payload)


def test_a_rate_card_charges_the_lower_direct_payment_rate_only_for_direct_payments(rate_card) -> None:
    home_care = rate_card.service("home_care")
    assert home_care is not None
    assert (home_care.rate_for("direct_payment"), home_care.rate_for("individual_service_fund")) == (2040, 2450)


def test_budget_rules_refuse_negative_limits_envelopes_and_a_percent_over_100(budget_rules_payload) -> None:
    payload = copy.deepcopy(budget_rules_payload)
    payload["approval_limits"]["by_grade"]["team_manager"] = -1
    payload["envelope_annual_pence"]["older_people"] = -1
    payload["contingency_percent"] = 120
    found = problems(BudgetRules, payload)
    assert {
        ("approval_limits", "by_grade", "team_manager"),
        ("envelope_annual_pence", "older_people"),
        ("contingency_percent",),
    } <= set(found)


def test_budget_rules_need_some_approval_limit(budget_rules_payload) -> None:
    payload = {**budget_rules_payload, "approval_limits": {}}
    assert problems(BudgetRules, payload)[("approval_limits", "default_annual_pence")] == (
        "give a default limit or at least one grade's"
    )
