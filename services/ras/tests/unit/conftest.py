"""The sample council's RAS datasets (councils/wyvernshire), read as the domain sees them once loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from pbshared.platform.db import SessionFactory, create_engine
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.platform.tables import reference_datasets
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


@pytest.fixture
async def reference_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A SQLite database holding only the reference datasets table."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/ref.db")
    async with engine.begin() as connection:
        await connection.run_sync(reference_datasets.metadata.create_all, tables=[reference_datasets])
    yield engine
    await engine.dispose()


StoreModel = Callable[[SessionFactory, int, date, dict[str, Any]], Awaitable[None]]


@pytest.fixture
def store_ras_model() -> StoreModel:
    """Stores a `ras_model` dataset row as loading would (every version with the same content hash:
    what tells versions apart is their row)."""

    async def store(sessions: SessionFactory, version: int, effective_from: date, payload: dict[str, Any]) -> None:
        async with sessions() as session, session.begin():
            await session.execute(
                reference_datasets.insert().values(
                    council_id="wyvernshire",
                    kind="ras_model",
                    version=version,
                    effective_from=effective_from,
                    payload=payload,
                    source="test",
                    content_hash="the same content",
                    loaded_by="test",
                    loaded_at=datetime.now(UTC),
                )
            )

    return store
