"""Requests for support: recorded with their route of access and outcome; the wait to an assessment
is measured on each request and in the list; a bad request is a 422 naming each problem."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import event

from pbshared.platform.auth import Role
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.testing.harness import auth
from tests.api.test_assessments_api import _assessment, _full_answers, _person
from tests.councils import SAMPLE_COUNCIL

pytestmark = pytest.mark.integration

SW = auth(Role.social_worker)


def _request(person_id: str, **changes) -> dict:
    return {
        "person_id": person_id,
        "client_status": "new",
        "route_of_access": "hospital_discharge",
        "request_date": "2026-04-20",
        "outcome": "progress_to_assessment",
        **changes,
    }


async def test_the_wait_from_request_to_assessment_is_measured_on_the_request_and_in_the_list(api):
    ras = await api("ras")
    person_id = await _person(ras)
    recorded = await ras.client.post("/requests", json=_request(person_id), headers=SW)
    assert recorded.status_code == 201, recorded.text
    waiting = recorded.json()
    assert waiting["assessed"] is False
    assert waiting["waiting_days"] == (date.today() - date(2026, 4, 20)).days

    assessed = await ras.client.post(
        "/assessments", json=_assessment(person_id, await _full_answers(ras, "2026-05-01")), headers=SW
    )
    assert assessed.status_code == 201, assessed.text  # started 2026-04-28
    one = (await ras.client.get(f"/requests/{waiting['request_id']}", headers=auth(Role.auditor))).json()
    assert (one["assessment_started"], one["waiting_days"], one["assessed"]) == ("2026-04-28", 8, True)
    listed = (await ras.client.get("/requests?outcome=progress_to_assessment", headers=SW)).json()
    assert [(r["request_id"], r["waiting_days"]) for r in listed] == [(waiting["request_id"], 8)]
    assert (await ras.client.get("/requests?outcome=no_further_action", headers=SW)).json() == []


async def test_no_further_action_needs_its_reason_and_every_problem_is_named(api):
    ras = await api("ras")
    person_id = await _person(ras)
    bad = _request(person_id, outcome="no_further_action", request_date="2999-01-01")
    response = await ras.client.post("/requests", json=bad, headers=SW)
    assert response.status_code == 422, response.text
    locations = {tuple(p["loc"]) for p in response.json()["errors"]}
    assert locations == {("body", "request_date"), ("body", "no_further_action_reason")}
    assert (await ras.client.get("/requests", headers=SW)).json() == []
    good = _request(person_id, outcome="no_further_action", no_further_action_reason="self_funded")
    assert (await ras.client.post("/requests", json=good, headers=SW)).status_code == 201


async def test_codes_come_from_the_councils_dataset_in_force_on_the_request_date(api):
    ras = await api("ras")
    person_id = await _person(ras)
    # A later version of the codes adds a route of access from 2026-06-01.
    codes = next(d for d in read_council_directory(SAMPLE_COUNCIL) if d["kind"] == "client_level_data_codes")
    later = copy.deepcopy(codes) | {"version": 2, "effective_from": "2026-06-01"}
    later["payload"]["route_of_access"].append({"code": "discharge_to_assess", "text": "Discharge from Hospital"})
    loaded = await ras.client.post("/reference-datasets", json=later, headers=auth(Role.admin))
    assert loaded.status_code == 201, loaded.text

    day_before = _request(person_id, route_of_access="discharge_to_assess", request_date="2026-05-31")
    day_before |= {"outcome": "home_by_teatime"}
    refused = await ras.client.post("/requests", json=day_before, headers=SW)
    assert refused.status_code == 422, refused.text
    assert [(p["loc"], p["msg"]) for p in refused.json()["errors"]] == [
        (["body", "route_of_access"], "not a code of route_of_access in force on 2026-05-31"),
        (["body", "outcome"], "not a code of request_outcome in force on 2026-05-31"),
    ]
    assert "discharge_to_assess" not in refused.text and "teatime" not in refused.text
    assert (await ras.client.get("/requests", headers=SW)).json() == []
    first_day = _request(person_id, route_of_access="discharge_to_assess", request_date="2026-06-01")
    assert (await ras.client.post("/requests", json=first_day, headers=SW)).status_code == 201


async def test_a_write_holds_one_database_connection_at_a_time(api):
    # Two at once per write (the council check's and the unit of work's) let enough concurrent writes
    # take every pooled connection and wait on each other until the pool timed out.
    ras = await api("ras")
    person_id = await _person(ras)
    pool = ras.sessions.kw["bind"].sync_engine.pool
    held = {"now": 0, "most": 0}

    def checked_out(*_: object) -> None:
        held["now"] += 1
        held["most"] = max(held["most"], held["now"])

    def checked_in(*_: object) -> None:
        held["now"] -= 1

    event.listen(pool, "checkout", checked_out)
    event.listen(pool, "checkin", checked_in)
    try:
        for client_status in ("new", "existing"):  # the council is asked about once, then known
            body = _request(person_id, client_status=client_status)
            assert (await ras.client.post("/requests", json=body, headers=SW)).status_code == 201
    finally:
        event.remove(pool, "checkout", checked_out)
        event.remove(pool, "checkin", checked_in)
    assert held["most"] == 1
