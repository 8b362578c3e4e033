"""The outcome letter of a financial assessment, from the council's template in force on the day."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from charging.adapters.assessments_repository import AssessmentsRepository
from charging.adapters.letters import letter_body, letter_page, letter_pdf
from charging.domain.letter import ChargingLetter, letter_context
from pbshared.errors import NotFound
from pbshared.platform.refdata.lookup import effective_dataset

KIND = "charging_letter"


@dataclass(frozen=True)
class Letter:
    title: str
    body: str

    def html(self) -> str:
        return letter_page(self.body, self.title)

    def pdf(self) -> bytes:
        return letter_pdf(self.body, self.title)


async def outcome_letter(session: AsyncSession, council_id: str, assessment_id: uuid.UUID, today: date) -> Letter:
    repo = AssessmentsRepository(session)
    assessment = await repo.get(council_id, assessment_id)
    if assessment is None:  # another council's assessment is as absent as one that does not exist
        raise NotFound.about("assessment_id", "no financial assessment with that id", where="path")
    person = await repo.person(council_id, assessment.person_id)
    if person is None:
        raise NotFound.about("assessment_id", "the assessment's person is no longer held", where="path")
    dataset = await effective_dataset(session, council_id, KIND, today)
    if dataset is None:
        raise NotFound.about("assessment_id", "the council has no outcome letter template loaded", where="path")
    letter = ChargingLetter.model_validate(dataset.payload)
    body = letter_body(letter.template, letter_context(letter, assessment, person, today))
    return Letter(title=f"{letter.council_name}: your contribution towards your care", body=body)
