"""RAS: every route of the role table, called with Eastmere's tokens, reaches nothing of the sample
council's people, requests, assessments, budgets, reviews or cohorts (tests/api/council_isolation.py)."""

from __future__ import annotations

import pytest

from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.api.council_isolation import (
    SAMPLE_COUNCIL_RENAMED,
    A,
    Call,
    CouncilSweep,
)
from tests.api.test_assessments_api import PERSON, _assessment, _full_answers
from tests.api.test_commissioning_api import CSV, synthetic_cohort, uploaded
from tests.api.test_requests_api import _request
from tests.api.test_reviews_api import _review
from tests.api.test_support_plans_api import _plan

pytestmark = pytest.mark.integration

NHS_NUMBER = "9434765919"
SW = auth(Role.social_worker, A)
ON = {"on": "2026-05-04"}
AS_CSV = {"format": "csv"}

CALLS = {
    ("GET", "/people"): Call(queries=({}, {"nhs_number": NHS_NUMBER}, {"council_person_id": "wy-3001"})),
    ("GET", "/requests"): Call(queries=({}, {"outcome": "progress_to_assessment"})),
    ("GET", "/envelope"): Call(queries=(ON,)),
    ("GET", "/envelope.csv"): Call(queries=(ON,)),
    ("GET", "/ras-model"): Call(queries=({"on": "2026-05-01"},)),
    ("GET", "/cohorts/{cohort_id}/calibration"): Call(queries=({}, AS_CSV)),
    ("GET", "/cohorts/{cohort_id}/calibration/chart"): Call(),  # SVG: a PNG draws the same figures
    ("GET", "/cohorts/{cohort_id}/winners-and-losers"): Call(
        queries=({"model_version": "1"}, {"model_version": "1", **AS_CSV})
    ),
    ("GET", "/cohorts/{cohort_id}/winners-and-losers/chart"): Call(queries=({"model_version": "1"},)),
    ("GET", "/cohorts/{cohort_id}/model-comparison"): Call(
        queries=({"current": "1", "proposed": "2"}, {"current": "1", "proposed": "2", **AS_CSV})
    ),
    # Eastmere registers its own person with the same case id and NHS number: registers are per council
    # (and the next role meets the person Eastmere has just registered).
    ("POST", "/people"): Call(body={**PERSON, "nhs_number": NHS_NUMBER}, expect=201, then=409),
    ("PATCH", "/people/{person_id}"): Call(body={"revision": 1, "given_name": "Eve"}),
    ("POST", "/people/{person_id}/merge"): lambda ids: Call(
        body={"surviving_person_id": ids["other_person_id"], "revision": 1}
    ),
    ("POST", "/requests"): lambda ids: Call(body=_request(ids["person_id"]), expect=404),
    ("POST", "/assessments"): lambda ids: Call(body=_assessment(ids["person_id"], ids.answers), expect=404),
    ("POST", "/assessments/preview"): lambda ids: Call(
        body={
            "assessment_date": "2026-05-01",
            "model_version": 2,
            "client_group": "older_people",
            "answers": ids.answers,
        },
        expect=200,
    ),
    ("POST", "/support-plans"): lambda ids: Call(body=_plan(ids["assessment_id"], "10"), expect=404),
    ("POST", "/support-plans/{budget_id}/approve"): Call(body={"revision": 1, "reasons": ["Within the limit."]}),
    ("POST", "/support-plans/{budget_id}/reject"): Call(body={"revision": 1, "reasons": ["Not needed."]}),
    ("POST", "/budgets/{budget_id}/reviews"): lambda ids: Call(
        body=_review(1, "less_support", "2026-07-01", "9"), ids={"budget_id": ids["agreed_budget_id"]}
    ),
    ("POST", "/cohorts"): Call(
        content=synthetic_cohort().encode(), headers=CSV, queries=({"name": "Eastmere reviews"},), expect=201
    ),
    ("POST", "/reference-datasets"): SAMPLE_COUNCIL_RENAMED,
}

SAME_EVERYWHERE = {
    ("GET", "/ras-model"): "the RAS model in force, a copy of the sample council's in Eastmere: no record of anyone",
}


class SampleCouncilIds(dict):
    """The sample council's ids by path parameter, and the answers of a full assessment."""

    answers: dict[str, str]


async def _council_a(ras) -> tuple[SampleCouncilIds, set[str]]:
    ids = SampleCouncilIds()
    ids.answers = await _full_answers(ras, "2026-05-01")
    people = []
    for number, (case_id, nhs) in enumerate((("WY-3001", NHS_NUMBER), ("WY-3002", None))):
        body = {**PERSON, "council_person_id": case_id, "given_name": f"Augusta{number}", "nhs_number": nhs}
        registered = await ras.client.post("/people", json=body, headers=SW)
        assert registered.status_code == 201, registered.text
        people.append(registered.json()["person_id"])
    ids["person_id"], ids["other_person_id"] = people
    request = await ras.client.post("/requests", json=_request(people[0]), headers=SW)
    assert request.status_code == 201, request.text
    ids["request_id"] = request.json()["request_id"]
    budgets = []
    for person_id, hours in zip(people, ("10", "12"), strict=True):
        assessed = await ras.client.post("/assessments", json=_assessment(person_id, ids.answers), headers=SW)
        assert assessed.status_code == 201, assessed.text
        ids.setdefault("assessment_id", assessed.json()["assessment_id"])
        planned = await ras.client.post(
            "/support-plans", json=_plan(assessed.json()["assessment_id"], hours), headers=SW
        )
        assert planned.status_code == 201, planned.text
        budgets.append(planned.json())
    agreed, awaiting = budgets
    assert (agreed["status"], awaiting["status"]) == ("agreed", "awaiting_team_manager"), budgets
    ids["agreed_budget_id"], ids["budget_id"] = agreed["budget_id"], awaiting["budget_id"]
    ids["cohort_id"] = await uploaded(ras)
    markers = {"Augusta0", "Augusta1", "WY-3001", "WY-3002", ids["assessment_id"], ids["agreed_budget_id"]}
    return ids, markers


async def test_eastmere_reaches_nothing_of_the_sample_councils_ras(api):
    ras = await api("ras")
    sweep = CouncilSweep(
        ras,
        fixed={"kind": "ras_model"},
        calls=CALLS,
        same_everywhere=SAME_EVERYWHERE,
        claims={Role.team_manager: {"approval_limit_pence": 10**9}},
    )
    await sweep.assert_b_reaches_nothing_of_a(lambda: _council_a(ras))
