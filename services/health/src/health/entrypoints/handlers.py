"""Personal budget events from RAS: kept whole, so a health partner can read the care plan."""

from __future__ import annotations

from health.service_layer import budgets as use_cases
from pbshared.contract.events.budgets import PersonalBudgetAgreed, PersonalBudgetEnded, PersonalBudgetRevised
from pbshared.platform.consumer import HandlerContext, Subscription


async def on_budget_agreed_or_revised(ctx: HandlerContext, event: PersonalBudgetAgreed | PersonalBudgetRevised) -> None:
    await use_cases.keep_budget(ctx.uow, ctx.envelope.council_id, event)


async def on_budget_ended(ctx: HandlerContext, event: PersonalBudgetEnded) -> None:
    await use_cases.end_budget(ctx.uow, event)


SUBSCRIPTIONS = [
    Subscription(PersonalBudgetAgreed, on_budget_agreed_or_revised),
    Subscription(PersonalBudgetRevised, on_budget_agreed_or_revised),
    Subscription(PersonalBudgetEnded, on_budget_ended),
]
