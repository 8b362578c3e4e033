"""Stored financial assessments, and the reference data a calculation reads."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from charging.adapters.tables import financial_assessments as fa
from charging.domain.figures import FiguresHistory, figures_history
from charging.domain.policy import PolicyHistory, policy_history
from charging.domain.recorded import FinancialAssessment
from pbshared.platform.tables import person_copies, reference_datasets

_FIELDS = (
    "assessment_id",
    "council_id",
    "person_id",
    "revision",
    "effective_date",
    "assessed_on",
    "weekly_charge_pence",
    "circumstances",
    "result",
    "budget_id",
    "ended_on",
)


@dataclass(frozen=True)
class CurrentPage:
    """One page of people: the assessment in force for each with their client group, and each
    person's highest sequence (so the page's new assessments are stored after it without a query)."""

    people: list[tuple[FinancialAssessment, str]]  # each assessment without its result document
    last_sequences: dict[uuid.UUID, int]


def _assessment(row: Any, **given: Any) -> FinancialAssessment:
    mapping = row._mapping
    return FinancialAssessment(**{name: mapping[name] for name in _FIELDS if name not in given}, **given)


class AssessmentsRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def person_client_group(self, council_id: str, person_id: uuid.UUID) -> str | None:
        """The person's client group from this service's copy; None if the council has no such person."""
        row = await self.session.execute(
            select(person_copies.c.client_group)
            .where(person_copies.c.council_id == council_id)
            .where(person_copies.c.person_id == person_id)
        )
        return row.scalar_one_or_none()

    async def person(self, council_id: str, person_id: uuid.UUID) -> dict[str, Any] | None:
        """The person's name, reference and postcode from this service's copy, for a letter."""
        row = (
            await self.session.execute(
                select(
                    person_copies.c.given_name,
                    person_copies.c.family_name,
                    person_copies.c.council_person_id,
                    person_copies.c.postcode,
                )
                .where(person_copies.c.council_id == council_id)
                .where(person_copies.c.person_id == person_id)
            )
        ).first()
        return dict(row._mapping) if row else None

    async def _datasets(self, council_id: str, kind: str) -> list[dict[str, Any]]:
        # Read here rather than through the refdata router's repository, which speaks HTTP problems.
        rows = await self.session.execute(
            select(reference_datasets.c.version, reference_datasets.c.effective_from, reference_datasets.c.payload)
            .where(reference_datasets.c.council_id == council_id)
            .where(reference_datasets.c.kind == kind)
        )
        return [dict(r._mapping) for r in rows]

    async def figures(self, council_id: str) -> FiguresHistory:
        return figures_history(await self._datasets(council_id, "national_charging_figures"))

    async def policies(self, council_id: str) -> PolicyHistory:
        return policy_history(await self._datasets(council_id, "charging_policy"))

    async def add(self, assessment: FinancialAssessment) -> None:
        await self.add_many([assessment])

    async def add_many(
        self, assessments: list[FinancialAssessment], last_sequences: dict[uuid.UUID, int] | None = None
    ) -> None:
        """Store new assessments, each after every one its person already has: one insert for them all.
        `last_sequences` (each person's highest sequence, when the caller has just read it) saves a query."""
        if not assessments:
            return
        council_id = assessments[0].council_id
        people = {a.person_id for a in assessments}
        last = dict(last_sequences) if last_sequences is not None else await self._last_sequences(council_id, people)
        now = datetime.now(UTC)
        rows = []
        for a in assessments:
            last[a.person_id] = last.get(a.person_id, 0) + 1
            rows.append({**{n: getattr(a, n) for n in _FIELDS}, "sequence": last[a.person_id]})
        await self.session.execute(fa.insert().values(recorded_at=now, updated_at=now), rows)

    async def _last_sequences(self, council_id: str, people: set[uuid.UUID]) -> dict[uuid.UUID, int]:
        rows = await self.session.execute(
            select(fa.c.person_id, func.max(fa.c.sequence))
            .where(fa.c.council_id == council_id, fa.c.person_id.in_(people))
            .group_by(fa.c.person_id)
        )
        return {person_id: sequence for person_id, sequence in rows.all()}

    async def save(self, assessment: FinancialAssessment, *, read_revision: int) -> bool:
        """Write a changed assessment only if it is still at the revision read; False if it is not."""
        values = {name: getattr(assessment, name) for name in _FIELDS if name not in ("assessment_id", "council_id")}
        result = await self.session.execute(
            update(fa)
            .where(fa.c.assessment_id == assessment.assessment_id)
            .where(fa.c.council_id == assessment.council_id)
            .where(fa.c.revision == read_revision)
            .values(**values, updated_at=datetime.now(UTC))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get(
        self, council_id: str, assessment_id: uuid.UUID, *, for_update: bool = False
    ) -> FinancialAssessment | None:
        query = select(fa).where(fa.c.council_id == council_id).where(fa.c.assessment_id == assessment_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        return _assessment(row) if row else None

    async def history(self, council_id: str, person_id: uuid.UUID) -> list[FinancialAssessment]:
        """Every assessment of the person, by effective date and then in the order recorded."""
        rows = await self.session.execute(
            select(fa)
            .where(fa.c.council_id == council_id)
            .where(fa.c.person_id == person_id)
            .order_by(fa.c.effective_date, fa.c.sequence)
        )
        return [_assessment(r) for r in rows]

    async def current_assessments(self, council_id: str, on: date) -> AsyncIterator[FinancialAssessment]:
        """The assessment in force on `on` for each person of the council, streamed in person order."""
        rows = await self.session.stream(
            select(fa)
            .where(fa.c.council_id == council_id)
            .where(fa.c.effective_date <= on)
            .order_by(fa.c.person_id, fa.c.effective_date.desc(), fa.c.sequence.desc())
        )
        last: uuid.UUID | None = None
        async for row in rows:
            if row.person_id != last:
                last = row.person_id
                yield _assessment(row)

    async def count_people_assessed_by(self, council_id: str, on: date) -> int:
        query = select(func.count(fa.c.person_id.distinct())).where(fa.c.council_id == council_id)
        return int(await self.session.scalar(query.where(fa.c.effective_date <= on)) or 0)

    async def current_after(self, council_id: str, on: date, after: uuid.UUID | None, limit: int) -> CurrentPage:
        """The next `limit` people after `after` (in id order) with the assessment in force for each on
        `on` and their client group: one page of a walk through everyone that resumes where it left off."""
        # DISTINCT in index order stops after `limit` people; a GROUP BY would aggregate everyone left.
        people = (
            select(fa.c.person_id)
            .distinct()
            .where(fa.c.council_id == council_id, fa.c.effective_date <= on)
            .order_by(fa.c.person_id)
            .limit(limit)
        )
        if after is not None:
            people = people.where(fa.c.person_id > after)
        page = list((await self.session.execute(people)).scalars())
        if not page:
            return CurrentPage([], {})
        # The page's people as a range of the (council, person) index, not a list of ids: a range scan
        # stays an index scan whatever the planner's statistics say, where a long IN list may not.
        in_range = [fa.c.council_id == council_id, fa.c.person_id <= page[-1]]
        if after is not None:
            in_range.append(fa.c.person_id > after)
        # Without the result document: the uprating works each charge out again and never reads it.
        rows = await self.session.execute(
            select(*(c for c in fa.c if c.name != "result"))
            .where(*in_range)
            .order_by(fa.c.person_id, fa.c.effective_date, fa.c.sequence)
        )
        groups = dict(
            (
                await self.session.execute(
                    select(person_copies.c.person_id, person_copies.c.client_group).where(
                        person_copies.c.council_id == council_id,
                        person_copies.c.person_id <= page[-1],
                        *([person_copies.c.person_id > after] if after is not None else []),
                    )
                )
            ).all()
        )
        wanted = set(page)
        current: dict[uuid.UUID, tuple[FinancialAssessment, str]] = {}
        sequences: dict[uuid.UUID, int] = {}
        for row in rows:
            if row.person_id not in wanted:  # only assessments taking effect later
                continue
            sequences[row.person_id] = max(sequences.get(row.person_id, 0), row.sequence)
            if row.effective_date <= on:  # the last of these is the one in force
                current[row.person_id] = (_assessment(row, result={}), groups.get(row.person_id) or "unknown")
        return CurrentPage(list(current.values()), sequences)

    async def end(self, assessment: FinancialAssessment, ended_on: date) -> FinancialAssessment:
        ended = replace(assessment, ended_on=ended_on, revision=assessment.revision + 1)
        await self.save(ended, read_revision=assessment.revision)
        return ended
