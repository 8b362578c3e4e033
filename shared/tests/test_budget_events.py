"""Personal budget events: they round-trip through the envelope, refuse parts that do not add up, and are catalogued."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.events.budgets import (
    AssessmentCompleted,
    PersonalBudgetAgreed,
    PersonalBudgetEnded,
    PersonalBudgetRevised,
    PlannedService,
)
from pbshared.contract.money import as_pounds, in_pounds, pence_half_up, weekly_from_annual
from pbshared.contract.registry import CATALOGUE

PERSON = "6f1c1d2e-0000-4000-8000-000000000001"
BUDGET = "6f1c1d2e-0000-4000-8000-0000000000b1"


def home_care(hours: str, carers: int, delivery: str, rate: int = 1333) -> dict[str, Any]:
    cost = pence_half_up(Decimal(hours) * carers * rate)
    return {
        "service_type": "home_care",
        "cld_service_type": "long_term_community",
        "cld_service_component": "home care",
        "delivery": delivery,
        "units_per_week": hours,
        "unit": "hour",
        "carers_per_visit": carers,
        "rate_pence": rate,
        "weekly_cost_pence": cost,
    }


def agreed(**changes: Any) -> dict[str, Any]:
    # 10 h x 1 carer x 13.33 = 133.30 managed; 2 h x 2 carers x 11.11 = 44.44 by direct payment.
    payload = {
        "person_id": PERSON,
        "budget_id": BUDGET,
        "budget_revision": 1,
        "client_group": "older_people",
        "funder": "council",
        "weekly_pence": 17774,
        "one_off_pence": 25000,
        "annual_pence": 17774 * 52 + 25000,
        "delivery": {"direct_payment_weekly_pence": 4444, "council_managed_weekly_pence": 13330},
        "services": [home_care("10", 1, "council_managed"), home_care("2", 2, "direct_payment", rate=1111)],
        "one_off_costs": [{"description": "grab rails", "amount_pence": 25000, "delivery": "council_managed"}],
        "indicative_weekly_pence": 18000,
        "start_date": "2026-05-04",
        "effective_from": "2026-05-04",
        "next_review_date": "2026-06-29",
        "reason": "new_assessment",
    }
    return {**payload, **changes}


def problems(model: type, payload: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(payload)
    return str(refused.value)


def test_an_agreed_budget_round_trips_through_the_envelope_unchanged() -> None:
    budget = PersonalBudgetAgreed.model_validate(agreed())
    envelope = new_envelope(
        payload=budget, producer="ras", council_id="wyvernshire", subject_id=PERSON, correlation_id="c"
    )
    received = Envelope.from_bytes(envelope.to_bytes())
    assert (received.event_type, received.schema_version) == ("personal_budget.agreed", 1)
    assert CATALOGUE.parse(received, PersonalBudgetAgreed) == budget
    assert budget.services[1].weekly_cost_pence == 4444


def test_the_delivery_parts_must_sum_to_the_weekly_amount() -> None:
    payload = agreed(delivery={"direct_payment_weekly_pence": 4444, "council_managed_weekly_pence": 13331})
    assert "delivery parts must sum to weekly_pence" in problems(PersonalBudgetAgreed, payload)


def test_services_must_sum_to_the_weekly_amount_and_to_their_delivery_part() -> None:
    moved = [home_care("10", 1, "direct_payment"), home_care("2", 2, "direct_payment", rate=1111)]
    message = problems(PersonalBudgetAgreed, agreed(services=moved))
    assert "services delivered as direct_payment must sum to its delivery part" in message
    fewer = problems(PersonalBudgetAgreed, agreed(services=[home_care("10", 1, "council_managed")]))
    assert "services' weekly_cost_pence must sum to weekly_pence" in fewer


def test_the_annual_amount_is_52_weeks_plus_one_off_costs() -> None:
    assert "annual_pence must be weekly_pence x 52" in problems(PersonalBudgetAgreed, agreed(annual_pence=17774 * 52))
    message = problems(PersonalBudgetAgreed, agreed(one_off_pence=0, annual_pence=17774 * 52))
    assert "one_off_costs must sum to one_off_pence" in message


def test_money_is_never_negative() -> None:
    refund = {"description": "x", "amount_pence": -1, "delivery": "direct_payment"}
    message = problems(PersonalBudgetAgreed, agreed(one_off_costs=[refund]))
    assert "greater than or equal to 0" in message


def test_a_service_line_is_costed_by_units_carers_and_rate_half_up() -> None:
    line = home_care("2.25", 2, "council_managed", rate=1111)  # 49.995 -> 50.00
    assert PlannedService.model_validate(line).weekly_cost_pence == 5000
    assert "weekly_cost_pence must be units_per_week" in problems(PlannedService, {**line, "weekly_cost_pence": 4999})


def test_review_and_effective_dates_follow_the_start() -> None:
    message = problems(PersonalBudgetAgreed, agreed(effective_from="2026-05-03", next_review_date="2026-05-01"))
    assert "effective_from cannot be before start_date" in message
    assert "next_review_date must be after effective_from" in message


def test_a_revision_supersedes_a_lower_revision() -> None:
    revised = agreed(
        budget_revision=2,
        supersedes_revision=1,
        effective_from="2026-07-01",
        reason="planned_review",
        next_review_date="2027-07-01",
    )
    assert PersonalBudgetRevised.model_validate(revised).supersedes_revision == 1
    assert "supersedes_revision must be lower" in problems(PersonalBudgetRevised, {**revised, "supersedes_revision": 2})


def test_an_ended_budget_names_its_reason_from_the_list() -> None:
    ended = {
        "person_id": PERSON,
        "budget_id": BUDGET,
        "budget_revision": 3,
        "end_date": "2027-01-31",
        "reason": "moved_to_residential_care",
    }
    assert PersonalBudgetEnded.model_validate(ended).reason == "moved_to_residential_care"
    assert "reason" in problems(PersonalBudgetEnded, {**ended, "reason": "tired"})


def test_an_assessment_carries_its_indicative_budget_weekly_as_annual_over_52() -> None:
    completed = {
        "person_id": PERSON,
        "assessment_id": str(uuid.uuid4()),
        "assessment_date": "2026-04-20",
        "client_group": "older_people",
        "ras_model_version": 2,
        "total_points": 57,
        "indicative_annual_pence": 1000000,
        "indicative_weekly_pence": 19231,
        "eligible_needs": True,
    }
    assert AssessmentCompleted.model_validate(completed).indicative_weekly_pence == 19231
    assert "annual_pence / 52" in problems(AssessmentCompleted, {**completed, "indicative_weekly_pence": 19230})


def test_weekly_from_annual_rounds_half_up_to_the_penny() -> None:
    assert weekly_from_annual(26) == 1  # 0.5p rounds up
    assert weekly_from_annual(25) == 0
    assert weekly_from_annual(1000000) == 19231  # 19230.769...
    assert as_pounds(123456) == "GBP 1,234.56"


def test_pounds_are_written_from_whole_pence_exactly() -> None:
    # A float's pence/100 would round a large sum to its nearest neighbour; integer division does not.
    assert in_pounds(900_719_925_474_099_3) == "90,071,992,547,409.93"
    assert (in_pounds(-5), as_pounds(-123456), as_pounds(0)) == ("-0.05", "-GBP 1,234.56", "GBP 0.00")


def test_the_catalogue_knows_every_budget_event_from_ras() -> None:
    names = {(s.event_type, s.version, s.producer) for s in CATALOGUE.specs()}
    for event_type in (
        "assessment.completed",
        "personal_budget.agreed",
        "personal_budget.revised",
        "personal_budget.ended",
    ):
        assert (event_type, 1, "ras") in names


@given(st.integers(min_value=0, max_value=10**12))
def test_weekly_from_annual_is_never_more_than_half_a_penny_a_week_out(annual: int) -> None:
    assert abs(weekly_from_annual(annual) * 52 - annual) <= 26
