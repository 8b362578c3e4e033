"""The council's reference dataset of a kind in force on a date (the platform's one lookup rule:
latest effective-from not after the date, then the highest version)."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Date, String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.domain.reference import dps_rules, localities
from pbshared.platform.refdata.lookup import Dataset, effective_dataset
from pbshared.platform.tables import reference_datasets


async def dataset_in_force(session: AsyncSession, council_id: str, kind: str, on: date) -> Dataset | None:
    return await effective_dataset(session, council_id, kind, on)


class InForce(NamedTuple):
    """The content hashes of the DPS rules and localities in force, read within another statement
    (None: none in force, or not read)."""

    rules: str | None
    localities: str | None


def in_force_columns(council_id: Any, on: Any) -> list[ColumnElement[str | None]]:
    """Columns to add to a statement the caller runs anyway (read back with `in_force_of`): it learns
    which datasets are in force without a round trip of its own, or their payloads. `council_id` may
    be a column of that statement, `on` a date or a bound parameter."""
    return [
        _hash_in_force(council_id, dps_rules.KIND, on).label("rules_in_force"),
        _hash_in_force(council_id, localities.KIND, on).label("localities_in_force"),
    ]


def in_force_of(row: Any) -> InForce:
    m = row._mapping
    return InForce(m["rules_in_force"], m["localities_in_force"])


async def hashes_in_force(session: AsyncSession, council_id: str, on: date) -> InForce:
    """Which rules and localities are in force, in one small statement (no payloads)."""
    return in_force_of((await session.execute(_HASHES, {"council_id": council_id, "on": on})).one())


def _hash_in_force(council_id: Any, kind: str, on: Any) -> ColumnElement[str | None]:
    """The content hash of the dataset `effective_dataset` chooses, as a scalar subquery."""
    table = reference_datasets.c
    return (
        select(table.content_hash)
        .where(table.council_id == council_id, table.kind == kind, table.effective_from <= on)
        .order_by(table.effective_from.desc(), table.version.desc())
        .limit(1)
        .scalar_subquery()
    )


_HASHES = select(*in_force_columns(bindparam("council_id", type_=String), bindparam("on", type_=Date)))
