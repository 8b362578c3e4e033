"""The shipped national figures and the sample council's policy, and a way to assess against them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from charging.domain.figures import FiguresHistory, figures_history
from charging.domain.financial_assessment import assess
from charging.domain.policy import PolicyHistory, policy_history
from charging.domain.result import ChargeResult
from pbshared.platform.refdata.loader import read_council_directory

COUNCILS = Path(__file__).resolve().parents[4] / "councils"


def shipped(directory: str, kind: str) -> list[dict[str, Any]]:
    return [d for d in read_council_directory(COUNCILS / directory) if d["kind"] == kind]


@pytest.fixture(scope="session")
def figures() -> FiguresHistory:
    return figures_history(shipped("national", "national_charging_figures"))


def sample_policy(effective_from: str = "2024-04-01", **overrides: Any) -> PolicyHistory:
    """Wyvernshire's policy with `overrides`, by default in force from before the first shipped figures."""
    (dataset,) = shipped("wyvernshire", "charging_policy")
    return policy_history(
        [{**dataset, "effective_from": effective_from, "payload": {**dataset["payload"], **overrides}}]
    )


AT_HOME = {
    "assessed_on": "2025-06-02",
    "setting": "at_home",
    "weekly_cost_of_care_pence": 30000,
    "minimum_income_guarantee_allowance": "single_25_to_pension_credit_age",
}


@pytest.fixture
def charge(figures: FiguresHistory) -> Callable[..., ChargeResult]:
    """charge(policy={...}, **circumstances): care at home in 2025/26 unless the circumstances say otherwise."""

    def run(policy: dict[str, Any] | None = None, **circumstances: Any) -> ChargeResult:
        return assess({**AT_HOME, **circumstances}, figures, sample_policy(**(policy or {})))

    return run
