"""Brokerage's placement events: the actual weekly cost of the care the council arranged."""

from __future__ import annotations

from charging.service_layer import placements as use_cases
from pbshared.contract.events.brokerage import PlacementChanged, PlacementEnded, PlacementStarted
from pbshared.platform.consumer import HandlerContext, Subscription


async def on_placement_started_or_changed(ctx: HandlerContext, event: PlacementStarted | PlacementChanged) -> None:
    await use_cases.placement_costed(ctx.uow, ctx.envelope.council_id, event)


async def on_placement_ended(ctx: HandlerContext, event: PlacementEnded) -> None:
    await use_cases.placement_ended(ctx.uow, ctx.envelope.council_id, event)


SUBSCRIPTIONS = [
    Subscription(PlacementStarted, on_placement_started_or_changed),
    Subscription(PlacementChanged, on_placement_started_or_changed),
    Subscription(PlacementEnded, on_placement_ended),
]
