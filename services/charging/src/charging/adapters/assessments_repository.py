"""Stored financial assessments, and the reference data a calculation reads."""

from __future__ import annotations

import operator
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from charging.adapters.tables import financial_assessments as fa
from charging.domain.figures import FiguresHistory, figures_history
from charging.domain.policy import PolicyHistory, policy_history
from charging.domain.recorded import FinancialAssessment
from pbshared.platform.db import copy_records, json_text
from pbshared.platform.tables import person_copies, reference_datasets

# The stored fields are the assessment's, in its order (a page's rows are read into it by position).
_FIELDS = tuple(f.name for f in fields(FinancialAssessment))


@dataclass(frozen=True)
class CurrentPage:
    """One page of people: the assessment in force for each with their client group, and each
    person's highest sequence (so the page's new assessments are stored after it without a query)."""

    people: list[tuple[FinancialAssessment, str]]  # each assessment without its result document
    last_sequences: dict[uuid.UUID, int]


def _assessment(row: Any, **given: Any) -> FinancialAssessment:
    mapping = row._mapping
    return FinancialAssessment(**{name: mapping[name] for name in _FIELDS if name not in given}, **given)


_COPIED = (*_FIELDS, "sequence", "recorded_at", "updated_at")
_values = operator.attrgetter(*_FIELDS)  # an assessment's stored fields as one tuple, in _FIELDS order
_CIRCUMSTANCES, _RESULT = _FIELDS.index("circumstances"), _FIELDS.index("result")
_READ_FOR_UPRATING = tuple(n for n in _FIELDS if n != "result")


async def _copy(connection: Any, assessments: list[FinancialAssessment], sequences: list[int], now: datetime) -> None:
    """PostgreSQL's COPY of a page of new assessments: no statement to build and parse for a thousand
    rows of two documents each. The documents go as the JSON text the engine writes (json_text)."""
    records = []
    for assessment, sequence in zip(assessments, sequences, strict=True):
        values = list(_values(assessment))
        values[_CIRCUMSTANCES] = json_text(values[_CIRCUMSTANCES])
        values[_RESULT] = json_text(values[_RESULT])
        records.append((*values, sequence, now, now))
    await copy_records(connection, fa.name, _COPIED, records)


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
        self,
        assessments: list[FinancialAssessment],
        last_sequences: dict[uuid.UUID, int] | None = None,
        *,
        bulk: bool = False,
    ) -> None:
        """Store new assessments, each after every one its person already has: one insert for them all.
        `last_sequences` (each person's highest sequence, when the caller has just read it) saves a query;
        `bulk` (a page of the uprating) copies them in on PostgreSQL."""
        if not assessments:
            return
        council_id = assessments[0].council_id
        people = {a.person_id for a in assessments}
        last = dict(last_sequences) if last_sequences is not None else await self._last_sequences(council_id, people)
        now = datetime.now(UTC)
        sequences = []
        for a in assessments:
            last[a.person_id] = last.get(a.person_id, 0) + 1
            sequences.append(last[a.person_id])
        connection = await self.session.connection()
        if bulk and connection.dialect.name == "postgresql":
            await _copy(connection, assessments, sequences, now)
            return
        rows = [
            {**dict(zip(_FIELDS, _values(a), strict=True)), "sequence": n}
            for a, n in zip(assessments, sequences, strict=True)
        ]
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

    async def current_after(
        self, council_id: str, on: date, after: uuid.UUID | None, limit: int, before: uuid.UUID | None = None
    ) -> CurrentPage:
        """The next `limit` people after `after` (in id order, and below `before` if given) with the
        assessment in force for each on `on` and their client group: one page of a walk through everyone
        (or through a lane of them) that resumes where it left off. Fewer than `limit`: none are left."""
        # DISTINCT in index order stops after `limit` people; a GROUP BY would aggregate everyone left.
        # But on a table loaded without planner statistics PostgreSQL took it for a few hundred rows and
        # chose a bitmap scan of every person left, hashed and sorted to keep a thousand: 145 ms a page
        # at 100,000 people, quadratic over a run. Without bitmap scans (for the rest of this page's
        # transaction only, whose other statements are inserts and a primary-key update) it walks the
        # index and stops, about 15 ms, whatever the statistics say.
        if (await self.session.connection()).dialect.name == "postgresql":
            await self.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        people = (
            select(fa.c.person_id)
            .distinct()
            .where(fa.c.council_id == council_id, fa.c.effective_date <= on)
            .order_by(fa.c.person_id)
            .limit(limit)
        )
        if after is not None:
            people = people.where(fa.c.person_id > after)
        if before is not None:
            people = people.where(fa.c.person_id < before)
        page = people.subquery()
        # PostgreSQL has no max() of a uuid: the last of the page is the first in reverse order.
        last_of_page = select(page.c.person_id).order_by(page.c.person_id.desc()).limit(1).scalar_subquery()
        # One statement for the page: its people as a range of the (council, person) index up to the
        # page's last person (a range scan stays an index scan whatever the planner's statistics say,
        # where a long IN list may not), each row with the person's client group beside it.
        in_range = [fa.c.council_id == council_id, fa.c.person_id <= last_of_page]
        if after is not None:
            in_range.append(fa.c.person_id > after)
        copies = person_copies.c
        # Without the result document: the uprating works each charge out again and never reads it.
        rows = await self.session.execute(
            select(*(fa.c[n] for n in _READ_FOR_UPRATING), fa.c.sequence, copies.client_group)
            .select_from(
                fa.outerjoin(
                    person_copies, (copies.council_id == fa.c.council_id) & (copies.person_id == fa.c.person_id)
                )
            )
            .where(*in_range)
            .order_by(fa.c.person_id, fa.c.effective_date, fa.c.sequence)
        )
        current: dict[uuid.UUID, tuple[FinancialAssessment, str]] = {}
        sequences: dict[uuid.UUID, int] = {}
        person_at, effective_at = _READ_FOR_UPRATING.index("person_id"), _READ_FOR_UPRATING.index("effective_date")
        for *values, sequence, client_group in rows:
            person_id = values[person_at]
            sequences[person_id] = max(sequences.get(person_id, 0), sequence)
            if values[effective_at] <= on:  # the last of these is the one in force
                # By position, the result (not read) in its place: keywords cost a page a tenth more.
                read = FinancialAssessment(*values[:_RESULT], {}, *values[_RESULT:])
                current[person_id] = (read, client_group or "unknown")
        # People in the range with only assessments taking effect later are not on the page.
        return CurrentPage(list(current.values()), {p: sequences[p] for p in current})

    async def end(self, assessment: FinancialAssessment, ended_on: date) -> FinancialAssessment:
        ended = replace(assessment, ended_on=ended_on, revision=assessment.revision + 1)
        await self.save(ended, read_revision=assessment.revision)
        return ended
