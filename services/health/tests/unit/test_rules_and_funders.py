"""Health's plain rules: the reablement period and assessment date from the council's rules, the
partners' areas, and who a CarePlan says funds the care."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from health.domain.fhir_out import funder_of
from health.domain.funding import FundingDecision
from health.domain.rules import HealthRules
from pbshared.contract.events.health import FundingBasis

RULES = HealthRules(
    free_reablement_weeks=6,
    assessment_lead_days=7,
    partners=[{"icb_code": "QWN", "title": "North", "postcode_districts": ["WV1", "WV2"]}],
)


def decision(basis: FundingBasis, **share) -> FundingDecision:
    return FundingDecision(
        decision_id=uuid.uuid4(),
        council_id="wyvernshire",
        person_id=uuid.uuid4(),
        basis=basis,
        start_date=date(2026, 4, 6),
        nhs_share_percent=share.get("percent"),
        nhs_weekly_pence=share.get("pence"),
        budget_id=None,
        icb_code=None,
        end_date=None,
        revision=1,
        recorded_by="test",
    )


def test_six_weeks_free_from_the_start_and_the_assessment_a_week_before_the_end():
    assert RULES.free_until(date(2026, 1, 5)) == date(2026, 2, 15)
    assert RULES.assessment_due(date(2026, 1, 5)) == date(2026, 2, 8)


def test_fewer_than_six_free_weeks_is_refused_as_the_law_gives_at_least_six():
    with pytest.raises(ValidationError):
        HealthRules(free_reablement_weeks=5, assessment_lead_days=0)


def test_a_partner_covers_only_its_districts_and_an_unknown_one_none():
    assert RULES.districts_of("QWN") == {"WV1", "WV2"}
    assert RULES.districts_of("XXX") == frozenset()


@pytest.mark.parametrize(
    ("decisions", "code", "text"),
    [
        ([], "council", "Council"),
        ([decision(FundingBasis.continuing_healthcare)], "nhs", "NHS continuing healthcare"),
        ([decision(FundingBasis.joint_funding, percent=Decimal("40.00"))], "joint", "NHS 40%"),
        ([decision(FundingBasis.joint_funding, pence=12050)], "joint", "NHS 120.50 GBP a week"),
        ([decision(FundingBasis.section_117_aftercare)], "joint", "section 117"),
        # Continuing healthcare outranks a joint arrangement still recorded.
        (
            [decision(FundingBasis.joint_funding, pence=100), decision(FundingBasis.continuing_healthcare)],
            "nhs",
            "continuing healthcare",
        ),
    ],
)
def test_the_funder_follows_the_decisions_in_force(decisions, code, text):
    found_code, found_text = funder_of(decisions)
    assert found_code == code and text in found_text


def test_a_joint_decision_names_its_share_one_way_and_a_full_one_none():
    assert decision(FundingBasis.joint_funding).share_problems()[0].field == "nhs_share_percent"
    both = decision(FundingBasis.joint_funding, percent=Decimal(1), pence=1)
    assert [p.field for p in both.share_problems()] == ["nhs_weekly_pence"]
    assert [p.field for p in decision(FundingBasis.continuing_healthcare, pence=1).share_problems()] == [
        "nhs_weekly_pence"
    ]
