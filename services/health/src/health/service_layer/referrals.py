"""A person the NHS told us of: matched by NHS number, or proposed for RAS to register.

The health service never registers anyone: it publishes patient.referred and RAS matches or
registers (docs/events.md, "Health"). Until RAS answers, the proposed id is kept by NHS number so
that a second message about the same person refers to the same id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from health.adapters.people_repository import PeopleRepository
from health.domain.fhir_in import PatientDetails
from pbshared.contract.events.health import PatientReferred
from pbshared.platform.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Referral:
    referral_id: uuid.UUID
    person_id: uuid.UUID
    matched: bool  # the person was already known by their NHS number


async def refer_within(uow: UnitOfWork, council_id: str, patient: PatientDetails, source: str) -> Referral:
    """Match or propose the person and publish patient.referred, inside the caller's open unit."""
    people = PeopleRepository(uow.session)
    referral_id = uuid.uuid4()
    known = await people.by_nhs_number(council_id, patient.nhs_number)
    person_id = known or uuid.uuid4()
    if known is None:
        await people.propose(council_id, patient.nhs_number, person_id, referral_id)
    await uow.publish(
        PatientReferred(
            referral_id=referral_id,
            proposed_person_id=person_id,
            nhs_number=patient.nhs_number,
            given_name=patient.given_name,
            family_name=patient.family_name,
            date_of_birth=patient.date_of_birth,
            postcode=patient.postcode,
            source=source,
        ),
        council_id=council_id,
        subject_id=str(person_id),
    )
    return Referral(referral_id, person_id, known is not None)


async def refer_patient(uow: UnitOfWork, council_id: str, patient: PatientDetails) -> Referral:
    async with uow:
        referral = await refer_within(uow, council_id, patient, "Patient")
        await uow.commit()
    return referral
