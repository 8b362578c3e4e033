"""Events from the health service: a referred patient, and the end of reablement after a discharge."""

from __future__ import annotations

from datetime import UTC, datetime

from pbshared.contract.events.health import PatientReferred, ReablementEpisodeEnded
from pbshared.platform.consumer import HandlerContext, Subscription
from ras.service_layer import health_referrals as use_cases


async def on_patient_referred(ctx: HandlerContext, event: PatientReferred) -> None:
    await use_cases.take_referral(ctx.uow, ctx.envelope.council_id, event, datetime.now(UTC).date())


async def on_reablement_ended(ctx: HandlerContext, event: ReablementEpisodeEnded) -> None:
    await use_cases.assessment_due_after_reablement(ctx.uow, ctx.envelope.council_id, event)


SUBSCRIPTIONS = [
    Subscription(PatientReferred, on_patient_referred),
    Subscription(ReablementEpisodeEnded, on_reablement_ended),
]
