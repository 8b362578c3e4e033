"""A person's personal budget as a FHIR CarePlan: only for the health_partner role, and only for
people of that partner's area (its ICB's postcode districts in the council's health rules)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from health.entrypoints.clock import today
from pbshared.contract.events.budgets import PersonalBudgetEnded
from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from tests.api.health_support import NHS_NUMBER, OTHER_NHS_NUMBER, agreed, handled, registered

pytestmark = pytest.mark.integration

SEARCH = f"/fhir/CarePlan?patient.identifier=https://fhir.nhs.uk/Id/nhs-number|{NHS_NUMBER}"


async def test_a_partner_of_the_persons_area_reads_the_current_budget_with_its_funder(api):
    health = await api("health")
    health.app.dependency_overrides[today] = lambda: date(2026, 5, 1)
    person_id = await registered(health, postcode="WV2 4AB")
    budget_id = uuid.uuid4()
    await handled(health, agreed(person_id, budget_id), person_id)
    decision = {
        "person_id": str(person_id),
        "basis": "joint_funding",
        "start_date": "2026-04-06",
        "nhs_share_percent": "40",
    }
    assert (
        await health.client.post("/funding-decisions", json=decision, headers=auth(Role.social_worker))
    ).status_code == 201

    response = await health.client.get(SEARCH, headers=auth(Role.health_partner, subject="QWN"))
    assert response.status_code == 200, response.text
    bundle = response.json()
    assert (bundle["resourceType"], bundle["type"], bundle["total"]) == ("Bundle", "searchset", 1)
    plan = bundle["entry"][0]["resource"]
    assert (plan["resourceType"], plan["id"], plan["status"]) == ("CarePlan", str(budget_id), "active")
    assert plan["subject"]["identifier"]["value"] == NHS_NUMBER
    [activity] = plan["activity"]
    funder = activity["extension"][0]["valueCodeableConcept"]
    assert funder["coding"][0]["code"] == "joint" and "NHS 40%" in funder["text"]
    assert activity["detail"]["code"]["text"] == "home_care"
    assert activity["extension"][1]["valueMoney"] == {"value": 466.2, "currency": "GBP"}

    # The other ICB covers other districts: the person is as absent as one who does not exist.
    other = await health.client.get(SEARCH, headers=auth(Role.health_partner, subject="QWS"))
    assert other.json()["total"] == 0 and "entry" not in other.json()
    unknown = await health.client.get(SEARCH, headers=auth(Role.health_partner, subject="dev-user"))
    assert unknown.json()["total"] == 0
    # Another council's partner token never reaches this council's people.
    elsewhere = await health.client.get(SEARCH, headers=auth(Role.health_partner, "eastmere", subject="QWN"))
    assert elsewhere.status_code == 200 and elsewhere.json()["total"] == 0

    await handled(
        health,
        PersonalBudgetEnded(
            person_id=person_id, budget_id=budget_id, budget_revision=2, end_date=date(2026, 4, 30), reason="deceased"
        ),
        person_id,
    )
    assert (await health.client.get(SEARCH, headers=auth(Role.health_partner, subject="QWN"))).json()["total"] == 0


async def test_only_health_partners_read_care_plans(api):
    health = await api("health", council=False)
    for role in Role:
        claims = {"provider_id": "PROV-1"} if role is Role.provider else {}
        response = await health.client.get(SEARCH, headers=auth(role, **claims))
        assert response.status_code == (200 if role is Role.health_partner else 403), role


async def test_a_search_by_anything_but_a_valid_nhs_number_is_refused_without_echoing_it(api):
    health = await api("health")
    partner = auth(Role.health_partner, subject="QWN")
    bad = await health.client.get("/fhir/CarePlan?patient.identifier=9991234560", headers=partner)
    assert bad.status_code == 400 and "9991234560" not in bad.text
    other_system = await health.client.get(
        f"/fhir/CarePlan?patient.identifier=urn:x|{OTHER_NHS_NUMBER}", headers=partner
    )
    assert other_system.status_code == 400
    assert other_system.json()["issue"][0]["code"] == "not-supported"
