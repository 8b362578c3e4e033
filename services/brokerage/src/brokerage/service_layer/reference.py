"""The council's DPS rules and localities in force on a date."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.reference_repository import InForce, dataset_in_force, hashes_in_force
from brokerage.domain.reference import dps_rules, localities
from brokerage.domain.reference.dps_rules import DpsRules
from brokerage.domain.reference.localities import Localities
from pbshared.errors import RuleBroken

M = TypeVar("M", bound=BaseModel)

# Every bid and every evaluation reads the rules, and checking a dataset against its model costs more
# than the rest of a bid. A stored dataset never changes (a change is a new version, with a new
# content hash), so each is checked once per process and kept, by content hash: a dataset that
# replaces it has another hash, so what is kept is never served for its successor.
_CHECKED: dict[tuple[str, str], BaseModel] = {}
_KEPT_AT_MOST = 256


async def council_rules(
    session: AsyncSession, council_id: str, on: date, known: InForce | None = None
) -> tuple[DpsRules, Localities]:
    """`known`: the hashes in force, if the caller read them within a statement of its own (else one
    small statement reads them). A dataset already checked is served from memory; one not yet
    checked is read and checked."""
    if known is None:
        known = await hashes_in_force(session, council_id, on)
    rules = await _in_force(session, council_id, dps_rules.KIND, on, DpsRules, known.rules)
    areas = await _in_force(session, council_id, localities.KIND, on, Localities, known.localities)
    return rules, areas


async def _in_force(
    session: AsyncSession, council_id: str, kind: str, on: date, model: type[M], known_hash: str | None
) -> M:
    checked = _CHECKED.get((kind, known_hash)) if known_hash else None
    if checked is None:
        dataset = await dataset_in_force(session, council_id, kind, on)
        if dataset is None:
            raise RuleBroken.about("council_id", f"the council has no {kind} in force on {on}: load them first")
        key = (kind, dataset.content_hash)
        checked = _CHECKED.get(key)
        if checked is None:
            if len(_CHECKED) >= _KEPT_AT_MOST:
                _CHECKED.clear()
            checked = _CHECKED[key] = model.model_validate(dataset.payload)
    assert isinstance(checked, model)
    return checked
