"""FHIR in at the health service: a Patient and a discharge notification, valid and invalid.

Every invalid resource is answered with an OperationOutcome naming each problem (never the value
sent) and stores nothing, publishes nothing.
"""

from __future__ import annotations

import pytest

from health.adapters.tables import patients, reablement_episodes
from pbshared.platform.auth import Role
from pbshared.platform.tables import outbox
from pbshared.testing.harness import auth
from tests.api.health_support import (
    FHIR_JSON,
    NHS_NUMBER,
    broken,
    count,
    discharge,
    patient,
    published,
    registered,
)

pytestmark = pytest.mark.integration

PARTNER = {**auth(Role.health_partner, subject="QWN"), **FHIR_JSON}


async def post(service, path: str, body) -> object:
    return await service.client.post(path, json=body, headers=PARTNER)


def issues(response) -> list[tuple[str, str]]:
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome", outcome
    assert response.headers["content-type"].startswith("application/fhir+json")
    return [(issue["expression"][0], issue["code"]) for issue in outcome["issue"]]


async def test_a_new_patient_is_proposed_to_ras_and_the_same_patient_again_keeps_the_proposed_id(api):
    health = await api("health")
    first = await post(health, "/fhir/Patient", patient())
    assert first.status_code == 201, first.text
    assert first.json()["matched"] is False
    again = await post(health, "/fhir/Patient", patient(nhs_number="943 476 5919"))
    assert again.json()["person_id"] == first.json()["person_id"]
    referred = await published(health, "patient.referred")
    assert [r["proposed_person_id"] for r in referred] == [first.json()["person_id"]] * 2
    assert referred[0]["nhs_number"] == NHS_NUMBER and referred[0]["postcode"] == "WV1 1AA"
    assert referred[0]["source"] == "Patient"


async def test_a_patient_ras_registered_is_matched_by_nhs_number(api):
    health = await api("health")
    person_id = await registered(health)
    response = await post(health, "/fhir/Patient", patient())
    assert response.json() == {**response.json(), "person_id": str(person_id), "matched": True}
    assert await count(health, patients) == 0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # The NHS number rule at the boundary: Modulus 11, ten digits.
        (
            lambda p: broken(p, "identifier", 0, "value", value="9991234560"),
            [("Patient.identifier[0].value", "value")],
        ),
        (lambda p: broken(p, "identifier", 0, "value", value="12345"), [("Patient.identifier[0].value", "value")]),
        (lambda p: broken(p, "identifier", value=[]), [("Patient.identifier", "required")]),
        # Our own rules: each problem listed, all at once.
        (
            lambda p: broken(broken(p, "name", delete=True), "address", 0, "postalCode", value="NOT A POSTCODE"),
            [("Patient.name", "required"), ("Patient.address[0].postalCode", "value")],
        ),
        (lambda p: broken(p, "birthDate", delete=True), [("Patient.birthDate", "required")]),
        # The FHIR model's rules (fhir.resources).
        (lambda p: broken(p, "birthDate", value="1950-13-45"), [("Patient.birthDate", "value")]),
        # The model's problems and the NHS number rule, listed together.
        (
            lambda p: broken(broken(p, "birthDate", value="1950-13-45"), "identifier", 0, "value", value="9991234560"),
            [("Patient.birthDate", "value"), ("Patient.identifier[0].value", "value")],
        ),
        (
            lambda p: broken(broken(p, "gender", value=5), "favouriteColour", value="blue"),
            [("Patient.gender", "value"), ("Patient.favouriteColour", "structure")],
        ),
        (lambda p: broken(p, "resourceType", value="Practitioner"), [("Patient.resourceType", "invalid")]),
    ],
)
async def test_an_invalid_patient_gets_an_operation_outcome_naming_each_problem_and_nothing_is_stored(
    api, change, expected
):
    health = await api("health")
    body = change(patient())
    response = await post(health, "/fhir/Patient", body)
    assert response.status_code == 422, response.text
    assert issues(response) == expected
    for secret in ("9991234560", "12345", "NOT A POSTCODE", "1950-13-45", "blue"):
        assert secret not in response.text
    assert await count(health, outbox) == await count(health, patients) == 0


