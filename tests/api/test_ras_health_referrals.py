"""RAS on the health service's events: a referred patient matched or registered with the proposed id,
and the needs assessment shown as due when reablement after a discharge ends."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from pbshared.contract.events.health import PatientReferred, ReablementEndReason, ReablementEpisodeEnded
from pbshared.platform.auth import Role
from pbshared.testing.harness import auth
from ras.service_layer.health_referrals import provisional_client_group
from tests.api.health_support import NHS_NUMBER, handled, published

pytestmark = pytest.mark.integration

WORKER = auth(Role.social_worker)


def referral(proposed: uuid.UUID, nhs_number: str = NHS_NUMBER) -> PatientReferred:
    return PatientReferred(
        referral_id=uuid.uuid4(),
        proposed_person_id=proposed,
        nhs_number=nhs_number,
        given_name="Ada",
        family_name="Lovelace",
        date_of_birth=date(1950, 12, 10),
        postcode="WV1 1AA",
        source="discharge",
    )


async def test_a_referred_patient_is_registered_with_the_proposed_id_once(api):
    ras = await api("ras")
    proposed = uuid.uuid4()
    await handled(ras, referral(proposed), proposed, producer="health")
    await handled(ras, referral(proposed), proposed, producer="health")  # a second message about them
    person = (await ras.client.get(f"/people/{proposed}", headers=WORKER)).json()
    assert (person["nhs_number"], person["family_name"], person["client_group"]) == (
        NHS_NUMBER,
        "Lovelace",
        "older_people",
    )
    assert person["council_person_id"].startswith("NHS-")
    registered = await published(ras, "person.registered")
    assert [r["person_id"] for r in registered] == [str(proposed)]


async def test_a_patient_ras_knows_under_another_id_is_merged_into_the_record_it_holds(api):
    """Health proposed a new id before its copy of people caught up: that id follows the person."""
    ras = await api("ras")
    body = {
        "council_person_id": "WY-1",
        "nhs_number": NHS_NUMBER,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1950-12-10",
        "postcode": "WV1 1AA",
        "client_group": "older_people",
    }
    held = (await ras.client.post("/people", json=body, headers=WORKER)).json()
    proposed = uuid.uuid4()
    await handled(ras, referral(proposed), proposed, producer="health")
    retired = (await ras.client.get(f"/people/{proposed}", headers=WORKER)).json()
    assert (retired["merged_into"], retired["nhs_number"]) == (held["person_id"], None)
    still = (await ras.client.get(f"/people/{held['person_id']}", headers=WORKER)).json()
    assert (still["nhs_number"], still["revision"]) == (NHS_NUMBER, 1)
    merged = await published(ras, "person.merged")
    assert merged == [{"merged_person_id": str(proposed), "surviving_person_id": held["person_id"]}]


def test_the_provisional_client_group_follows_age_until_the_assessment():
    assert provisional_client_group(date(1961, 6, 2), date(2026, 6, 1)) == "physical_disability"
    assert provisional_client_group(date(1961, 6, 2), date(2026, 6, 2)) == "older_people"


async def test_the_end_of_reablement_shows_the_assessment_as_due(api):
    ras = await api("ras")
    proposed = uuid.uuid4()
    await handled(ras, referral(proposed), proposed, producer="health")
    ended = ReablementEpisodeEnded(
        person_id=proposed,
        episode_id=uuid.uuid4(),
        end_date=date(2026, 2, 15),
        reason=ReablementEndReason.period_ended,
        assessment_due_date=date(2026, 2, 8),
    )
    await handled(ras, ended, proposed, producer="health")
    response = await ras.client.get("/requests?outcome=progress_to_assessment", headers=WORKER)
    [request] = response.json()
    assert (request["person_id"], request["route_of_access"], request["request_date"]) == (
        str(proposed),
        "hospital_discharge",
        "2026-02-08",
    )
    assert request["assessed"] is False and request["recorded_by"] == "health service"
