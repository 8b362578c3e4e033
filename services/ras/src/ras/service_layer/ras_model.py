"""Council reference data in force on a date, validated into its model, as the use cases need it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.errors import NotFound
from pbshared.platform.refdata.kinds import ReferenceKind
from pbshared.platform.refdata.lookup import effective_dataset
from ras.domain.assessments.scoring import ModelVersion
from ras.domain.problems import Problem
from ras.domain.reference.budget_rules import BudgetRules
from ras.domain.reference.client_level_data import ClientLevelDataCodes, Coded, code_problems
from ras.domain.reference.ras_model import RasModel
from ras.domain.reference.rate_card import RateCard
from ras.reference_kinds import BUDGET_RULES, CLIENT_LEVEL_DATA_CODES, RAS_MODEL, RATE_CARD


async def in_force(session: AsyncSession, council_id: str, kind: ReferenceKind, on: date, field: str) -> Any:
    """The dataset of `kind` in force on `on` as its model; NotFound naming `field` when there is none."""
    dataset = await effective_dataset(session, council_id, kind.name, on)
    if dataset is None:
        where = "query" if field == "on" else "body"
        raise NotFound.about(field, f"no {kind.name} dataset in force on {on}", where=where)
    key = (kind.name, dataset.content_hash)
    model = _VALIDATED.get(key)
    if model is None:
        if len(_VALIDATED) >= _VALIDATED_AT_MOST:
            _VALIDATED.clear()
        model = _VALIDATED[key] = kind.model.model_validate(dataset.payload)
    return dataset.version, dataset.effective_from, model


# Datasets are never edited (a change is a new version), so a payload validated once, known by its
# content hash, stays valid: each stored assessment is spared validating the model and the codes again.
_VALIDATED: dict[tuple[str, str], Any] = {}
_VALIDATED_AT_MOST = 256


async def model_in_force(session: AsyncSession, council_id: str, on: date, *, field: str = "on") -> ModelVersion:
    version, effective_from, model = await in_force(session, council_id, RAS_MODEL, on, field)
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
    *_, codes = await in_force(session, council_id, CLIENT_LEVEL_DATA_CODES, on, field)
    assert isinstance(codes, ClientLevelDataCodes)
    return code_problems(codes, on, fields)
