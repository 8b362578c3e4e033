"""Council reference datasets as the use cases read them: which stored row is in force on a date (an
index lookup returning its id), and that row's payload validated into its kind's model, kept in this
process by row id.

A stored dataset is never edited (a change is a new version, so a new row), so a row validated once
stays valid for good. Which row is in force is asked of the database on every call, in the caller's
transaction: a version loaded a moment ago is used by the very next request, and a superseded one
is never served. Only the payload of a row already seen is spared: its transfer, its JSON and its
validation (most of what a stored assessment cost before, bench/ras.py).
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ScalarSelect, Select, bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.refdata.kinds import ReferenceKind
from pbshared.platform.tables import reference_datasets

_COLUMNS = reference_datasets.c


@dataclass(frozen=True)
class HeldDataset:
    version: int
    effective_from: date
    model: Any  # the kind's model, validated


def in_force_id(kind: ReferenceKind) -> ScalarSelect[int]:
    """The id of the dataset of `kind` in force for the council and on the date bound as `council_id`
    and `on`: latest effective-from not after it, then the highest version (as pbshared's
    `effective_dataset` chooses); NULL when there is none. A scalar subquery, so that a use case can
    ask it in the same statement as its own reads; built once, executed with parameters."""
    return (
        select(_COLUMNS.id)
        .where(
            _COLUMNS.council_id == bindparam("council_id"),
            _COLUMNS.kind == kind.name,
            _COLUMNS.effective_from <= bindparam("on"),
        )
        .order_by(_COLUMNS.effective_from.desc(), _COLUMNS.version.desc())
        .limit(1)
        .scalar_subquery()
    )


@functools.cache
def _id_in_force(kind: ReferenceKind) -> Select[tuple[int]]:
    return select(in_force_id(kind))


async def id_in_force(session: AsyncSession, council_id: str, kind: ReferenceKind, on: date) -> int | None:
    """The id of the dataset of `kind` in force on `on`, or None."""
    result = await session.execute(_id_in_force(kind), {"council_id": council_id, "on": on})
    return result.scalar()


async def by_id(session: AsyncSession, kind: ReferenceKind, dataset_id: int) -> HeldDataset:
    """The stored dataset `dataset_id` (of `kind`) as its model: read and validated once per process."""
    held = _held(session)
    key = (kind.name, dataset_id)
    dataset = held.get(key)
    if dataset is None:
        query = select(_COLUMNS.version, _COLUMNS.effective_from, _COLUMNS.payload).where(_COLUMNS.id == dataset_id)
        row = (await session.execute(query)).one()
        dataset = HeldDataset(row.version, row.effective_from, kind.model.model_validate(row.payload))
        if len(held) >= _AT_MOST:
            held.clear()  # a council loads a few versions a year: this is a bound, not a working set
        held[key] = dataset
    return dataset


def _held(session: AsyncSession) -> dict[tuple[str, int], HeldDataset]:
    # Row ids are a database's own: one map per engine (tests run many databases in one process).
    assert session.bind is not None, "a service's sessions are bound to its engine"
    return _BY_ENGINE.setdefault(session.bind.sync_engine, {})


_BY_ENGINE: weakref.WeakKeyDictionary[Engine, dict[tuple[str, int], HeldDataset]] = weakref.WeakKeyDictionary()
_AT_MOST = 256
