"""Events the ledger follows: budgets (RAS), contributions (charging), NHS funding decisions (health)."""

from __future__ import annotations

from ledger.service_layer import agreements as use_cases
from pbshared.contract.events.budgets import PersonalBudgetAgreed, PersonalBudgetEnded, PersonalBudgetRevised
from pbshared.contract.events.charging import ContributionChanged
from pbshared.contract.events.health import FundingResponsibilityChanged
from pbshared.platform.consumer import HandlerContext, Subscription


async def on_budget_agreed_or_revised(ctx: HandlerContext, event: PersonalBudgetAgreed | PersonalBudgetRevised) -> None:
    await use_cases.follow_budget(ctx.uow, ctx.envelope.council_id, event)


async def on_budget_ended(ctx: HandlerContext, event: PersonalBudgetEnded) -> None:
    await use_cases.end_with_budget(ctx.uow, ctx.envelope.council_id, event)


async def on_contribution_changed(ctx: HandlerContext, event: ContributionChanged) -> None:
    await use_cases.follow_contribution(ctx.uow, ctx.envelope.council_id, event)


async def on_funding_changed(ctx: HandlerContext, event: FundingResponsibilityChanged) -> None:
    await use_cases.follow_funding(ctx.uow, ctx.envelope.council_id, event)


SUBSCRIPTIONS = [
    Subscription(PersonalBudgetAgreed, on_budget_agreed_or_revised),
    Subscription(PersonalBudgetRevised, on_budget_agreed_or_revised),
    Subscription(PersonalBudgetEnded, on_budget_ended),
    Subscription(ContributionChanged, on_contribution_changed),
    Subscription(FundingResponsibilityChanged, on_funding_changed),
]
