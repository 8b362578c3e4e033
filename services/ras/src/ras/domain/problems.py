"""Refusals that list every problem at once, each naming where it is and which rule it breaks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

Location = tuple[str | int, ...]


class ReferenceModel(BaseModel):
    """A part of a council's reference dataset: unknown fields are refused (a typo is not ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str


class Refused(ValueError):
    """A request the rules refuse; `problems` lists every reason, never the offending values."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(f"{'.'.join(map(str, p.location))}: {p.message}" for p in self.problems))


def refuse_if_any(problems: list[Problem]) -> None:
    if problems:
        raise Refused(problems)


def reject_dataset(title: str, problems: list[Problem]) -> None:
    """From a reference model's validator: every problem as its own pydantic error, with its location.

    Pydantic merges a ValidationError raised inside a validator into the outer one, so the loader
    reports each problem at its place in the payload rather than one joined message.
    """
    if problems:
        details = [
            InitErrorDetails(type=PydanticCustomError("reference_rule", p.message), loc=p.location, input=None)
            for p in problems
        ]
        raise ValidationError.from_exception_data(title, details)


def repeated_ids(entries: Iterable[tuple[Location, Any]]) -> list[Problem]:
    """A problem at each id already used earlier in `entries` (location, id), naming the first use."""
    first_seen: dict[Any, Location] = {}
    problems = []
    for location, value in entries:
        if value in first_seen:
            where = ".".join(map(str, first_seen[value]))
            problems.append(Problem(location, f"duplicate id: already used at {where}"))
        else:
            first_seen[value] = location
    return problems
