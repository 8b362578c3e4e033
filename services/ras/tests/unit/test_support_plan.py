"""Costing a support plan from the rate card, and who agrees it: at once, a team manager within their
limit, or the panel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbshared.contract.events.budgets import DeliveryMechanism, OneOffCost, PersonalBudgetAgreed
from ras.domain.budgets.support_plan import CostedPlan, PlanLine, Route, cost_plan, decide, may_approve
from ras.domain.problems import Refused

DP, MANAGED = DeliveryMechanism.direct_payment, DeliveryMechanism.council_managed
ISF = DeliveryMechanism.individual_service_fund
GRAB_RAILS = OneOffCost(description="grab rails", amount_pence=25000, delivery=MANAGED)


def mixed_plan(rate_card) -> CostedPlan:
    return cost_plan(
        [
            PlanLine("home_care", Decimal(10), MANAGED),  # 10 x 24.50 = 245.00
            PlanLine("home_care", Decimal(2), DP, carers_per_visit=2),  # 2 x 2 x 20.40 = 81.60
            PlanLine("day_opportunities", Decimal(2), ISF),  # 2 x 55.00 = 110.00
        ],
        [GRAB_RAILS],
        rate_card,
    )


def test_each_line_costs_units_x_carers_x_the_rate_for_its_delivery(rate_card) -> None:
    plan = mixed_plan(rate_card)
    assert [s.weekly_cost_pence for s in plan.services] == [24500, 8160, 11000]
    assert [s.rate_pence for s in plan.services] == [2450, 2040, 5500]
    assert {s.cld_service_type for s in plan.services} == {"long_term_community"}  # from the rate card
    assert plan.delivery.model_dump() == {
        "direct_payment_weekly_pence": 8160,
        "council_managed_weekly_pence": 24500,
        "individual_service_fund_weekly_pence": 11000,
    }


def test_the_estimated_yearly_cost_is_weekly_x_52_plus_one_off_costs(rate_card) -> None:
    plan = mixed_plan(rate_card)
    assert (plan.weekly_pence, plan.one_off_pence, plan.yearly_cost_pence) == (43660, 25000, 43660 * 52 + 25000)


def test_a_line_costed_to_a_fraction_of_a_penny_rounds_half_up(rate_card) -> None:
    plan = cost_plan([PlanLine("home_care", Decimal("0.25"), DP)], [], rate_card)  # 0.25 x 20.40 = 5.10
    odd = cost_plan([PlanLine("personal_assistant", Decimal("1.75"), DP)], [], rate_card)  # 1.75 x 18.50 = 32.375
    assert (plan.weekly_pence, odd.weekly_pence) == (510, 3238)


lines = st.lists(
    st.builds(
        PlanLine,
        st.sampled_from(["home_care", "personal_assistant", "day_opportunities", "supported_living", "reablement"]),
        st.decimals(min_value=0, max_value=200, places=2),
        st.sampled_from(list(DeliveryMechanism)),
        st.integers(min_value=1, max_value=4),
    ),
    max_size=8,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines)
def test_any_costed_plan_makes_a_budget_whose_parts_add_up(rate_card, planned: list[PlanLine]) -> None:
    plan = cost_plan(planned, [GRAB_RAILS], rate_card)
    assert plan.delivery.total_weekly_pence == plan.weekly_pence
    event = PersonalBudgetAgreed(
        person_id="6f1c1d2e-0000-4000-8000-000000000001",
        budget_id="6f1c1d2e-0000-4000-8000-0000000000b1",
        budget_revision=1,
        client_group="older_people",
        funder="council",
        weekly_pence=plan.weekly_pence,
        one_off_pence=plan.one_off_pence,
        annual_pence=plan.yearly_cost_pence,
        delivery=plan.delivery,
        services=plan.services,
        one_off_costs=plan.one_off_costs,
        start_date="2026-05-04",
        effective_from="2026-05-04",
        next_review_date="2026-06-15",
        reason="new_assessment",
    )
    assert event.annual_pence == event.weekly_pence * 52 + 25000


def test_lines_that_cannot_be_costed_are_each_refused(rate_card) -> None:
    with pytest.raises(Refused) as refused:
        cost_plan([PlanLine("massage", Decimal(1), DP), PlanLine("home_care", Decimal(-1), DP, 0)], [], rate_card)
    assert [p.location for p in refused.value.problems] == [
        ("services", 0, "service_type"),
        ("services", 1, "units_per_week"),
        ("services", 1, "carers_per_visit"),
    ]


def test_within_tolerance_and_under_the_panel_threshold_is_agreed_at_once(rate_card, budget_rules) -> None:
    plan = mixed_plan(rate_card)  # 436.60 a week; tolerance 10%
    assert decide(plan, 39691, budget_rules).route is Route.agreed_at_once  # 396.91 x 1.1 = 436.601
    assert decide(plan, 39690, budget_rules).route is Route.team_manager  # 396.90 x 1.1 = 436.59


def test_outside_tolerance_a_team_manager_whose_limit_covers_the_yearly_cost_approves(rate_card, budget_rules) -> None:
    plan = mixed_plan(rate_card)  # yearly 22,953.20: above GBP 15,600, within 26,000
    decision = decide(plan, 30000, budget_rules)
    assert decision.route is Route.team_manager
    assert decision.grades_that_may_approve == ["head_of_service", "senior_team_manager"]
    assert decision.reasons[-1] == (
        "a team manager whose approval limit covers GBP 22,953.20 a year decides "
        "(within the council's limits for: head_of_service, senior_team_manager)"
    )
    assert not may_approve("team_manager", plan.yearly_cost_pence, budget_rules)
    assert may_approve("senior_team_manager", plan.yearly_cost_pence, budget_rules)
    assert may_approve("unknown_grade", 1560000, budget_rules)  # the default limit
    assert not may_approve("unknown_grade", 1560001, budget_rules)


def test_no_limit_covering_the_yearly_cost_sends_it_to_the_panel(rate_card, budget_rules) -> None:
    adaptations = GRAB_RAILS.model_copy(update={"amount_pence": 200000})
    plan = cost_plan([PlanLine("supported_living", Decimal(27), MANAGED)], [adaptations], rate_card)
    decision = decide(plan, 30000, budget_rules)  # 621.00 a week; yearly 34,292.00 > 33,800.00
    assert decision.route is Route.panel
    assert "no team manager's approval limit covers" in decision.reasons[-1]


def test_above_the_panel_threshold_the_panel_decides_even_within_tolerance(rate_card, budget_rules) -> None:
    plan = cost_plan([PlanLine("supported_living", Decimal(30), MANAGED)], [], rate_card)  # 690.00 a week
    decision = decide(plan, 70000, budget_rules)
    assert decision.route is Route.panel
    assert decision.reasons == ["GBP 690.00 a week is above the panel threshold of GBP 650.00"]
