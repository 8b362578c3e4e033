"""The sample council's brokerage datasets (councils/wyvernshire), as the domain sees them once loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from brokerage.domain.reference.dps_rules import DpsRules
from brokerage.domain.reference.localities import Localities
from pbshared.platform.refdata.loader import read_council_directory

WYVERNSHIRE = Path(__file__).resolve().parents[4] / "councils" / "wyvernshire"


def _payload(kind: str) -> dict[str, Any]:
    [dataset] = [d for d in read_council_directory(WYVERNSHIRE) if d["kind"] == kind]
    return dataset["payload"]


@pytest.fixture
def dps_rules_payload() -> dict[str, Any]:
    return _payload("dps_rules")


@pytest.fixture
def localities_payload() -> dict[str, Any]:
    return _payload("localities")


@pytest.fixture
def rules(dps_rules_payload) -> DpsRules:
    return DpsRules.model_validate(dps_rules_payload)


@pytest.fixture
def localities(localities_payload) -> Localities:
    return Localities.model_validate(localities_payload)
