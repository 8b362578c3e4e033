"""Charging: every route of the role table, called with Eastmere's tokens, reaches nothing of the
sample council's people, financial assessments, letters or uprating job (tests/api/council_isolation.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pbshared.platform.auth import Role
from pbshared.platform.tables import person_copies
from pbshared.testing.harness import auth, wait_for
from tests.api.council_isolation import (
    SAMPLE_COUNCIL_RENAMED,
    A,
    Call,
    CouncilSweep,
)
from tests.api.test_charging_assessments import AT_HOME, person_in, record

pytestmark = pytest.mark.integration

OVERDUE_ON = {"on": "2027-04-17"}

CALLS = {
    ("GET", "/reassessments/overdue"): Call(queries=(OVERDUE_ON, {**OVERDUE_ON, "format": "csv"})),
    ("GET", "/financial-assessments/{assessment_id}/letter"): Call(queries=({}, {"format": "pdf"})),
    ("GET", "/people/{person_id}/charge"): Call(queries=({}, {"on": "2025-07-01"})),
    ("GET", "/people/{person_id}/financial-assessments/current"): Call(queries=({}, {"on": "2025-07-01"})),
    ("PATCH", "/financial-assessments/{assessment_id}"): Call(
        body={"revision": 1, "circumstances": {**AT_HOME, "housing_costs_pence": 1000}}
    ),
    # A person of another council is unknown here: the body names it, so a 422 naming person_id.
    ("POST", "/financial-assessments"): lambda ids: Call(
        body={"person_id": ids["person_id"], "circumstances": AT_HOME}, expect=422
    ),
    # Eastmere's own uprating, run to its end: it must touch none of the sample council's charges.
    ("POST", "/uprating-jobs"): Call(body={"year": 2026}, expect=202),
    ("POST", "/reference-datasets"): SAMPLE_COUNCIL_RENAMED,
}


async def _council_a(charging) -> tuple[dict[str, str], set[str]]:
    """Two people assessed (one overdue a reassessment by the sweep's date), and the year's uprating run."""
    ids: dict[str, str] = {}
    for name, assessed_on in (("person_id", "2025-04-07"), ("other_person_id", "2025-06-02")):
        person_id = await person_in(charging)
        recorded = await record(charging, person_id, assessed_on=assessed_on)
        assert recorded.status_code == 201, recorded.text
        ids[name] = str(person_id)
        ids.setdefault("assessment_id", recorded.json()["assessment_id"])
    started = await charging.client.post("/uprating-jobs", json={"year": 2026}, headers=auth(Role.finance_officer, A))
    assert started.status_code == 202, started.text
    ids["job_id"] = started.json()["job_id"]

    async def finished() -> bool:
        job = await charging.client.get(f"/jobs/{ids['job_id']}", headers=auth(Role.auditor, A))
        return job.json()["status"] == "finished"

    await wait_for(finished, 30, "the sample council's uprating")
    async with charging.sessions() as session:
        case_ids = set((await session.execute(select(person_copies.c.council_person_id))).scalars())
    return ids, case_ids


async def test_eastmere_reaches_nothing_of_the_sample_councils_charges(api):
    charging = await api("charging")
    sweep = CouncilSweep(charging, fixed={"kind": "charging_policy"}, calls=CALLS)
    await sweep.assert_b_reaches_nothing_of_a(lambda: _council_a(charging))
