"""What RAS does with the NHS's messages (from the health service's events).

A referred patient is matched by NHS number, or registered with the id the health service proposed
(publishing person.registered as for anyone). When health proposed a new id for a person RAS already
holds (its copy of people had not caught up yet), the proposed record is registered and at once merged
into the one RAS holds (person.merged), so whatever health recorded under that id follows the person.

When a reablement episode after a hospital discharge ends, the needs assessment that follows is due:
RAS records it as a request for support by the route "hospital discharge", dated the day the
assessment is due, so it shows among the requests waiting for an assessment (docs/domain/health.md).
"""

from __future__ import annotations

import uuid
from datetime import date

from pbshared.contract.events.health import PatientReferred, ReablementEpisodeEnded
from pbshared.contract.events.people import ClientGroup, PersonMerged, PersonRegistered
from pbshared.platform.unit_of_work import UnitOfWork
from ras.adapters.people_repository import PeopleRepository
from ras.adapters.requests_repository import RequestsRepository
from ras.domain.people import Person
from ras.domain.requests import ClientStatus

# Who recorded what RAS did on the NHS's word.
HEALTH = "health service"
OLDER_PEOPLE_FROM_AGE = 65
# The Client Level Data codes for a request after a hospital discharge that goes on to assessment:
# published codes every council's code list holds (docs/domain/ras.md, "Client Level Data codes").
HOSPITAL_DISCHARGE = "hospital_discharge"
PROGRESS_TO_ASSESSMENT = "progress_to_assessment"


def provisional_client_group(date_of_birth: date, on: date) -> ClientGroup:
    """The NHS does not say which client group a person is in; until the assessment corrects it, older
    people from 65 (the age Client Level Data reports older people from), otherwise physical disability."""
    age = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    return ClientGroup.older_people if age >= OLDER_PEOPLE_FROM_AGE else ClientGroup.physical_disability


async def take_referral(uow: UnitOfWork, council_id: str, referral: PatientReferred, today: date) -> Person | None:
    """The person registered for this referral, or None when health already used the id RAS holds."""
    async with uow:
        repo = PeopleRepository(uow.session)
        if await repo.get(council_id, referral.proposed_person_id) is not None:
            return None
        known = await repo.find(council_id, nhs_number=referral.nhs_number, include_merged=False, limit=1)
        person = Person(
            person_id=referral.proposed_person_id,
            council_id=council_id,
            # Until the council gives its own, an id that says where the person came from.
            council_person_id=f"NHS-{referral.referral_id.hex[:12].upper()}",
            # One live record holds an NHS number: a record about to be merged into it goes without.
            nhs_number=None if known else referral.nhs_number,
            given_name=referral.given_name,
            family_name=referral.family_name,
            date_of_birth=referral.date_of_birth,
            postcode=referral.postcode,
            client_group=str(provisional_client_group(referral.date_of_birth, today)),
        )
        await repo.add(person)
        await uow.publish(PersonRegistered(**person.details()), council_id=council_id, subject_id=str(person.person_id))
        if known:
            [survivor] = known
            await repo.save(person.merged_into_person(survivor), read_revision=person.revision)
            await uow.publish(
                PersonMerged(merged_person_id=person.person_id, surviving_person_id=survivor.person_id),
                council_id=council_id,
                subject_id=str(person.person_id),
            )
        await uow.commit()
    return person


async def assessment_due_after_reablement(uow: UnitOfWork, council_id: str, ended: ReablementEpisodeEnded) -> None:
    async with uow:
        await RequestsRepository(uow.session).add(
            {
                "request_id": uuid.uuid5(ended.episode_id, "assessment after reablement"),
                "council_id": council_id,
                "person_id": ended.person_id,
                "client_status": str(ClientStatus.new),
                "route_of_access": HOSPITAL_DISCHARGE,
                "request_date": ended.assessment_due_date,
                "outcome": PROGRESS_TO_ASSESSMENT,
                "no_further_action_reason": None,
                "recorded_by": HEALTH,
            }
        )
        await uow.commit()
