"""The sample council's RAS datasets (councils/wyvernshire), read as the domain sees them once loaded."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pbshared.platform.refdata.loader import read_council_directory
from ras.domain.assessments.scoring import ModelVersion
from ras.domain.reference.budget_rules import BudgetRules
from ras.domain.reference.ras_model import RasModel
from ras.domain.reference.rate_card import RateCard

WYVERNSHIRE = Path(__file__).resolve().parents[4] / "councils" / "wyvernshire"


def _datasets(kind: str) -> list[dict[str, Any]]:
    return [d for d in read_council_directory(WYVERNSHIRE) if d["kind"] == kind]


def _model_version(version: int) -> ModelVersion:
    [dataset] = [d for d in _datasets("ras_model") if d["version"] == version]
    effective_from = date.fromisoformat(dataset["effective_from"])
    return ModelVersion(version, effective_from, RasModel.model_validate(dataset["payload"]))


@pytest.fixture
def model_v1() -> ModelVersion:
    return _model_version(1)


@pytest.fixture
def model_v2() -> ModelVersion:
    return _model_version(2)


@pytest.fixture
def ras_model_payload() -> dict[str, Any]:
    """Version 1's payload as plain data, for tests that break it on purpose."""
    [dataset] = [d for d in _datasets("ras_model") if d["version"] == 1]
    return dataset["payload"]


@pytest.fixture
def rate_card() -> RateCard:
    [dataset] = _datasets("rate_card")
    return RateCard.model_validate(dataset["payload"])


@pytest.fixture
def budget_rules_payload() -> dict[str, Any]:
    [dataset] = _datasets("budget_rules")
    return dataset["payload"]


@pytest.fixture
def budget_rules(budget_rules_payload: dict[str, Any]) -> BudgetRules:
    return BudgetRules.model_validate(budget_rules_payload)
