"""Costing a support plan from the rate card, and deciding who agrees it.

Each line costs units a week x carers per visit x the rate for how it is delivered (the lower direct
payment rate when the person buys it themselves), half up to the penny per line. The estimated
yearly cost is weekly x 52 plus one-off costs: the figure approval limits are set against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from pbshared.contract.events.budgets import (
    DeliveryMechanism,
    DeliverySplit,
    OneOffCost,
    PlannedService,
    service_weekly_cost,
)
from pbshared.contract.money import WEEKS_PER_YEAR, as_pounds
from ras.domain.problems import Problem, refuse_if_any
from ras.domain.reference.budget_rules import BudgetRules
from ras.domain.reference.rate_card import RateCard


@dataclass(frozen=True)
class PlanLine:
    """What the social worker plans: e.g. home care, 10 hours a week, 2 carers, council-managed."""

    service_type: str
    units_per_week: Decimal
    delivery: DeliveryMechanism
    carers_per_visit: int = 1


@dataclass(frozen=True)
class CostedPlan:
    services: list[PlannedService]
    one_off_costs: list[OneOffCost]

    @property
    def weekly_pence(self) -> int:
        return sum(s.weekly_cost_pence for s in self.services)

    @property
    def one_off_pence(self) -> int:
        return sum(c.amount_pence for c in self.one_off_costs)

    @property
    def yearly_cost_pence(self) -> int:
        """The estimated yearly cost: weekly x 52 plus one-off costs."""
        return self.weekly_pence * WEEKS_PER_YEAR + self.one_off_pence

    @property
    def delivery(self) -> DeliverySplit:
        return DeliverySplit(
            **{
                f"{m.value}_weekly_pence": sum(s.weekly_cost_pence for s in self.services if s.delivery == m)
                for m in DeliveryMechanism
            }
        )


def cost_plan(lines: Sequence[PlanLine], one_offs: Sequence[OneOffCost], rate_card: RateCard) -> CostedPlan:
    """Every line costed from the rate card, or Refused listing each line it cannot cost."""
    problems = []
    for i, line in enumerate(lines):
        if rate_card.service(line.service_type) is None:
            problems.append(Problem(("services", i, "service_type"), "not on the council's rate card"))
        if line.units_per_week < 0:
            problems.append(Problem(("services", i, "units_per_week"), "cannot be negative"))
        if line.carers_per_visit < 1:
            problems.append(Problem(("services", i, "carers_per_visit"), "at least one carer"))
    refuse_if_any(problems)
    services = []
    for line in lines:
        rate = rate_card.service(line.service_type)
        assert rate is not None  # checked above
        pence = rate.rate_for(line.delivery)
        services.append(
            PlannedService(
                service_type=rate.service_type,
                cld_service_type=rate.cld_service_type,
                cld_service_component=rate.cld_service_component,
                delivery=line.delivery,
                units_per_week=line.units_per_week,
                unit=rate.unit,
                carers_per_visit=line.carers_per_visit,
                rate_pence=pence,
                weekly_cost_pence=service_weekly_cost(line.units_per_week, line.carers_per_visit, pence),
            )
        )
    return CostedPlan(services, list(one_offs))


class Route(StrEnum):
    agreed_at_once = "agreed_at_once"
    team_manager = "team_manager"
    panel = "panel"


@dataclass(frozen=True)
class Decision:
    route: Route
    reasons: list[str]
    grades_that_may_approve: list[str]


def within_tolerance(weekly_pence: int, indicative_weekly_pence: int, rules: BudgetRules) -> bool:
    """At most the indicative budget plus the council's tolerance (exact, no rounding)."""
    return weekly_pence <= indicative_weekly_pence * (1 + rules.tolerance_percent / 100)


def may_approve(grade: str | None, yearly_cost_pence: int, rules: BudgetRules) -> bool:
    """A team manager approves within their grade's limit (or the default) on the estimated yearly cost."""
    limit = rules.approval_limits.limit_for(grade)
    return limit is not None and yearly_cost_pence <= limit


def decide(plan: CostedPlan, indicative_weekly_pence: int, rules: BudgetRules) -> Decision:
    """Agreed at once within tolerance and not above the panel threshold; else a team manager whose
    limit covers the yearly cost; else (and always above the panel threshold) the panel."""
    weekly, yearly = plan.weekly_pence, plan.yearly_cost_pence
    reasons = []
    inside = within_tolerance(weekly, indicative_weekly_pence, rules)
    if not inside:
        reasons.append(
            f"{as_pounds(weekly)} a week is more than the indicative {as_pounds(indicative_weekly_pence)} "
            f"plus the {rules.tolerance_percent}% tolerance"
        )
    above_threshold = weekly > rules.panel_threshold_weekly_pence
    if above_threshold:
        reasons.append(
            f"{as_pounds(weekly)} a week is above the panel threshold of "
            f"{as_pounds(rules.panel_threshold_weekly_pence)}"
        )
    if inside and not above_threshold:
        return Decision(Route.agreed_at_once, [f"{as_pounds(weekly)} a week: within tolerance and threshold"], [])
    if above_threshold:
        return Decision(Route.panel, reasons, [])
    grades = sorted(g for g in rules.approval_limits.by_grade if may_approve(g, yearly, rules))
    if grades or may_approve(None, yearly, rules):
        # The grades go in the record so whoever picks the plan up sees who may approve it.
        who = f" (within the council's limits for: {', '.join(grades)})" if grades else ""
        reasons.append(f"a team manager whose approval limit covers {as_pounds(yearly)} a year decides{who}")
        return Decision(Route.team_manager, reasons, grades)
    reasons.append(f"no team manager's approval limit covers the estimated yearly cost of {as_pounds(yearly)}")
    return Decision(Route.panel, reasons, [])
