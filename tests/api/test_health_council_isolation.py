"""Health: every route of the role table, called with Eastmere's tokens, reaches nothing of the
sample council's people, patients, reablement episodes, funding decisions or care plans
(tests/api/council_isolation.py). Eastmere's health partner is of the same ICB as the sample
council's: an ICB works with every council of its area, and sees each one's people only there."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from health.entrypoints.clock import today
from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.api.council_isolation import (
    SAMPLE_COUNCIL_RENAMED,
    A,
    Call,
    CouncilSweep,
)
from tests.api.health_support import FHIR_JSON, NHS_NUMBER, OTHER_NHS_NUMBER, discharge, handled, patient, registered
from tests.api.test_health_care_plans import agreed

pytestmark = pytest.mark.integration

ICB = "QWN"
PARTNER = {"subject": ICB}
DISCHARGED = "2026-04-28T11:30:00+00:00"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"

CALLS = {
    ("GET", "/people"): Call(queries=({}, {"nhs_number": NHS_NUMBER})),
    ("GET", "/fhir/CarePlan"): Call(queries=({"patient.identifier": f"{NHS_NUMBER_SYSTEM}|{NHS_NUMBER}"},)),
    ("POST", "/funding-decisions/{decision_id}/end"): Call(body={"revision": 1, "end_date": "2026-10-01"}),
    ("POST", "/reablement-episodes/{episode_id}/end"): Call(
        body={"revision": 1, "end_date": "2026-05-02", "reason": "no_longer_needed"}
    ),
    ("POST", "/funding-decisions"): lambda ids: Call(
        body={"person_id": ids["person_id"], "basis": "continuing_healthcare", "start_date": "2026-04-06"},
        expect=404,
    ),
    # The NHS tells Eastmere of the same patient: Eastmere proposes its own person for RAS to
    # register, never the sample council's, and its discharge starts Eastmere's own episode.
    ("POST", "/fhir/Patient"): Call(body=patient(NHS_NUMBER), headers=FHIR_JSON, expect=201),
    ("POST", "/fhir/Bundle"): Call(body=discharge(NHS_NUMBER, DISCHARGED), headers=FHIR_JSON, expect=201),
    ("POST", "/reference-datasets"): SAMPLE_COUNCIL_RENAMED,
}

# Each searchset Bundle has an id of its own.
SEARCHSET_ID = re.compile(r'"resourceType":"Bundle","id":"[^"]*"')

SAME_EVERYWHERE = {
    ("GET", "/fhir/metadata"): "the server's CapabilityStatement: what it supports, the same for every council",
}


async def _council_a(health) -> tuple[dict[str, str], set[str]]:
    """A person of the ICB's area with an agreed budget, an NHS funding decision, a discharge that
    started reablement, and a patient the NHS told of before RAS registered them."""
    person_id = await registered(health, postcode="WV2 4AB")
    budget_id = uuid.uuid4()
    await handled(health, agreed(person_id, budget_id), person_id)
    decision = {"person_id": str(person_id), "basis": "joint_funding", "start_date": "2026-04-06"}
    decided = await health.client.post(
        "/funding-decisions", json={**decision, "nhs_share_percent": "40"}, headers=auth(Role.social_worker, A)
    )
    assert decided.status_code == 201, decided.text
    partner = {**auth(Role.health_partner, A, **PARTNER), **FHIR_JSON}
    started = await health.client.post("/fhir/Bundle", json=discharge(NHS_NUMBER, DISCHARGED), headers=partner)
    assert started.status_code == 201, started.text
    assert started.json()["person_id"] == str(person_id)
    referred = await health.client.post("/fhir/Patient", json=patient(OTHER_NHS_NUMBER), headers=partner)
    assert referred.status_code == 201, referred.text
    ids = {
        "person_id": str(person_id),
        "decision_id": decided.json()["decision_id"],
        "episode_id": started.json()["episode_id"],
    }
    return ids, {str(budget_id), referred.json()["person_id"], OTHER_NHS_NUMBER}


async def test_eastmere_reaches_nothing_of_the_sample_councils_health_records(api):
    health = await api("health")
    health.app.dependency_overrides[today] = lambda: date(2026, 5, 1)
    sweep = CouncilSweep(
        health,
        fixed={"kind": "health_rules"},
        calls=CALLS,
        same_everywhere=SAME_EVERYWHERE,
        claims={Role.health_partner: PARTNER},
        volatile=(SEARCHSET_ID,),
    )
    await sweep.assert_b_reaches_nothing_of_a(lambda: _council_a(health))
