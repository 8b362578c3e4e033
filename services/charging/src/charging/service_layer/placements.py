"""Brokerage's placements in: the actual weekly cost of the care the council arranged, from each
placement's effective date, so a charge is never above what the care costs.

Each use case runs inside the consumer's transaction (`ctx.uow`), like the budget ones.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from charging.adapters.charge_locks import hold_person
from charging.adapters.placements_repository import PlacementsRepository
from charging.domain.placements import Placement
from charging.service_layer.assessments import follow_decisions_from
from pbshared.contract.events.brokerage import PlacementDetails, PlacementEnded
from pbshared.platform.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


async def placement_costed(uow: UnitOfWork, council_id: str, placement: PlacementDetails) -> None:
    """A placement started or changed: its weekly cost applies from its effective date."""
    async with uow:
        await hold_person(uow.session, council_id, placement.person_id)
        await PlacementsRepository(uow.session).put(
            council_id,
            placement.person_id,
            Placement(
                placement_id=placement.placement_id,
                lot=placement.lot,
                weekly_cost_pence=placement.weekly_cost_pence,
                effective_from=placement.effective_from,
            ),
        )
        await follow_decisions_from(uow, council_id, placement.person_id, placement.effective_from)
        await uow.commit()


async def placement_ended(uow: UnitOfWork, council_id: str, ended: PlacementEnded) -> None:
    """Nothing is delivered after end_date: from the next day its cost no longer counts."""
    async with uow:
        await hold_person(uow.session, council_id, ended.person_id)
        day_after = ended.end_date + timedelta(days=1)
        if not await PlacementsRepository(uow.session).end(council_id, ended.placement_id, day_after):
            log.warning("placement %s ended but its start was never received", ended.placement_id)
            return
        await follow_decisions_from(uow, council_id, ended.person_id, day_after)
        await uow.commit()
