"""The council's DPS rules and localities in force on a date."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.reference_repository import payload_in_force
from brokerage.domain.reference import dps_rules, localities
from brokerage.domain.reference.dps_rules import DpsRules
from brokerage.domain.reference.localities import Localities
from pbshared.errors import RuleBroken


async def council_rules(session: AsyncSession, council_id: str, on: date) -> tuple[DpsRules, Localities]:
    rules = await _in_force(session, council_id, dps_rules.KIND, on)
    areas = await _in_force(session, council_id, localities.KIND, on)
    return DpsRules.model_validate(rules), Localities.model_validate(areas)


async def _in_force(session: AsyncSession, council_id: str, kind: str, on: date) -> dict:
    payload = await payload_in_force(session, council_id, kind, on)
    if payload is None:
        raise RuleBroken.about("council_id", f"the council has no {kind} in force on {on}: load them first")
    return payload
