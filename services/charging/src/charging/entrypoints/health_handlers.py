"""The health service's events: NHS funding decisions and reablement episodes make care free or part free."""

from __future__ import annotations

from charging.service_layer import health as use_cases
from pbshared.contract.events.health import (
    FundingResponsibilityChanged,
    ReablementEpisodeEnded,
    ReablementEpisodeStarted,
)
from pbshared.platform.consumer import HandlerContext, Subscription


async def on_funding_changed(ctx: HandlerContext, event: FundingResponsibilityChanged) -> None:
    await use_cases.funding_changed(ctx.uow, ctx.envelope.council_id, event)


async def on_reablement_started(ctx: HandlerContext, event: ReablementEpisodeStarted) -> None:
    await use_cases.reablement_started(ctx.uow, ctx.envelope.council_id, event)


async def on_reablement_ended(ctx: HandlerContext, event: ReablementEpisodeEnded) -> None:
    await use_cases.reablement_ended(ctx.uow, ctx.envelope.council_id, event)


SUBSCRIPTIONS = [
    Subscription(FundingResponsibilityChanged, on_funding_changed),
    Subscription(ReablementEpisodeStarted, on_reablement_started),
    Subscription(ReablementEpisodeEnded, on_reablement_ended),
]
