"""The Client Level Data codes a council records requests, assessments and reviews with (kind
`client_level_data_codes`): each code list is reference data, effective-dated, so a new release of
the national specification is a new dataset, not a change of code. Format and sources:
docs/domain/ras.md ("Client Level Data codes").

A few codes are ones the rules act on (a request with no further action needs its reason; support
planning follows only eligible needs; each review outcome changes the budget its own way): a dataset
must hold those, and review codes must be ones the rules know.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Self

from pydantic import Field, model_validator

from ras.domain.assessments.record import ELIGIBILITY_OUTCOMES, PROGRESS_TO_SUPPORT_PLANNING
from ras.domain.budgets.reviews import ReviewOutcome, ReviewReason
from ras.domain.problems import Location, Problem, ReferenceModel, reject_dataset, repeated_ids
from ras.domain.requests import NO_FURTHER_ACTION


class Code(ReferenceModel):
    # Long enough for the eligibility regulations' outcomes written out in full.
    code: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_]*$")
    text: str = Field(min_length=1, max_length=200, description="The specification's wording of the value.")


CodeList = list[Code]

# Codes the rules act on: a dataset without them is refused, since the rule would never apply.
REQUIRED: dict[str, frozenset[str]] = {
    "request_outcome": frozenset({NO_FURTHER_ACTION}),
    "assessment_outcome": frozenset({PROGRESS_TO_SUPPORT_PLANNING}),
    "eligibility_outcome": ELIGIBILITY_OUTCOMES,
    "review_reason": frozenset(ReviewReason),
    "review_outcome": frozenset(ReviewOutcome),
}
# Lists where every code must be one the rules know: each review outcome moves the budget differently.
CLOSED = ("review_reason", "review_outcome")


class ClientLevelDataCodes(ReferenceModel):
    """The payload of a `client_level_data_codes` dataset: one list per coded field."""

    route_of_access: CodeList = Field(min_length=1)
    request_outcome: CodeList = Field(min_length=1)
    no_further_action_reason: CodeList = Field(min_length=1)
    assessment_type: CodeList = Field(min_length=1)
    assessment_method: CodeList = Field(min_length=1)
    assessment_outcome: CodeList = Field(min_length=1)
    eligibility_outcome: CodeList = Field(min_length=1)
    primary_support_reason: CodeList = Field(min_length=1)
    accommodation_status: CodeList = Field(min_length=1)
    review_reason: CodeList = Field(min_length=1)
    review_outcome: CodeList = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        problems: list[Problem] = []
        for name in type(self).model_fields:
            codes: CodeList = getattr(self, name)
            problems += repeated_ids(((name, i, "code"), c.code) for i, c in enumerate(codes))
            held = {c.code for c in codes}
            missing = sorted(REQUIRED.get(name, frozenset()) - held)
            if missing:
                problems.append(Problem((name,), f"must hold the codes the rules act on: {', '.join(missing)}"))
            if name in CLOSED:
                problems += [
                    Problem((name, i, "code"), "not a code the rules know: " + ", ".join(sorted(REQUIRED[name])))
                    for i, c in enumerate(codes)
                    if c.code not in REQUIRED[name]
                ]
        reject_dataset("ClientLevelDataCodes", problems)
        return self

    def holds(self, code_list: str, code: str) -> bool:
        return any(c.code == code for c in getattr(self, code_list))


@dataclass(frozen=True)
class Coded:
    """A coded field of a request: where it is, which list it comes from, and what was sent."""

    field: str
    code_list: str
    given: str | Sequence[str] | None


def code_problems(codes: ClientLevelDataCodes, on: date, fields: Iterable[Coded]) -> list[Problem]:
    """A problem at each field whose code is not in the list in force on `on` (never the code itself)."""
    problems = []
    for coded in fields:
        if coded.given is None:
            continue
        given: Iterable[tuple[Location, str]] = (
            [((coded.field,), coded.given)]
            if isinstance(coded.given, str)
            else [((coded.field, i), value) for i, value in enumerate(coded.given)]
        )
        problems += [
            Problem(where, f"not a code of {coded.code_list} in force on {on}")
            for where, value in given
            if not codes.holds(coded.code_list, value)
        ]
    return problems
