"""Request fields shared by brokerage's routers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from pbshared.platform.errors import FieldProblem, Problem

ReadRevision = Annotated[
    int,
    Field(
        ge=1,
        le=2**31 - 1,
        description="The revision you read. If the record changed since, nothing is changed and the "
        "answer is 409: read it again.",
    ),
]
Reason = Annotated[str, Field(min_length=1, max_length=1000)]
CqcLocationId = Annotated[str, Field(pattern=r"^1-[0-9]{5,12}$", description="CQC location id, e.g. 1-101669981")]
ProviderId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]


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
