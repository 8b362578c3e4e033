"""Storing and looking up reference datasets."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.errors import FieldProblem, Problem
from pbshared.platform.refdata.kinds import COUNCIL_KIND, ReferenceKind
from pbshared.platform.refdata.lookup import Dataset
from pbshared.platform.tables import reference_datasets


class DatasetIn(BaseModel):
    """A dataset as submitted (file or admin endpoint)."""

    model_config = ConfigDict(extra="forbid")

    council_id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1, le=2**31 - 1)
    effective_from: date
    source: str = Field(min_length=1, description="Where the figures come from: paper, circular, decision.")
    payload: dict[str, Any]

    def content_hash(self) -> str:
        canonical = json.dumps(
            {
                "effective_from": self.effective_from.isoformat(),
                "source": self.source,
                "payload": self.payload,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


async def council_is_known(session: AsyncSession, council_id: str) -> bool:
    result = await session.execute(
        select(reference_datasets.c.id)
        .where(reference_datasets.c.council_id == council_id)
        .where(reference_datasets.c.kind == COUNCIL_KIND.name)
        .limit(1)
    )
    return result.first() is not None


async def _existing(session: AsyncSession, incoming: DatasetIn) -> Dataset | None:
    row = (
        await session.execute(
            select(reference_datasets)
            .where(reference_datasets.c.council_id == incoming.council_id)
            .where(reference_datasets.c.kind == incoming.kind)
            .where(reference_datasets.c.version == incoming.version)
        )
    ).first()
    return Dataset.model_validate(row._mapping) if row else None


async def _latest_version(session: AsyncSession, council_id: str, kind: str) -> int:
    result = await session.execute(
        select(func.max(reference_datasets.c.version))
        .where(reference_datasets.c.council_id == council_id)
        .where(reference_datasets.c.kind == kind)
    )
    return int(result.scalar_one() or 0)


async def validate_dataset(
    session: AsyncSession, kinds: dict[str, ReferenceKind], incoming: DatasetIn
) -> list[FieldProblem]:
    """Every problem with the dataset, not just the first."""
    problems: list[FieldProblem] = []
    kind = kinds.get(incoming.kind)
    if kind is None:
        problems.append(FieldProblem(["body", "kind"], f"unknown kind; this service holds: {', '.join(sorted(kinds))}"))
    else:
        try:
            kind.model.model_validate(incoming.payload)
        except ValidationError as error:
            for e in error.errors():
                problems.append(FieldProblem(["body", "payload", *e["loc"]], e["msg"], e["type"]))
    if incoming.kind != COUNCIL_KIND.name and not await council_is_known(session, incoming.council_id):
        problems.append(FieldProblem(["body", "council_id"], "unknown council: load its `council` dataset first"))
    latest = await _latest_version(session, incoming.council_id, incoming.kind)
    if incoming.version > latest + 1:
        problems.append(FieldProblem(["body", "version"], f"the next version of this kind is {latest + 1}"))
    return problems


async def store_dataset(
    session: AsyncSession,
    kinds: dict[str, ReferenceKind],
    incoming: DatasetIn,
    loaded_by: str,
) -> tuple[Dataset, bool]:
    """Store a new version; returns (dataset, created). Same version again: no-op if identical."""
    existing = await _existing(session, incoming)
    if existing is not None:
        if existing.content_hash == incoming.content_hash():
            return existing, False
        raise Problem(
            409,
            "Dataset version already in force",
            f"{incoming.kind} version {incoming.version} for {incoming.council_id} exists with "
            f"different content; datasets are never edited: load version "
            f"{await _latest_version(session, incoming.council_id, incoming.kind) + 1} instead",
        )
    problems = await validate_dataset(session, kinds, incoming)
    if problems:
        raise Problem(422, "Invalid reference dataset", "nothing was stored", problems)
    values = incoming.model_dump()
    values.update(
        payload=incoming.payload,
        content_hash=incoming.content_hash(),
        loaded_by=loaded_by,
        loaded_at=datetime.now(UTC),
    )
    await session.execute(reference_datasets.insert().values(**values))
    return Dataset.model_validate(values), True


async def list_datasets(session: AsyncSession, council_id: str, kind: str | None) -> list[Dataset]:
    query = select(reference_datasets).where(reference_datasets.c.council_id == council_id)
    if kind:
        query = query.where(reference_datasets.c.kind == kind)
    rows = await session.execute(query.order_by(reference_datasets.c.kind, reference_datasets.c.version))
    return [Dataset.model_validate(r._mapping) for r in rows]
