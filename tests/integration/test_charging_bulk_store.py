"""The uprating stores a page of assessments at once (COPY on PostgreSQL, one INSERT on SQLite): what
it stores reads back the same as one assessment stored on its own, on either database."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import event

from charging.adapters.assessments_repository import AssessmentsRepository
from charging.domain.recorded import FinancialAssessment
from tests.integration.support import sessions_for


def assessment(person_id: uuid.UUID, effective: date, pence: int) -> FinancialAssessment:
    return FinancialAssessment(
        assessment_id=uuid.uuid4(),
        council_id="wyvernshire",
        person_id=person_id,
        revision=1,
        effective_date=effective,
        assessed_on=date(2025, 6, 2),
        weekly_charge_pence=pence,
        circumstances={"setting": "at_home", "income": [{"kind": "other", "weekly_pence": 1}], "note": "Zoë"},
        result={"weekly_charge_pence": pence, "steps": [{"label": "£ cap", "pence": pence}], "free": False},
        budget_id=uuid.uuid4(),
    )


async def test_a_page_stored_at_once_reads_back_as_stored_one_by_one(charging_url):
    sessions = sessions_for(charging_url)
    person, other = uuid.uuid4(), uuid.uuid4()
    first = assessment(person, date(2025, 6, 2), 3056)
    async with sessions() as session, session.begin():
        await AssessmentsRepository(session).add(first)
    page = [assessment(person, date(2026, 4, 6), 2900), assessment(other, date(2026, 4, 6), 0)]
    async with sessions() as session, session.begin():
        await AssessmentsRepository(session).add_many(page, {person: 1}, bulk=True)
    async with sessions() as session:
        repo = AssessmentsRepository(session)
        assert await repo.history("wyvernshire", person) == [first, page[0]]
        assert await repo.history("wyvernshire", other) == [page[1]]
        # Stored after the first: the later one is the one in force on the uprating's first day.
        current = await repo.current_after("wyvernshire", date(2026, 4, 6), None, 10)
    assert sorted((a.assessment_id, a.weekly_charge_pence) for a, _ in current.people) == sorted(
        (a.assessment_id, a.weekly_charge_pence) for a in page
    )
    assert current.last_sequences == {person: 2, other: 1}


async def test_a_page_of_the_uprating_is_read_by_walking_the_index(charging_url):
    # A freshly loaded table has no planner statistics: PostgreSQL took the page's people for a few
    # hundred rows and read every person after the checkpoint (a bitmap scan, hashed and sorted) to keep
    # a page of them, a cost that grew with everyone left. The plan is checked, never a clock.
    sessions = sessions_for(charging_url)
    people = sorted(uuid.uuid4() for _ in range(5000))
    async with sessions() as session, session.begin():
        stored = [assessment(p, date(2025, 6, 2), 100) for p in people]
        await AssessmentsRepository(session).add_many(stored, {}, bulk=True)
    statements: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", keep)
    async with sessions() as session, session.begin():
        page = await AssessmentsRepository(session).current_after("wyvernshire", date(2026, 4, 6), people[9], 100)
        assert [a.person_id for a, _ in page.people] == people[10:110]
        if session.bind.dialect.name != "postgresql":
            return  # SQLite has one way to read it
        statement, parameters = statements[-1]
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
        plan = "\n".join(row[0] for row in await driver.fetch(f"EXPLAIN {statement}", *parameters))
    assert "Bitmap" not in plan and "Index" in plan, plan
