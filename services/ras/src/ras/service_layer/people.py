"""Registering, changing and merging people; each publishes its event through the outbox."""

from __future__ import annotations

import uuid
from typing import Any

from pbshared.contract.events.people import PersonMerged, PersonRegistered, PersonUpdated
from pbshared.platform.errors import FieldProblem, Problem
from pbshared.platform.unit_of_work import UnitOfWork
from ras.adapters.people_repository import PeopleRepository
from ras.domain.people import Person, PersonRuleBroken


async def _conflicts(
    repo: PeopleRepository, council_id: str, candidate: Person, fields: list[str]
) -> list[FieldProblem]:
    """Another live record already uses this council person id or NHS number."""
    problems = []
    if "council_person_id" in fields:
        for other in await repo.find(council_id, council_person_id=candidate.council_person_id):
            if other.person_id != candidate.person_id:
                problems.append(
                    FieldProblem(["body", "council_person_id"], f"already used by person {other.person_id}")
                )
    if "nhs_number" in fields and candidate.nhs_number:
        for other in await repo.find(council_id, nhs_number=candidate.nhs_number, include_merged=False):
            if other.person_id != candidate.person_id:
                problems.append(
                    FieldProblem(
                        ["body", "nhs_number"],
                        f"already registered as person {other.person_id}: update or merge that record",
                    )
                )
    return problems


async def register_person(uow: UnitOfWork, council_id: str, details: dict[str, Any]) -> Person:
    person = Person(person_id=uuid.uuid4(), council_id=council_id, revision=1, **details)
    async with uow:
        repo = PeopleRepository(uow.session)
        problems = await _conflicts(repo, council_id, person, ["council_person_id", "nhs_number"])
        if problems:
            raise Problem(409, "Person already registered", "nothing was stored", problems)
        await repo.add(person)
        await uow.publish(PersonRegistered(**person.details()), council_id=council_id, subject_id=str(person.person_id))
        await uow.commit()
    return person


async def update_person(uow: UnitOfWork, council_id: str, person_id: uuid.UUID, changes: dict[str, Any]) -> Person:
    async with uow:
        repo = PeopleRepository(uow.session)
        current = await repo.get(council_id, person_id, for_update=True)
        if current is None:
            raise Problem(404, "Not found", f"no person {person_id}")
        try:
            updated, changed = current.with_changes(changes)
        except PersonRuleBroken as broken:
            raise Problem(
                409, "Change not allowed", str(broken), [FieldProblem(["body", broken.field], str(broken))]
            ) from None
        if not changed:
            return current
        problems = await _conflicts(repo, council_id, updated, changed)
        if problems:
            raise Problem(409, "Conflicts with another person", "nothing was stored", problems)
        await repo.save(updated)
        await uow.publish(
            PersonUpdated(**updated.details(), changed_fields=changed),
            council_id=council_id,
            subject_id=str(person_id),
        )
        await uow.commit()
    return updated


async def merge_people(uow: UnitOfWork, council_id: str, merged_id: uuid.UUID, surviving_id: uuid.UUID) -> Person:
    async with uow:
        repo = PeopleRepository(uow.session)
        # Lock both records, always in the same order, so that "A into B" and "B into A" at the same
        # moment cannot both pass the rules and leave no live record (nor deadlock).
        locked = {pid: await repo.get(council_id, pid, for_update=True) for pid in sorted({merged_id, surviving_id})}
        merged, survivor = locked[merged_id], locked[surviving_id]
        missing = [
            FieldProblem(loc, f"no person {pid}")
            for loc, pid, found in (
                (["path", "person_id"], merged_id, merged),
                (["body", "surviving_person_id"], surviving_id, survivor),
            )
            if found is None
        ]
        if missing:
            raise Problem(404, "Not found", "nothing was merged", missing)
        assert merged is not None and survivor is not None
        try:
            retired = merged.merged_into_person(survivor)
        except PersonRuleBroken as broken:
            raise Problem(
                409, "Merge not allowed", str(broken), [FieldProblem(["body", broken.field], str(broken))]
            ) from None
        await repo.save(retired)
        await uow.publish(
            PersonMerged(merged_person_id=merged_id, surviving_person_id=surviving_id),
            council_id=council_id,
            subject_id=str(merged_id),
        )
        await uow.commit()
    return retired
