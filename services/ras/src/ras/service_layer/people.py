"""Registering, changing and merging people; each publishes its event through the outbox.

Each use case takes a unit of work and raises domain errors (pbshared.errors), so it runs the same
from an HTTP route and from an event handler.
"""

from __future__ import annotations

import uuid
from typing import Any

from pbshared.contract.events.people import PersonMerged, PersonRegistered, PersonUpdated
from pbshared.errors import Conflict, Issue, NotFound, StaleRevision
from pbshared.platform.unit_of_work import UnitOfWork
from ras.adapters.people_repository import PeopleRepository
from ras.domain.people import Person


async def _conflicts(repo: PeopleRepository, council_id: str, candidate: Person, fields: list[str]) -> list[Issue]:
    """Another live record already uses this council person id or NHS number."""
    problems = []
    if "council_person_id" in fields:
        for other in await repo.find(council_id, council_person_id=candidate.council_person_id):
            if other.person_id != candidate.person_id:
                problems.append(Issue("council_person_id", f"already used by person {other.person_id}"))
    if "nhs_number" in fields and candidate.nhs_number:
        for other in await repo.find(council_id, nhs_number=candidate.nhs_number, include_merged=False):
            if other.person_id != candidate.person_id:
                problems.append(
                    Issue("nhs_number", f"already registered as person {other.person_id}: update or merge that record")
                )
    return problems


async def _current(repo: PeopleRepository, council_id: str, person_id: uuid.UUID, read_revision: int) -> Person:
    found = await repo.get(council_id, person_id, for_update=True)
    if found is None:  # another council's person is as absent as one who does not exist
        raise NotFound.about("person_id", "no person with that id", where="path")
    return found.as_read_at(read_revision)


async def _save(repo: PeopleRepository, person: Person, read_revision: int) -> None:
    if not await repo.save(person, read_revision=read_revision):
        raise StaleRevision()  # changed after we read it, where the lock did not hold it


async def register_person(uow: UnitOfWork, council_id: str, details: dict[str, Any]) -> Person:
    person = Person(person_id=uuid.uuid4(), council_id=council_id, revision=1, **details)
    async with uow:
        repo = PeopleRepository(uow.session)
        problems = await _conflicts(repo, council_id, person, ["council_person_id", "nhs_number"])
        if problems:
            raise Conflict("nothing was stored", problems, title="Person already registered")
        await repo.add(person)
        await uow.publish(PersonRegistered(**person.details()), council_id=council_id, subject_id=str(person.person_id))
        await uow.commit()
    return person


async def update_person(
    uow: UnitOfWork, council_id: str, person_id: uuid.UUID, changes: dict[str, Any], read_revision: int
) -> Person:
    async with uow:
        repo = PeopleRepository(uow.session)
        current = await _current(repo, council_id, person_id, read_revision)
        updated, changed = current.with_changes(changes)
        if not changed:
            return current
        problems = await _conflicts(repo, council_id, updated, changed)
        if problems:
            raise Conflict("nothing was stored", problems, title="Conflicts with another person")
        await _save(repo, updated, read_revision)
        await uow.publish(
            PersonUpdated(**updated.details(), changed_fields=changed),
            council_id=council_id,
            subject_id=str(person_id),
        )
        await uow.commit()
    return updated


async def merge_people(
    uow: UnitOfWork, council_id: str, merged_id: uuid.UUID, surviving_id: uuid.UUID, read_revision: int
) -> Person:
    async with uow:
        repo = PeopleRepository(uow.session)
        # Lock both records, always in the same order, so that "A into B" and "B into A" at the same
        # moment cannot both pass the rules and leave no live record (nor deadlock). On SQLite the
        # transaction holds the database's write lock from its start instead.
        locked = {pid: await repo.get(council_id, pid, for_update=True) for pid in sorted({merged_id, surviving_id})}
        merged, survivor = locked[merged_id], locked[surviving_id]
        missing = [
            Issue(name, f"no person {pid}", where)
            for where, name, pid, found in (
                ("path", "person_id", merged_id, merged),
                ("body", "surviving_person_id", surviving_id, survivor),
            )
            if found is None
        ]
        if missing:
            raise NotFound("nothing was merged", missing)
        assert merged is not None and survivor is not None
        retired = merged.as_read_at(read_revision).merged_into_person(survivor)
        await _save(repo, retired, read_revision)
        await uow.publish(
            PersonMerged(merged_person_id=merged_id, surviving_person_id=surviving_id),
            council_id=council_id,
            subject_id=str(merged_id),
        )
        await uow.commit()
    return retired
