"""Reference models refuse unknown fields and report every problem at its own place in the payload."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Location = tuple[str | int, ...]


class ReferenceModel(BaseModel):
    """A part of a council's reference dataset: a typo in a field name is refused, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def reject(title: str, problems: list[tuple[Location, str]]) -> None:
    """Raise one pydantic error per problem so the loader lists each where it is."""
    if problems:
        details = [
            InitErrorDetails(type=PydanticCustomError("reference_rule", message), loc=location, input=None)
            for location, message in problems
        ]
        raise ValidationError.from_exception_data(title, details)


def repeats(entries: Iterable[tuple[Location, Any]]) -> list[tuple[Location, str]]:
    """A problem at each value already used earlier in `entries`."""
    seen: dict[Any, Location] = {}
    problems = []
    for location, value in entries:
        if value in seen:
            problems.append((location, f"duplicate: already used at {'.'.join(map(str, seen[value]))}"))
        else:
            seen[value] = location
    return problems
