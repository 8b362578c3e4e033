"""The budget envelope over stored budgets: agreed budgets, and the latest eligible assessment of
each person with no agreed budget yet at its indicative figure, against the rules in force."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.events.people import ClientGroup
from ras.adapters.budgets_repository import BudgetsRepository
from ras.domain.commissioning.envelope import Commitment, EnvelopePosition, Stage, envelope_position
from ras.service_layer.ras_model import rules_in_force


async def envelope_on(session: AsyncSession, council_id: str, on: date) -> EnvelopePosition:
    _, rules = await rules_in_force(session, council_id, on, "on")
    agreed, assessed = await BudgetsRepository(session).commitments(council_id)
    commitments = [
        Commitment(ClientGroup(b["client_group"]), Stage.agreed, b["annual_pence"], b["indicative_annual_pence"])
        for b in agreed
    ]
    with_budget = {b["person_id"] for b in agreed}
    latest: dict = {}
    for a in sorted(assessed, key=lambda a: a["assessment_date"]):
        if a["person_id"] not in with_budget:
            latest[a["person_id"]] = a
    commitments += [
        Commitment(
            ClientGroup(a["client_group"]), Stage.indicative, a["indicative_annual_pence"], a["indicative_annual_pence"]
        )
        for a in latest.values()
    ]
    return envelope_position(commitments, rules)
