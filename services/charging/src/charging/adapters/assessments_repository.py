"""Stored financial assessments, and the reference data a calculation reads."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
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


def _assessment(row: Any) -> FinancialAssessment:
    mapping = row._mapping
    return FinancialAssessment(**{name: mapping[name] for name in _FIELDS})


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

    async def add_many(self, assessments: list[FinancialAssessment]) -> None:
        """Store new assessments, each after every one its person already has: one insert for them all."""
        if not assessments:
            return
        council_id = assessments[0].council_id
        people = {a.person_id for a in assessments}
        last = dict(
            (
                await self.session.execute(
                    select(fa.c.person_id, func.max(fa.c.sequence))
                    .where(fa.c.council_id == council_id, fa.c.person_id.in_(people))
                    .group_by(fa.c.person_id)
                )
            ).all()
        )
        now = datetime.now(UTC)
        rows = []
        for a in assessments:
            last[a.person_id] = last.get(a.person_id, 0) + 1
            rows.append({**{n: getattr(a, n) for n in _FIELDS}, "sequence": last[a.person_id]})
        await self.session.execute(fa.insert().values(recorded_at=now, updated_at=now), rows)

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

    async def current_after(
        self, council_id: str, on: date, after: uuid.UUID | None, limit: int
    ) -> list[tuple[FinancialAssessment, str]]:
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
            return []
        rows = await self.session.execute(
            select(fa, person_copies.c.client_group)
            .join(person_copies, person_copies.c.person_id == fa.c.person_id, isouter=True)
            .where(fa.c.council_id == council_id, fa.c.person_id.in_(page), fa.c.effective_date <= on)
            .order_by(fa.c.person_id, fa.c.effective_date, fa.c.sequence)
        )
        current: dict[uuid.UUID, tuple[FinancialAssessment, str]] = {}
        for row in rows:  # the last row of each person is the one in force
            current[row.person_id] = (_assessment(row), row.client_group or "unknown")
        return list(current.values())

    async def end(self, assessment: FinancialAssessment, ended_on: date) -> FinancialAssessment:
        ended = replace(assessment, ended_on=ended_on, revision=assessment.revision + 1)
        await self.save(ended, read_revision=assessment.revision)
        return ended
