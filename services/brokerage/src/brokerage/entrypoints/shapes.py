"""Request fields shared by brokerage's routers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from pbshared.platform.errors import FieldProblem, Problem

Reason = Annotated[str, Field(min_length=1, max_length=1000)]
CqcLocationId = Annotated[str, Field(pattern=r"^1-[0-9]{5,12}$", description="CQC location id, e.g. 1-101669981")]
ProviderId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]


# How brokerage refuses, the same on every route (docs/domain/brokerage.md, "Refusals").
REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such record, or not yours: another council's or provider's is as absent."},
    409: {
        "description": "A conflicting write: the revision you read is stale (read again), a duplicate, "
        "or the record's state no longer allows it (e.g. the award is no longer yours to accept). "
        "A problem naming each field."
    },
    422: {
        "description": "The request breaks a rule: a field is invalid, or what it asks breaks a business "
        "rule (a bid after the deadline, above the ceiling, from an ineligible provider or starting "
        "after the latest start; too short a notice). A problem naming each field and rule, never "
        "echoing the value."
    },
}


def without_nulls(changes: dict[str, Any], *, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields a PATCH sent; a null only where the field may be emptied, else a 422 naming each."""
    required = [name for name, value in changes.items() if value is None and name not in nullable]
    if required:
        raise Problem(
            422,
            "Invalid change",
            "these fields cannot be removed",
            [FieldProblem(["body", name], "cannot be null") for name in required],
        )
    return changes
