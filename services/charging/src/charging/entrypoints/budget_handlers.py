"""Personal budget events from RAS: the budget is the weekly cost of care the charge is capped at."""

from __future__ import annotations

from charging.service_layer import assessments as use_cases
from pbshared.contract.events.budgets import PersonalBudgetAgreed, PersonalBudgetEnded, PersonalBudgetRevised
from pbshared.platform.consumer import HandlerContext, Subscription


async def on_budget_agreed_or_revised(ctx: HandlerContext, event: PersonalBudgetAgreed | PersonalBudgetRevised) -> None:
    await use_cases.follow_cost_of_care(ctx.uow, ctx.envelope.council_id, event)


async def on_budget_ended(ctx: HandlerContext, event: PersonalBudgetEnded) -> None:
    await use_cases.end_charge(ctx.uow, ctx.envelope.council_id, event)


SUBSCRIPTIONS = [
    Subscription(PersonalBudgetAgreed, on_budget_agreed_or_revised),
    Subscription(PersonalBudgetRevised, on_budget_agreed_or_revised),
    Subscription(PersonalBudgetEnded, on_budget_ended),
]
