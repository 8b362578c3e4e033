"""Scoring assessments: a preview while the form is filled in, and a stored, scored assessment that
publishes assessment.completed through the outbox. Both use the model in force on the assessment date.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime

from pbshared.contract.events.budgets import AssessmentCompleted
from pbshared.contract.events.people import ClientGroup
from pbshared.errors import NotFound
from pbshared.platform.db import SessionFactory
from pbshared.platform.unit_of_work import UnitOfWork
from ras.adapters.assessments_repository import AssessmentsRepository
from ras.adapters.recent_reference import recent
from ras.adapters.tables import assessments
from ras.domain.assessments.record import AssessmentRecord, record_problems
from ras.domain.assessments.scoring import Answers, ModelVersion, Score, score
from ras.domain.problems import Refused
from ras.domain.reference.client_level_data import Coded
from ras.reference_kinds import RAS_MODEL
from ras.service_layer.ras_model import codes_not_in, model_of


@dataclasses.dataclass(frozen=True)
class Questionnaire:
    """The answers as sent: the date decides the model; the version quoted must be that one."""

    assessment_date: date
    model_version: int
    answers: Mapping[str, str]
    carer_support: Mapping[str, str]

    def for_group(self, client_group: ClientGroup) -> Answers:
        return Answers(self.model_version, client_group, self.answers, self.carer_support)


async def preview(
    sessions: SessionFactory, max_age_seconds: float, council_id: str, given: Questionnaire, client_group: ClientGroup
) -> Score:
    """Score with the model in force on the date, read at most `max_age_seconds` ago (adapters.recent_reference)."""
    on = given.assessment_date
    found = await recent(sessions, RAS_MODEL, max_age_seconds).in_force(sessions, council_id, on)
    if found is None:
        raise NotFound.about("assessment_date", f"no {RAS_MODEL.name} dataset in force on {on}")
    effective_from, version, model = found
    return score(ModelVersion(version, effective_from, model), given.for_group(client_group))


@dataclasses.dataclass(frozen=True)
class StoredAssessment:
    assessment_id: uuid.UUID
    person_id: uuid.UUID
    record: AssessmentRecord
    score: Score


async def record_assessment(
    uow: UnitOfWork,
    council_id: str,
    person_id: uuid.UUID,
    record: AssessmentRecord,
    given: Questionnaire,
    assessed_by: str,
) -> StoredAssessment:
    async with uow:
        on = given.assessment_date
        repository = AssessmentsRepository(uow.session)
        inputs = await repository.scoring_inputs(council_id, person_id, on)
        if inputs is None or inputs.merged_into is not None:
            raise NotFound.about("person_id", "no live person with that id")
        client_group = ClientGroup(inputs.client_group)
        model = await model_of(uow.session, inputs.ras_model_id, on, "assessment_date")
        problems = await codes_not_in(uow.session, inputs.codes_id, on, "assessment_date", _coded(record))
        problems += record_problems(record)
        try:
            scored = score(model, given.for_group(client_group))
        except Refused as refused:
            raise Refused(problems + refused.problems) from None
        if problems:
            raise Refused(problems)
        stored = StoredAssessment(uuid.uuid4(), person_id, record, scored)
        # Written by the commit, in one statement with the event on PostgreSQL.
        uow.insert(
            assessments,
            {
                "assessment_id": stored.assessment_id,
                "council_id": council_id,
                "person_id": person_id,
                "assessment_date": on,
                "ras_model_version": scored.model_version,
                "client_group": str(client_group),
                **{f.name: _plain(getattr(record, f.name)) for f in dataclasses.fields(record)},
                "answers": dict(given.answers),
                "carer_support": dict(given.carer_support),
                "score": score_document(scored),
                "total_points": scored.total_points,
                "indicative_annual_pence": scored.indicative_annual_pence,
                "indicative_weekly_pence": scored.indicative_weekly_pence,
                "assessed_by": assessed_by,
                "created_at": datetime.now(UTC),
            },
        )
        await uow.publish(
            AssessmentCompleted(
                person_id=person_id,
                assessment_id=stored.assessment_id,
                assessment_date=given.assessment_date,
                client_group=client_group,
                ras_model_version=scored.model_version,
                total_points=scored.total_points,
                indicative_annual_pence=scored.indicative_annual_pence,
                indicative_weekly_pence=scored.indicative_weekly_pence,
                eligible_needs=record.eligible_needs,
            ),
            council_id=council_id,
            subject_id=str(person_id),
        )
        await uow.commit()
    return stored


def _coded(record: AssessmentRecord) -> list[Coded]:
    return [
        Coded("assessment_type", "assessment_type", record.assessment_type),
        Coded("method", "assessment_method", record.method),
        Coded("outcome", "assessment_outcome", record.outcome),
        Coded("outcomes_not_achieved", "eligibility_outcome", record.outcomes_not_achieved),
        Coded("primary_support_reason", "primary_support_reason", record.primary_support_reason),
        Coded("accommodation_status", "accommodation_status", record.accommodation_status),
    ]


def score_document(scored: Score) -> dict[str, object]:
    """The score as the `score` column keeps it: `_plain(dataclasses.asdict(scored))`, written out
    because asdict's deep copy of every answer was a good part of a stored assessment's time."""
    return {
        "model_version": scored.model_version,
        "client_group": str(scored.client_group),
        "answers": [vars(answer).copy() for answer in scored.answers],
        "domains": [domain._asdict() for domain in scored.domains],
        "formula": scored.formula,
        "indicative_annual_pence": scored.indicative_annual_pence,
        "indicative_weekly_pence": scored.indicative_weekly_pence,
        "explanation": list(scored.explanation),
    }


def _plain(value: object) -> object:
    """JSON columns take plain values: enums as their codes, sequences as lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value
