"""Helpers the ledger's unit tests share."""

from pathlib import Path

import yaml

from ledger.domain.spending_rules import SpendingRules

SAMPLE_COUNCIL = Path(__file__).resolve().parents[4] / "councils" / "wyvernshire"


def sample_spending_rules() -> SpendingRules:
    document = yaml.safe_load((SAMPLE_COUNCIL / "direct-payment-card-spending.yaml").read_text())
    return SpendingRules.model_validate(document["payload"])
