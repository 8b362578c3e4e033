"""FHIR messages and people for the health service's tests."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select

from pbshared.contract.events.budgets import PersonalBudgetAgreed
from pbshared.platform.auth import Role
from pbshared.platform.consumer import HandlerContext
from pbshared.platform.outbox import envelope_for
from pbshared.platform.tables import outbox, person_copies
from pbshared.testing.harness import auth

NHS_NUMBER = "9434765919"
OTHER_NHS_NUMBER = "9000000009"
FHIR_JSON = {"Content-Type": "application/fhir+json"}


def patient(nhs_number: str = NHS_NUMBER, postcode: str = "WV1 1AA", **changes: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "Patient",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs_number}],
        "name": [{"use": "official", "family": "Lovelace", "given": ["Ada"]}],
        "birthDate": "1950-12-10",
        "address": [{"postalCode": postcode}],
    }
    resource.update(changes)
    return resource


def discharge(
    nhs_number: str = NHS_NUMBER, discharged: str = "2026-01-05T11:30:00+00:00", encounter_id: str = "ENC-1"
) -> dict[str, Any]:
    """A discharge notification as we accept it (docs/domain/health.md): a message Bundle with the
    finished inpatient Encounter and its Patient."""
    return {
        "resourceType": "Bundle",
        "type": "message",
        "entry": [
            {
                "fullUrl": "urn:uuid:6f1c2d3e-0000-4000-8000-000000000001",
                "resource": {
                    "resourceType": "MessageHeader",
                    "eventCoding": {"system": "https://fhir.nhs.uk/CodeSystem/message-event", "code": "discharge"},
                    "source": {"endpoint": "https://hospital.example.nhs.uk"},
                },
            },
            {"fullUrl": "urn:uuid:6f1c2d3e-0000-4000-8000-000000000002", "resource": patient(nhs_number)},
            {
                "fullUrl": "urn:uuid:6f1c2d3e-0000-4000-8000-000000000003",
                "resource": {
                    "resourceType": "Encounter",
                    "identifier": [{"system": "https://hospital.example.nhs.uk/encounter", "value": encounter_id}],
                    "status": "finished",
                    "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
                    "subject": {"reference": "urn:uuid:6f1c2d3e-0000-4000-8000-000000000002"},
                    "period": {"start": "2025-12-20T09:00:00+00:00", "end": discharged},
                    "hospitalization": {
                        "dischargeDisposition": {
                            "coding": [
                                {"system": "https://fhir.nhs.uk/CodeSystem/discharge-destination", "code": "19"}
                            ],
                            "text": "Usual place of residence",
                        }
                    },
                },
            },
        ],
    }


def broken(resource: dict[str, Any], *path: Any, value: Any = None, delete: bool = False) -> dict[str, Any]:
    """A copy with one element changed (or removed)."""
    result = copy.deepcopy(resource)
    target = result
    for part in path[:-1]:
        target = target[part]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return result


async def registered(
    service, nhs_number: str = NHS_NUMBER, postcode: str = "WV1 1AA", council_id: str = "wyvernshire"
) -> uuid.UUID:
    """A person RAS registered, as the health service's copy holds them."""
    person_id = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(person_copies).values(
                person_id=person_id,
                council_id=council_id,
                council_person_id=f"WY-{person_id.hex[:6]}",
                nhs_number=nhs_number,
                given_name="Ada",
                family_name="Lovelace",
                date_of_birth=date(1950, 12, 10),
                postcode=postcode,
                client_group="older_people",
                revision=1,
                updated_at=datetime.now(UTC),
            )
        )
    return person_id


async def count(service, table) -> int:
    async with service.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)))


async def published(service, event_type: str) -> list[dict[str, Any]]:
    """The payloads of the events of this type in the service's outbox, in order."""
    async with service.sessions() as session:
        rows = await session.execute(
            select(outbox.c.message).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
        )
        return [json.loads(message)["payload"] for (message,) in rows]


async def handled(service, payload, subject_id, producer: str = "ras", council_id: str = "wyvernshire") -> None:
    """Apply one event through the service's own handlers in one transaction, as its consumer does."""
    envelope = envelope_for(payload, producer=producer, council_id=council_id, subject_id=str(subject_id))
    async with service.sessions() as session, session.begin():
        context = HandlerContext(session, envelope, service.definition.name)
        for subscription in service.definition.all_subscriptions():
            if isinstance(payload, subscription.payload_model):
                await subscription.handler(context, payload)


async def decided_and_ended(health, person_id, basis: str, share: dict[str, Any], start: str, end: str) -> None:
    """A funding decision recorded at the health service from `start`, and its end on `end`."""
    body = {"person_id": str(person_id), "basis": basis, "start_date": start, "icb_code": "QWN", **share}
    decided = await health.client.post("/funding-decisions", json=body, headers=auth(Role.social_worker))
    assert decided.status_code == 201, decided.text
    decision = decided.json()
    ended = await health.client.post(
        f"/funding-decisions/{decision['decision_id']}/end",
        json={"revision": decision["revision"], "end_date": end},
        headers=auth(Role.social_worker),
    )
    assert ended.status_code == 200, ended.text


def agreed(person_id: uuid.UUID, budget_id: uuid.UUID) -> PersonalBudgetAgreed:
    """RAS's event for a budget agreed for this person (a direct payment of GBP 466.20 a week)."""
    return PersonalBudgetAgreed.model_validate(
        {
            "person_id": str(person_id),
            "budget_id": str(budget_id),
            "budget_revision": 1,
            "client_group": "older_people",
            "funder": "council",
            "reason": "new_assessment",
            "weekly_pence": 46620,
            "one_off_pence": 0,
            "annual_pence": 46620 * 52,
            "delivery": {"direct_payment_weekly_pence": 46620},
            "services": [
                {
                    "service_type": "home_care",
                    "cld_service_type": "long_term_community",
                    "delivery": "direct_payment",
                    "units_per_week": "18",
                    "unit": "hour",
                    "carers_per_visit": 1,
                    "rate_pence": 2590,
                    "weekly_cost_pence": 46620,
                }
            ],
            "start_date": "2026-03-02",
            "effective_from": "2026-03-02",
            "next_review_date": "2026-09-02",
        }
    )
