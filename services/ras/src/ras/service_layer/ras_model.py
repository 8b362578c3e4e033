"""Council reference data in force on a date, validated into its model, as the use cases need it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.errors import NotFound
from pbshared.platform.refdata.kinds import ReferenceKind
from ras.adapters import datasets_in_force
from ras.domain.assessments.scoring import ModelVersion
from ras.domain.problems import Problem
from ras.domain.reference.budget_rules import BudgetRules
from ras.domain.reference.client_level_data import ClientLevelDataCodes, Coded, code_problems
from ras.domain.reference.ras_model import RasModel
from ras.domain.reference.rate_card import RateCard
from ras.reference_kinds import BUDGET_RULES, CLIENT_LEVEL_DATA_CODES, RAS_MODEL, RATE_CARD


async def in_force(session: AsyncSession, council_id: str, kind: ReferenceKind, on: date, field: str) -> Any:
    """The dataset of `kind` in force on `on` as its model; NotFound naming `field` when there is none."""
    return await found(session, kind, await datasets_in_force.id_in_force(session, council_id, kind, on), on, field)


async def found(
    session: AsyncSession, kind: ReferenceKind, dataset_id: int | None, on: date, field: str
) -> tuple[int, date, Any]:
    """(version, effective from, model) of the dataset `dataset_id`, which the caller found in force on
    `on` (None: there was none, and NotFound names `field`)."""
    if dataset_id is None:
        where = "query" if field == "on" else "body"
        raise NotFound.about(field, f"no {kind.name} dataset in force on {on}", where=where)
    dataset = await datasets_in_force.by_id(session, kind, dataset_id)
    return dataset.version, dataset.effective_from, dataset.model


async def model_in_force(session: AsyncSession, council_id: str, on: date, *, field: str = "on") -> ModelVersion:
    dataset_id = await datasets_in_force.id_in_force(session, council_id, RAS_MODEL, on)
    return await model_of(session, dataset_id, on, field)


async def model_of(session: AsyncSession, dataset_id: int | None, on: date, field: str) -> ModelVersion:
    version, effective_from, model = await found(session, RAS_MODEL, dataset_id, on, field)
    assert isinstance(model, RasModel)
    return ModelVersion(version, effective_from, model)


async def rules_in_force(session: AsyncSession, council_id: str, on: date, field: str) -> tuple[RateCard, BudgetRules]:
    """The rate card and the budget rules a support plan starting on `on` is costed and decided by."""
    *_, rates = await in_force(session, council_id, RATE_CARD, on, field)
    *_, rules = await in_force(session, council_id, BUDGET_RULES, on, field)
    return rates, rules


async def codes_not_in_force(
    session: AsyncSession, council_id: str, on: date, field: str, fields: Iterable[Coded]
) -> list[Problem]:
    """A problem at each coded field whose code is not in the council's Client Level Data codes in
    force on `on` (the date sent as `field`)."""
    dataset_id = await datasets_in_force.id_in_force(session, council_id, CLIENT_LEVEL_DATA_CODES, on)
    return await codes_not_in(session, dataset_id, on, field, fields)


async def codes_not_in(
    session: AsyncSession, dataset_id: int | None, on: date, field: str, fields: Iterable[Coded]
) -> list[Problem]:
    """As codes_not_in_force, with the codes dataset the caller found in force on `on`."""
    *_, codes = await found(session, CLIENT_LEVEL_DATA_CODES, dataset_id, on, field)
    assert isinstance(codes, ClientLevelDataCodes)
    return code_problems(codes, on, fields)
