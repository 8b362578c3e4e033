"""Events brokerage acts on: an agreed budget with council-managed services raises its packages; a
revision changes them, an end withdraws them or ends their placements (service_layer/budget_changes.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from brokerage.service_layer.budget_changes import end_for_budget, revise_from_budget
from brokerage.service_layer.packages import packages_from_budget
from pbshared.contract.events.budgets import (
    DeliveryMechanism,
    PersonalBudgetAgreed,
    PersonalBudgetEnded,
    PersonalBudgetRevised,
)
from pbshared.platform.consumer import HandlerContext, Subscription


async def on_personal_budget_agreed(ctx: HandlerContext, event: PersonalBudgetAgreed) -> None:
    if event.delivery.part(DeliveryMechanism.council_managed) == 0:
        return  # all by direct payment or service fund: the person or their fund holder buys the care
    await packages_from_budget(ctx.uow, ctx.envelope.council_id, event, datetime.now(UTC))


async def on_personal_budget_revised(ctx: HandlerContext, event: PersonalBudgetRevised) -> None:
    # Even with no council-managed part left: the packages it had are withdrawn or their placements end.
    await revise_from_budget(ctx.uow, ctx.envelope.council_id, event, datetime.now(UTC))


async def on_personal_budget_ended(ctx: HandlerContext, event: PersonalBudgetEnded) -> None:
    await end_for_budget(ctx.uow, ctx.envelope.council_id, event, datetime.now(UTC))


SUBSCRIPTIONS = [
    Subscription(PersonalBudgetAgreed, on_personal_budget_agreed),
    Subscription(PersonalBudgetRevised, on_personal_budget_revised),
    Subscription(PersonalBudgetEnded, on_personal_budget_ended),
]
