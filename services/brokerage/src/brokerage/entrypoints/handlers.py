"""Events brokerage acts on: an agreed budget with council-managed services raises its packages."""

from __future__ import annotations

from datetime import UTC, datetime

from brokerage.service_layer.packages import packages_from_budget
from pbshared.contract.events.budgets import DeliveryMechanism, PersonalBudgetAgreed
from pbshared.platform.consumer import HandlerContext, Subscription


async def on_personal_budget_agreed(ctx: HandlerContext, event: PersonalBudgetAgreed) -> None:
    if event.delivery.part(DeliveryMechanism.council_managed) == 0:
        return  # all by direct payment or service fund: the person or their fund holder buys the care
    await packages_from_budget(ctx.uow, ctx.envelope.council_id, event, datetime.now(UTC))


SUBSCRIPTIONS = [Subscription(PersonalBudgetAgreed, on_personal_budget_agreed)]
