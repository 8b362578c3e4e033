"""Client Level Data codes are council reference data: loading refuses a list missing a code the rules
act on, a repeated code or a review code the rules do not know; a code not in force is named by field."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from ras.domain.reference.client_level_data import ClientLevelDataCodes, Coded, code_problems

SAMPLE = Path(__file__).resolve().parents[4] / "councils" / "wyvernshire" / "ras-client-level-data.yaml"


@pytest.fixture(scope="module")
def payload() -> dict[str, Any]:
    return yaml.safe_load(SAMPLE.read_text())["payload"]


def test_the_sample_councils_codes_load(payload) -> None:
    codes = ClientLevelDataCodes.model_validate(payload)
    assert codes.holds("route_of_access", "hospital_discharge")
    assert len(codes.eligibility_outcome) == 10


def test_a_list_missing_a_code_the_rules_act_on_a_repeat_and_an_unknown_review_code_are_each_refused(payload) -> None:
    broken = copy.deepcopy(payload)
    broken["request_outcome"] = [c for c in broken["request_outcome"] if c["code"] != "no_further_action"]
    broken["route_of_access"][1]["code"] = "community"
    broken["review_outcome"].append({"code": "moved_abroad", "text": "Moved abroad"})
    with pytest.raises(ValidationError) as refused:
        ClientLevelDataCodes.model_validate(broken)
    found = {tuple(e["loc"]): e["msg"] for e in refused.value.errors()}
    assert found[("request_outcome",)].endswith("must hold the codes the rules act on: no_further_action")
    assert found[("route_of_access", 1, "code")].startswith("duplicate id")
    assert found[("review_outcome", 5, "code")].startswith("not a code the rules know")
    assert len(found) == 3


def test_codes_not_in_the_list_are_named_by_field_and_place_never_by_value(payload) -> None:
    codes = ClientLevelDataCodes.model_validate(payload)
    on = date(2026, 5, 1)
    fields = [
        Coded("route_of_access", "route_of_access", "by_carrier_pigeon"),
        Coded("outcomes_not_achieved", "eligibility_outcome", ["managing_toilet_needs", "flying"]),
        Coded("no_further_action_reason", "no_further_action_reason", None),
        Coded("method", "assessment_method", "telephone"),
    ]
    problems = code_problems(codes, on, fields)
    assert [(p.location, p.message) for p in problems] == [
        (("route_of_access",), "not a code of route_of_access in force on 2026-05-01"),
        (("outcomes_not_achieved", 1), "not a code of eligibility_outcome in force on 2026-05-01"),
    ]
