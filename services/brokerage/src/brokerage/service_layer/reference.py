"""The council's DPS rules and localities in force on a date."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.domain.reference.dps_rules import DpsRules
from brokerage.domain.reference.localities import Localities
from brokerage.reference_kinds import DPS_RULES, LOCALITIES
from pbshared.errors import RuleBroken
from pbshared.platform.refdata import effective_dataset


async def council_rules(session: AsyncSession, council_id: str, on: date) -> tuple[DpsRules, Localities]:
    found = {}
    for kind in (DPS_RULES, LOCALITIES):
        dataset = await effective_dataset(session, council_id, kind.name, on)
        if dataset is None:
            raise RuleBroken.about("council_id", f"the council has no {kind.name} in force on {on}: load them first")
        found[kind.name] = kind.model.model_validate(dataset.payload)
    return found[DPS_RULES.name], found[LOCALITIES.name]  # type: ignore[return-value]
