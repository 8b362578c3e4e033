"""A recorded financial assessment: what it was told, what it worked out, and from when it applies.

A new assessment supersedes the one before from its effective date; the older ones stay, so the
charge as it was on any date can be read back (docs/domain/charging.md, "Living with change").
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

import pydantic_core
from pydantic import TypeAdapter

from charging.domain.circumstances import Collection
from charging.domain.result import ChargeResult
from pbshared.contract.events.charging import CollectedBy


def collected_by(result: ChargeResult) -> CollectedBy:
    return CollectedBy.provider if result.collection is Collection.net else CollectedBy.council


_RESULT_FIELDS = tuple(f.name for f in dataclasses.fields(ChargeResult))


def result_document(result: ChargeResult) -> dict[str, Any]:
    """The whole result, every step included, as plain JSON-ready values (built by hand: the uprating
    writes one for every person, and dataclasses.asdict's deep copies cost more than the calculation)."""
    document: dict[str, Any] = {name: getattr(result, name) for name in _RESULT_FIELDS}
    document.update(
        effective_date=result.effective_date.isoformat(),
        steps=[
            {"label": s.label, "pence": s.pence, "treatment": str(s.treatment), "reason": s.reason}
            for s in result.steps
        ],
        provisional_figures=list(result.provisional_figures),
        collection=str(result.collection) if result.collection is not None else None,
        provisional=result.provisional,
        free=result.free,
        collected_by=str(collected_by(result)),
    )
    return document


# The result's own fields as JSON, written by pydantic-core from the dataclass: what result_document
# gives them, serialised (a test holds the two to the byte).
_RESULT_FIELDS_JSON = TypeAdapter(ChargeResult)


class ResultDocument(Mapping[str, Any]):
    """A result just worked out, as its document (result_document) when first read. A store writes its
    JSON straight from the result instead (`json_text`, as pbshared.platform.db.json_text asks): the
    uprating stores one for every person and reads none back, and making each document and then
    serialising it was a tenth of what storing an assessment cost it (bench/README.md, "Uprating,
    sixth round")."""

    __slots__ = ("_document", "charge")

    def __init__(self, charge: ChargeResult) -> None:
        self.charge = charge
        self._document: dict[str, Any] | None = None

    def _read(self) -> dict[str, Any]:
        if self._document is None:
            self._document = result_document(self.charge)
        return self._document

    def __getitem__(self, key: str) -> Any:
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return f"ResultDocument({self._read()!r})"

    def json_text(self) -> str:
        """The document's JSON, as the engine writes a dict's: the result's fields, then what
        result_document adds to them, in its order."""
        charge = self.charge
        added = {"provisional": charge.provisional, "free": charge.free, "collected_by": collected_by(charge)}
        # Two JSON objects made one: the first without its closing brace, the second without its opening.
        return f"{_RESULT_FIELDS_JSON.dump_json(charge)[:-1].decode()},{pydantic_core.to_json(added)[1:].decode()}"


@dataclasses.dataclass(frozen=True)
class FinancialAssessment:
    assessment_id: uuid.UUID
    council_id: str
    person_id: uuid.UUID
    revision: int
    effective_date: date
    assessed_on: date  # the last full assessment; a recalculation (cost of care, uprating) keeps it
    weekly_charge_pence: int
    circumstances: dict[str, Any]
    result: Mapping[str, Any]  # as read from the store, or a ResultDocument of one just worked out
    budget_id: uuid.UUID | None = None
    ended_on: date | None = None

    @property
    def collected_by(self) -> CollectedBy:
        if isinstance(self.result, ResultDocument):  # from the result, without making its document
            return collected_by(self.result.charge)
        return CollectedBy(self.result["collected_by"])

    def charge_on(self, day: date) -> int:
        """The weekly charge on `day`, nothing before it takes effect or after its care ended."""
        if day < self.effective_date or (self.ended_on is not None and day > self.ended_on):
            return 0
        return self.weekly_charge_pence


def in_force_on(assessments: Iterable[FinancialAssessment], day: date) -> FinancialAssessment | None:
    """The assessment that applies on `day`: the latest to take effect on or before it (of two on one
    date, the one recorded later, which has the higher position in `assessments`)."""
    applying = [(a.effective_date, i, a) for i, a in enumerate(assessments) if a.effective_date <= day]
    return max(applying, key=lambda t: (t[0], t[1]))[2] if applying else None
