"""Calibration on synthetic cohorts with known answers, winners and losers, and model comparison."""

from __future__ import annotations

import statistics
from decimal import Decimal

import pytest

from pbshared.contract.events.people import ClientGroup
from ras.domain.assessments.scoring import Answers, ModelVersion
from ras.domain.commissioning.calibration import CohortRow, fit_price_per_point, winners_and_losers
from ras.domain.commissioning.comparison import compare_formulas, compare_models
from ras.domain.problems import Refused

OLDER, LD = ClientGroup.older_people, ClientGroup.learning_disability


def on_the_line(group: ClientGroup, weekly_per_point: int, points: list[int]) -> list[CohortRow]:
    return [CohortRow(f"{group.value}-{i}", group, p, p * weekly_per_point) for i, p in enumerate(points)]


def test_a_cohort_exactly_on_a_line_through_the_origin_gives_its_price_and_r_squared_1() -> None:
    # GBP 5.00 a week a point is GBP 260.00 a year a point; learning disability GBP 6.00 a week.
    cohort = on_the_line(OLDER, 500, [10, 20, 35, 50]) + on_the_line(LD, 600, [15, 40, 60])
    fits = fit_price_per_point(cohort)
    assert (fits[OLDER].annual_pence_per_point, fits[LD].annual_pence_per_point) == (26000, 31200)
    assert fits[OLDER].r_squared == pytest.approx(1.0)
    assert {r.residual_pence for fit in fits.values() for r in fit.residuals} == {0}
    assert fits[OLDER].outliers == []


def test_symmetric_noise_keeps_the_price_and_the_largest_residuals_are_the_outliers() -> None:
    rows = []
    for points in (10, 20, 30, 40, 50):  # GBP 10 a week either side of the line at every point
        rows += [
            CohortRow(f"{points}+", OLDER, points, points * 500 + 1000),
            CohortRow(f"{points}-", OLDER, points, points * 500 - 1000),
        ]
    rows += [CohortRow("far+", OLDER, 50, 25000 + 10000), CohortRow("far-", OLDER, 50, 25000 - 10000)]
    fit = fit_price_per_point(rows)[OLDER]
    assert fit.annual_pence_per_point == 26000  # deviations cancel in sum(points x cost)
    annual = [r.actual_annual_pence for r in rows]
    residual_squares = 10 * 52000**2 + 2 * 520000**2
    assert fit.r_squared == pytest.approx(1 - residual_squares / (statistics.pvariance(annual) * len(annual)))
    assert sorted(r.reference for r in fit.outliers) == ["far+", "far-"]  # |z| = 2.29; the rest 0.23
    assert next(r for r in fit.residuals if r.reference == "far-").residual_pence == -520000


def test_a_cohort_that_cannot_be_fitted_is_refused_with_each_problem() -> None:
    rows = [CohortRow("a", OLDER, 10, 5000), CohortRow("b", LD, -1, 100), CohortRow("c", LD, 0, -5)]
    with pytest.raises(Refused) as refused:
        fit_price_per_point(rows)
    assert [p.location for p in refused.value.problems] == [
        ("rows", 1, "points"),
        ("rows", 2, "actual_weekly_pence"),
        ("client_group", "learning_disability"),
        ("client_group", "older_people"),
    ]


def test_winners_and_losers_compare_the_proposed_budget_with_the_current_cost(model_v1) -> None:
    cohort = [
        CohortRow("loses", OLDER, 10, 5000),  # 10 x 220.00 / 52 = 42.31 a week: 7.69 less
        CohortRow("gains", OLDER, 20, 8000),  # 84.62 a week: 4.62 more
        CohortRow("same", OLDER, 0, 1000),  # the minimum, 10.00 a week
        CohortRow("ld", LD, 10, 5000),  # 10 x 300.00 / 52 = 57.69: 7.69 more
    ]
    result = winners_and_losers(cohort, model_v1.model.points_to_money)
    older = result[OLDER]
    assert (older.winners, older.losers, older.unchanged) == (1, 1, 1)
    assert (older.gained_weekly_pence, older.lost_weekly_pence) == (462, 769)
    assert (result[LD].winners, result[LD].gained_weekly_pence) == (1, 769)


def answers_for(model: ModelVersion, group: ClientGroup, **chosen: str) -> Answers:
    nothing = {q.id: "none" for d in model.model.domains for q in d.questions if q.mandatory}
    return Answers(model.version, group, {**nothing, **chosen})


def test_the_same_assessments_under_two_versions_differ_by_client_group(model_v1, model_v2) -> None:
    needs = {
        "washing_and_dressing": "every_day",
        "toileting": "sometimes",
        "meals": "preparing",
        "keeping_home": "most",
        "getting_out": "some",
        "risks": "some",
        "medication": "prompting",
    }  # 26 points
    incomplete = Answers(1, OLDER, {"meals": "eating"})
    assessments = [answers_for(model_v1, OLDER, **needs), answers_for(model_v1, LD, **needs), incomplete]
    result = compare_models(assessments, model_v1, model_v2)
    older, ld = result[OLDER], result[LD]
    assert (older.before_weekly_pence, older.after_weekly_pence) == (11000, 11500)  # 26 x 220 / 52; 26 x 230 / 52
    assert (ld.before_weekly_pence, ld.after_weekly_pence) == (15000, 15500)
    assert (older.difference_percent, ld.difference_percent) == (Decimal("4.5"), Decimal("3.3"))
    assert (older.compared, list(older.not_comparable)) == (1, [2])
    assert ("answers", "washing_and_dressing") in [p.location for p in older.not_comparable[2]]


def test_a_cohort_of_points_priced_by_two_formulas_lists_rows_either_cannot_price(model_v1, model_v2) -> None:
    cohort = [CohortRow("op", OLDER, 26, 0), CohortRow("ld", LD, 26, 0), CohortRow("ca", ClientGroup.carer, 26, 0)]
    result = compare_formulas(cohort, model_v1.model.points_to_money, model_v2.model.points_to_money)
    assert (result[OLDER].before_weekly_pence, result[OLDER].after_weekly_pence) == (11000, 11500)
    assert result[LD].difference_percent == Decimal("3.3")
    carer = result[ClientGroup.carer]
    assert (carer.compared, list(carer.not_comparable)) == (0, [2])
    assert carer.difference_percent is None
