"""Reference data in force on a date: the latest version to take effect on or before it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel


class Effective(Protocol):
    version: int
    effective_from: date


V = TypeVar("V", bound=Effective)


def in_force(versions: Iterable[V], day: date) -> V | None:
    candidates = [v for v in versions if v.effective_from <= day]
    return max(candidates, key=lambda v: (v.effective_from, v.version)) if candidates else None


M = TypeVar("M", bound=BaseModel)


def validated_versions(datasets: Iterable[Mapping[str, Any]], model: type[M]) -> list[tuple[int, date, M]]:
    """(version, effective_from, payload) of stored datasets, each payload validated against `model`."""
    return [
        (int(d["version"]), date.fromisoformat(str(d["effective_from"])), model.model_validate(d["payload"]))
        for d in datasets
    ]
