"""Scoring an assessment: points per domain, the carer reduction, each formula, floor and ceiling,
annual / 52 half up to the penny, an explanation to read to the person, and refusals listing each problem."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from pbshared.contract.events.people import ClientGroup
from ras.domain.assessments.scoring import Answers, ModelVersion, carer_reduction_points, score
from ras.domain.problems import Refused
from ras.domain.reference.ras_model import RasModel

NOTHING_NEEDED = {
    "washing_and_dressing": "none",
    "toileting": "none",
    "meals": "none",
    "keeping_home": "none",
    "getting_out": "none",
    "decisions": "none",
    "risks": "none",
    "behaviour_support": "none",
    "medication": "none",
}
# 9 + 3 personal care, 3 eating, 5 household, 2 community, 3 staying safe, 1 medication = 26 points.
MRS_A = {
    **NOTHING_NEEDED,
    "washing_and_dressing": "every_day",
    "toileting": "sometimes",
    "meals": "preparing",
    "keeping_home": "most",
    "getting_out": "some",
    "risks": "some",
    "medication": "prompting",
}


def answers(version: int = 1, group: ClientGroup = ClientGroup.older_people, **changes: Any) -> Answers:
    return Answers(version, group, {**MRS_A, **changes.pop("answers", {})}, changes.pop("carer_support", {}))


def with_formula(model: ModelVersion, payload: dict[str, Any], points_to_money: dict[str, Any]) -> ModelVersion:
    return replace(model, model=RasModel.model_validate({**payload, "points_to_money": points_to_money}))


def test_points_are_summed_by_domain_and_in_total(model_v1) -> None:
    result = score(model_v1, answers())
    assert result.total_points == 26
    assert result.domain_points()["personal_care"] == 12
    assert result.domain_points()["work_and_learning"] == 0  # optional, not answered


def test_price_per_point_depends_on_the_client_group(model_v1) -> None:
    older = score(model_v1, answers())
    learning = score(model_v1, answers(group=ClientGroup.learning_disability))
    assert (older.indicative_annual_pence, learning.indicative_annual_pence) == (26 * 22000, 26 * 30000)


def test_an_unpaid_carer_reduces_only_the_domain_it_covers_half_up_to_a_whole_point(model_v1) -> None:
    result = score(model_v1, answers(carer_support={"household_tasks": "most"}))
    household = next(d for d in result.domains if d.domain_id == "household_tasks")
    assert (household.points_before_carer, household.carer_reduction, household.points) == (5, 3, 2)  # 2.5 -> 3
    assert result.total_points == 23
    assert carer_reduction_points(5, 25) == 1  # 1.25 -> 1


def test_weekly_is_annual_over_52_half_up_to_the_penny(model_v1) -> None:
    result = score(model_v1, answers(carer_support={"household_tasks": "most"}))
    assert result.indicative_annual_pence == 23 * 22000 == 506000
    assert result.indicative_weekly_pence == 9731  # 9730.769...


def test_the_council_minimum_lifts_a_low_score(model_v1) -> None:
    result = score(model_v1, answers(answers=NOTHING_NEEDED))
    assert (result.total_points, result.indicative_annual_pence, result.indicative_weekly_pence) == (0, 52000, 1000)
    assert "raised to the council's minimum of GBP 520.00 a year" in result.formula


def test_the_council_maximum_caps_a_high_score(model_v1, ras_model_payload) -> None:
    ceiling = {**ras_model_payload["points_to_money"], "maximum_annual_pence": 500000}
    capped = with_formula(model_v1, ras_model_payload, ceiling)
    result = score(capped, answers())
    assert result.indicative_annual_pence == 500000
    assert "capped at the council's maximum" in result.formula


def test_a_banded_table_gives_the_band_the_points_fall_in_boundaries_included(model_v1, ras_model_payload) -> None:
    bands = {
        "formula": {
            "method": "banded",
            "bands": [
                {"from_points": 0, "to_points": 25, "annual_pence": 400000},
                {"from_points": 26, "to_points": 40, "annual_pence": 800000},
                {"from_points": 41, "annual_pence": 1200000},
            ],
        }
    }
    model = with_formula(model_v1, ras_model_payload, bands)
    assert score(model, answers()).indicative_annual_pence == 800000  # 26: first point of the band
    assert score(model, answers(answers={"medication": "none"})).indicative_annual_pence == 400000  # 25: last point


def test_piecewise_linear_interpolates_between_published_points_half_up(model_v1, ras_model_payload) -> None:
    line = {
        "formula": {
            "method": "piecewise_linear",
            "points": [
                {"points": 0, "annual_pence": 100000},
                {"points": 30, "annual_pence": 1000001},
                {"points": 60, "annual_pence": 2000000},
            ],
        }
    }
    model = with_formula(model_v1, ras_model_payload, line)
    ten_points = {**NOTHING_NEEDED, "washing_and_dressing": "every_day", "medication": "prompting"}
    # 100000 + 10/30 x 900001 = 400000.333 -> 400000; 26 points: 100000 + 26/30 x 900001 = 880000.866 -> 880001
    assert score(model, answers(answers=ten_points)).indicative_annual_pence == 400000
    assert score(model, answers()).indicative_annual_pence == 880001
    assert score(model, answers(answers=NOTHING_NEEDED)).indicative_annual_pence == 100000


def test_the_explanation_gives_every_answer_the_carer_reduction_and_the_formula(model_v1) -> None:
    text = "\n".join(score(model_v1, answers(carer_support={"household_tasks": "most"})).explanation)
    assert "How much help do you need to wash, bathe and dress? - I need hands-on help every day: 9 points" in text
    assert "How much help do you need to work, study or volunteer as you wish to? - not answered: 0 points" in text
    assert (
        "Unpaid carer: Your carer meets most of these needs (50% of these points, half up to a whole point): "
        "5 - 3 = 2 points" in text
    )
    assert "23 points x GBP 220.00 a point a year (older people) = GBP 5,060.00 a year" in text
    assert "GBP 5,060.00 / 52 = GBP 97.31 (half up to the penny)" in text
    assert "version 1" in text


def test_every_problem_with_the_answers_is_listed_at_once(model_v1) -> None:
    bad = Answers(
        2,
        ClientGroup.carer,
        {**{k: v for k, v in MRS_A.items() if k != "risks"}, "favourite_colour": "blue", "meals": "gourmet"},
        {"behaviour": "some", "household_tasks": "all"},
    )
    with pytest.raises(Refused) as refused:
        score(model_v1, bad)
    found = {p.location: p.message for p in refused.value.problems}
    assert found == {
        ("model_version",): "the RAS model in force on the assessment date is version 1",
        ("client_group",): "this RAS model has no price per point for the client group",
        ("answers", "favourite_colour"): "no such question in this RAS model",
        ("answers", "meals"): "not one of this question's options",
        ("answers", "risks"): "this question must be answered",
        ("carer_support", "behaviour"): "carer support does not reduce this domain",
        ("carer_support", "household_tasks"): "not one of the model's carer support levels",
    }
    assert "blue" not in str(refused.value) and "gourmet" not in str(refused.value)


def test_answers_for_the_version_before_are_refused_once_a_new_version_is_in_force(model_v2) -> None:
    with pytest.raises(Refused, match="version 2"):
        score(model_v2, answers(version=1))
    assert score(model_v2, answers(version=2)).indicative_annual_pence == 26 * 23000


def test_a_client_group_the_model_has_no_price_for_is_refused(model_v1) -> None:
    with pytest.raises(Refused) as refused:
        score(model_v1, answers(group=ClientGroup.carer))
    assert [p.location for p in refused.value.problems] == [("client_group",)]
