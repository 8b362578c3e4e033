"""The health service's decisions in: kept as periods, and the charge worked out again where they apply.

Each use case runs inside the consumer's transaction (`ctx.uow`), like the budget ones.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from charging.adapters.charge_locks import hold_person
from charging.adapters.health_repository import HealthRepository
from charging.domain.health import HealthBasis, HealthPeriod
from charging.service_layer.assessments import follow_decisions_from
from pbshared.contract.events.health import (
    FundingChange,
    FundingResponsibilityChanged,
    ReablementEpisodeEnded,
    ReablementEpisodeStarted,
)
from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def funding_changed(uow: UnitOfWork, council_id: str, event: FundingResponsibilityChanged) -> None:
    """A start applies from its effective date; an end restores the council's charge from its date."""
    async with uow:
        await hold_person(uow.session, council_id, event.person_id)
        periods = HealthRepository(uow.session)
        if event.change is FundingChange.started:
            await periods.start(
                council_id,
                event.person_id,
                HealthPeriod(
                    source_id=event.decision_id,
                    basis=HealthBasis(event.basis.value),
                    starts_on=event.effective_date,
                    nhs_share_percent=event.nhs_share_percent,
                    nhs_weekly_pence=event.nhs_weekly_pence,
                    budget_id=event.budget_id,
                ),
            )
        elif not await periods.end(council_id, event.decision_id, event.effective_date):
            log.warning("funding decision %s ended but its start was never received", event.decision_id)
            return
        await follow_decisions_from(uow, council_id, event.person_id, event.effective_date)
        await uow.commit()


async def reablement_started(uow: UnitOfWork, council_id: str, event: ReablementEpisodeStarted) -> None:
    async with uow:
        await hold_person(uow.session, council_id, event.person_id)
        await HealthRepository(uow.session).start(
            council_id,
            event.person_id,
            HealthPeriod(
                source_id=event.episode_id,
                basis=HealthBasis.reablement,
                starts_on=event.start_date,
                free_until=event.free_until,
            ),
        )
        await follow_decisions_from(uow, council_id, event.person_id, event.start_date)
        await uow.commit()


async def reablement_ended(uow: UnitOfWork, council_id: str, event: ReablementEpisodeEnded) -> None:
    """end_date is reablement's last day: from the next the council's charge applies again."""
    async with uow:
        await hold_person(uow.session, council_id, event.person_id)
        day_after = event.end_date + timedelta(days=1)
        if not await HealthRepository(uow.session).end(council_id, event.episode_id, day_after):
            log.warning("reablement episode %s ended but its start was never received", event.episode_id)
            return
        await follow_decisions_from(uow, council_id, event.person_id, day_after)
        await uow.commit()
