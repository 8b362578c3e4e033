"""The local stack's health step: a hospital discharge notification (FHIR) arrives, reablement starts
free, RAS registers the person from the NHS's message, and the NHS decides continuing healthcare."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date, timedelta

import httpx

from pbshared.platform.tokens import DEV_SECRET, mint
from tools.wording_demo import day

NHS_NUMBER = "4010232110"  # a valid test number (Modulus 11) that no demo person holds


def _headers(role: str, subject: str = "demo") -> dict[str, str]:
    token = mint(
        role=role, council_id="wyvernshire", subject=subject, secret=os.environ.get("PB_JWT_SECRET", DEV_SECRET)
    )
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}


def discharge_notification(discharged: date) -> dict:
    """A discharge message as docs/domain/health.md describes: the finished inpatient stay and the patient."""
    patient_url = "urn:uuid:0b6c7a4e-2d1f-4c61-9a55-3e0f4d9a7c01"
    return {
        "resourceType": "Bundle",
        "type": "message",
        "entry": [
            {
                "fullUrl": patient_url,
                "resource": {
                    "resourceType": "Patient",
                    "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": NHS_NUMBER}],
                    "name": [{"use": "official", "family": "Okafor", "given": ["Margaret"]}],
                    "birthDate": "1942-07-19",
                    "address": [{"postalCode": "WV2 3PX"}],
                },
            },
            {
                "resource": {
                    "resourceType": "Encounter",
                    "identifier": [{"system": "https://wyvern-hospital.example/encounter", "value": "DEMO-ENC-1"}],
                    "status": "finished",
                    "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
                    "subject": {"reference": patient_url},
                    "period": {"start": f"{discharged - timedelta(days=9)}", "end": f"{discharged}T14:00:00+00:00"},
                    "hospitalization": {"dischargeDisposition": {"text": "Home, with reablement"}},
                },
            },
        ],
    }


def demonstrate_health(url_of: Callable[[str], str], say: Callable[[str], None], timeout: float = 30) -> bool:
    """True if RAS registered the person the discharge named and the CHC decision was recorded;
    `url_of` gives a service's base URL by name."""
    health_url = url_of("health")
    ras_url = url_of("ras")
    say("\nHealth: a hospital discharge notification (FHIR R4) arrives from the NHS:")
    discharged = date.today() - timedelta(days=3)
    sent = httpx.post(
        f"{health_url}/fhir/Bundle", json=discharge_notification(discharged), headers=_headers("health_partner", "QWN")
    )
    if sent.status_code not in (200, 201):
        say(f"  the notification was refused: {sent.text}")
        return False
    episode = sent.json()
    say(
        f"  reablement from {day(episode['start_date'])}, free until {day(episode['free_until'])}; "
        f"the needs assessment is due {day(episode['assessment_due_date'])}"
    )
    person_id = episode["person_id"]
    deadline = time.monotonic() + timeout
    while httpx.get(f"{health_url}/people/{person_id}", headers=_headers("social_worker")).status_code != 200:
        if time.monotonic() > deadline:
            say("  RAS did not register the person in time: see the logs")
            return False
        time.sleep(0.3)
    person = httpx.get(f"{ras_url}/people/{person_id}", headers=_headers("social_worker")).json()
    say(
        f"  RAS registered {person['given_name']} {person['family_name']} from the NHS's message "
        f"(council person id {person['council_person_id']}: a placeholder, saying she came from the NHS, until "
        "the council gives its own)"
    )
    decision = {
        "person_id": person_id,
        "basis": "continuing_healthcare",
        "start_date": date.today().isoformat(),
        "icb_code": "QWN",
    }
    decided = httpx.post(f"{health_url}/funding-decisions", json=decision, headers=_headers("social_worker"))
    if decided.status_code != 201:
        say(f"  the CHC decision was refused: {decided.text}")
        return False
    say(
        f"  the integrated care board (ICB) finds her eligible for continuing healthcare from "
        f"{day(decision['start_date'])}: the NHS pays in full"
    )
    return True