async def test_a_body_that_is_not_json_is_an_operation_outcome_too(api):
    health = await api("health")
    response = await health.client.post("/fhir/Patient", content=b"<Patient/>", headers=PARTNER)
    assert response.status_code in (400, 422)
    assert "OperationOutcome" in response.text or response.json()["errors"]


async def test_a_discharge_starts_free_reablement_and_schedules_the_assessment_once(api):
    health = await api("health")
    response = await post(health, "/fhir/Bundle", discharge())
    assert response.status_code == 201, response.text
    episode = response.json()
    # Wyvernshire: six weeks free from the day of discharge; the assessment a week before that ends.
    assert (episode["start_date"], episode["free_until"], episode["assessment_due_date"]) == (
        "2026-01-05",
        "2026-02-15",
        "2026-02-08",
    )
    assert response.headers["location"] == f"/reablement-episodes/{episode['episode_id']}"
    again = await post(health, "/fhir/Bundle", discharge())
    assert again.status_code == 200 and again.json()["episode_id"] == episode["episode_id"]
    started = await published(health, "reablement_episode.started")
    assert len(started) == 1 and started[0]["free_until"] == "2026-02-15"
    assert started[0]["person_id"] == episode["person_id"] and started[0]["discharge_id"] == "ENC-1"
    assert [r["source"] for r in await published(health, "patient.referred")] == ["discharge"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda b: broken(b, "entry", 2, "resource", "status", value="in-progress"),
            [("Bundle.entry[2].resource.status", "business-rule")],
        ),
        (
            lambda b: broken(
                broken(b, "entry", 2, "resource", "period", "end", delete=True),
                "entry",
                2,
                "resource",
                "hospitalization",
                delete=True,
            ),
            [
                ("Bundle.entry[2].resource.period.end", "required"),
                ("Bundle.entry[2].resource.hospitalization.dischargeDisposition", "required"),
            ],
        ),
        (
            lambda b: broken(
                broken(b, "entry", 2, "resource", "subject", value={"reference": "Patient/else"}),
                "entry",
                1,
                "resource",
                "identifier",
                0,
                "value",
                value="9991234560",
            ),
            [
                ("Bundle.entry[2].resource.subject", "invalid"),
                ("Bundle.entry[1].resource.identifier[0].value", "value"),
            ],
        ),
        (lambda b: broken(b, "entry", value=b["entry"][:2]), [("Bundle.entry", "required")]),
        (
            lambda b: broken(b, "entry", 2, "resource", "class", delete=True),
            [("Bundle.entry[2].resource.class", "required")],
        ),
        (
            lambda b: broken(
                broken(b, "entry", 2, "resource", "class", delete=True),
                *("entry", 1, "resource", "identifier", 0, "value"),
                value="12345",
            ),
            [("Bundle.entry[2].resource.class", "required"), ("Bundle.entry[1].resource.identifier[0].value", "value")],
        ),
        (lambda b: broken(b, "type", value="searchset"), [("Bundle.type", "business-rule")]),
    ],
)
async def test_an_invalid_discharge_gets_an_operation_outcome_and_starts_nothing(api, change, expected):
    health = await api("health")
    response = await post(health, "/fhir/Bundle", change(discharge()))
    assert response.status_code == 422, response.text
    assert issues(response) == expected
    assert "9991234560" not in response.text
    assert await count(health, outbox) == await count(health, reablement_episodes) == 0


async def test_the_capability_statement_says_what_is_supported(api):
    health = await api("health")
    response = await health.client.get("/fhir/metadata", headers=auth(Role.health_partner))
    assert response.status_code == 200
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement" and statement["fhirVersion"] == "4.0.1"
    supported = {r["type"]: [i["code"] for i in r["interaction"]] for r in statement["rest"][0]["resource"]}
    assert supported == {"Patient": ["create"], "Bundle": ["create"], "CarePlan": ["search-type"]}
