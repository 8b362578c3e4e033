"""A person as RAS holds them, and the rules for changing and merging records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from pbshared.errors import Issue, RuleBroken, StaleRevision


class PersonRuleBroken(RuleBroken):
    """A change the rules do not allow; `field` names what it is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message, [Issue(field, message)])
        self.field = field


@dataclass(frozen=True)
class Person:
    person_id: uuid.UUID
    council_id: str
    council_person_id: str
    nhs_number: str | None
    given_name: str
    family_name: str
    date_of_birth: date
    postcode: str
    client_group: str
    revision: int = 1
    merged_into: uuid.UUID | None = None

    EDITABLE = (
        "council_person_id",
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "postcode",
        "client_group",
    )

    def as_read_at(self, revision: int) -> Person:
        """This record, if it is still at the revision the caller read; a change built on an older
        read would silently undo whatever came between."""
        if revision != self.revision:
            raise StaleRevision()
        return self

    def with_changes(self, changes: dict[str, Any]) -> tuple[Person, list[str]]:
        """The person after `changes`, and the fields that really changed (revision +1 if any)."""
        if self.merged_into is not None:
            raise PersonRuleBroken("person_id", f"this record was merged into {self.merged_into}; change that one")
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise PersonRuleBroken(sorted(unknown)[0], "not a field that can be changed")
        changed = [name for name in self.EDITABLE if name in changes and changes[name] != getattr(self, name)]
        if not changed:
            return self, []
        return replace(self, **{n: changes[n] for n in changed}, revision=self.revision + 1), changed

    def merged_into_person(self, survivor: Person) -> Person:
        """This record retired in favour of `survivor` (the same human, recorded twice)."""
        if survivor.person_id == self.person_id:
            raise PersonRuleBroken("surviving_person_id", "a record cannot be merged into itself")
        if self.merged_into is not None:
            raise PersonRuleBroken("person_id", f"already merged into {self.merged_into}")
        if survivor.merged_into is not None:
            raise PersonRuleBroken(
                "surviving_person_id", f"the surviving record was itself merged into {survivor.merged_into}"
            )
        if survivor.council_id != self.council_id:
            raise PersonRuleBroken("surviving_person_id", "records of different councils cannot merge")
        if self.nhs_number and survivor.nhs_number and self.nhs_number != survivor.nhs_number:
            raise PersonRuleBroken("surviving_person_id", "the two records have different NHS numbers")
        return replace(self, merged_into=survivor.person_id, revision=self.revision + 1)

    def details(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("council_id", "merged_into")}
