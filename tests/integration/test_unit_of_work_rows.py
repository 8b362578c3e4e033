"""A row queued on the unit of work (UnitOfWork.insert) is written by commit with the events it
announces: on PostgreSQL in one statement with a single event, on SQLite before them. Either way the
row and the event land together or not at all."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pbshared.contract.envelope import Envelope
from pbshared.contract.events.people import PersonMerged
from pbshared.platform.tables import outbox, person_copies
from pbshared.platform.unit_of_work import UnitOfWork
from tests.integration.support import sessions_for


def copy_of(person_id: uuid.UUID) -> dict:
    return {
        "person_id": person_id,
        "council_id": "wyvernshire",
        "council_person_id": f"UOW-{person_id.hex[:8]}",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": date(1940, 1, 1),
        "postcode": "SK1 3XE",
        "client_group": "older_people",
        "revision": 1,
        "updated_at": datetime.now(UTC),
    }


async def change(uow: UnitOfWork, person_id: uuid.UUID, *, commit: bool = True) -> None:
    async with uow:
        uow.insert(person_copies, copy_of(person_id))
        event = PersonMerged(merged_person_id=person_id, surviving_person_id=uuid.uuid4())
        await uow.publish(event, council_id="wyvernshire", subject_id=str(person_id))
        if commit:
            await uow.commit()


async def stored(sessions, person_id: uuid.UUID) -> tuple[int, list[Envelope]]:
    async with sessions() as session:
        copies = await session.scalar(
            select(func.count()).select_from(person_copies).where(person_copies.c.person_id == person_id)
        )
        messages = await session.scalars(select(outbox.c.message).where(outbox.c.message_key == str(person_id)))
        return copies, [Envelope.from_bytes(m.encode()) for m in messages]


async def test_the_row_and_its_event_are_written_together(charging_url):
    sessions = sessions_for(charging_url)
    person_id = uuid.uuid4()
    await change(UnitOfWork(sessions, "charging"), person_id)
    copies, events = await stored(sessions, person_id)
    assert copies == 1
    assert [(e.event_type, e.subject_sequence) for e in events] == [("person.merged", 1)]


async def test_leaving_without_commit_writes_neither(charging_url):
    sessions = sessions_for(charging_url)
    person_id = uuid.uuid4()
    await change(UnitOfWork(sessions, "charging"), person_id, commit=False)
    assert await stored(sessions, person_id) == (0, [])


async def test_a_refused_row_takes_its_event_with_it(charging_url):
    sessions = sessions_for(charging_url)
    person_id = uuid.uuid4()
    await change(UnitOfWork(sessions, "charging"), person_id)
    with pytest.raises(IntegrityError):  # the same person's copy again: its primary key refuses it
        await change(UnitOfWork(sessions, "charging"), person_id)
    copies, events = await stored(sessions, person_id)
    assert (copies, len(events)) == (1, 1)
