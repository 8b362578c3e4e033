"""A commissioner's work on the RAS: storing a cohort of past assessments, calibrating the model
against it, and seeing who would gain or lose under a model version and how two versions differ.

Nothing here publishes an event: cohorts and reports are the council's analysis, not casework.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.events.people import ClientGroup
from pbshared.errors import NotFound
from pbshared.platform.unit_of_work import UnitOfWork
from ras.adapters.cohort_repository import Cohort, CohortRepository
from ras.adapters.model_versions import ras_model_version
from ras.domain.commissioning.calibration import (
    CohortRow,
    Fit,
    GainsAndLosses,
    fit_price_per_point,
    winners_and_losers,
)
from ras.domain.commissioning.cohort import CohortReader
from ras.domain.commissioning.comparison import GroupComparison, compare_formulas
from ras.domain.reference.ras_model import RasModel

_BATCH = 1000  # rows a statement: a large file is stored as it is read, never held whole


async def upload_cohort(
    uow: UnitOfWork, council_id: str, name: str, uploaded_by: str, lines: AsyncIterable[str]
) -> Cohort:
    """Store the cohort in the file, or nothing (Refused, listing every bad line) if any line is bad."""
    reader = CohortReader()
    cohort = Cohort(uuid.uuid4(), council_id, name, 0, uploaded_by, datetime.now(UTC))
    async with uow:
        repo = CohortRepository(uow.session)
        await repo.add(cohort)
        batch: list[tuple[int, CohortRow]] = []
        async for text in lines:
            row = reader.read(text)
            if row is not None and reader.clean:
                batch.append((reader.line, row))
            if len(batch) >= _BATCH:
                await repo.add_rows(cohort.cohort_id, batch)
                batch = []
        reader.finish()  # a bad line leaves the unit of work uncommitted: it rolls back
        await repo.add_rows(cohort.cohort_id, batch)
        cohort = replace(cohort, row_count=reader.rows)
        await repo.counted(cohort.cohort_id, reader.rows)
        await uow.commit()
    return cohort


async def cohorts(session: AsyncSession, council_id: str, *, limit: int, offset: int) -> list[Cohort]:
    return await CohortRepository(session).list(council_id, limit=limit, offset=offset)


async def cohort_rows(session: AsyncSession, council_id: str, cohort_id: uuid.UUID) -> tuple[Cohort, list[CohortRow]]:
    repo = CohortRepository(session)
    cohort = await repo.get(council_id, cohort_id)
    if cohort is None:  # another council's cohort is as absent as one never stored
        raise NotFound.about("cohort_id", "no cohort with that id", where="path")
    return cohort, await repo.rows(cohort_id)


async def model_version(session: AsyncSession, council_id: str, version: int, parameter: str) -> RasModel:
    """A `ras_model` version by its number, in force or not yet: a proposed model is loaded with a
    future effective date and studied before it starts."""
    model = await ras_model_version(session, council_id, version)
    if model is None:
        raise NotFound.about(parameter, f"no ras_model version {version} for this council", where="query")
    return model


async def calibration(
    session: AsyncSession, council_id: str, cohort_id: uuid.UUID, outlier_z: float
) -> tuple[Cohort, dict[ClientGroup, Fit]]:
    cohort, rows = await cohort_rows(session, council_id, cohort_id)
    return cohort, fit_price_per_point(rows, outlier_z)


async def gains_and_losses(
    session: AsyncSession, council_id: str, cohort_id: uuid.UUID, version: int
) -> tuple[Cohort, dict[ClientGroup, GainsAndLosses]]:
    cohort, rows = await cohort_rows(session, council_id, cohort_id)
    model = await model_version(session, council_id, version, "model_version")
    return cohort, winners_and_losers(rows, model.points_to_money)


async def model_comparison(
    session: AsyncSession, council_id: str, cohort_id: uuid.UUID, current: int, proposed: int
) -> tuple[Cohort, list[CohortRow], dict[ClientGroup, GroupComparison]]:
    cohort, rows = await cohort_rows(session, council_id, cohort_id)
    before = await model_version(session, council_id, current, "current")
    after = await model_version(session, council_id, proposed, "proposed")
    return cohort, rows, compare_formulas(rows, before.points_to_money, after.points_to_money)
