"""A person's current personal budget as a FHIR CarePlan, for a health partner of their area.

A partner is an integrated care board: its token's subject is its ODS code, and the council's
health rules list the postcode districts it covers (docs/domain/health.md). A person outside them is
as absent as a person who does not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from health.adapters.budgets_repository import BudgetsRepository
from health.adapters.funding_repository import FundingRepository
from health.adapters.people_repository import PeopleRepository
from health.domain import fhir_out
from health.domain.rules import postcode_district
from health.service_layer.rules import rules_on


async def care_plans_for_partner(
    session: AsyncSession, council_id: str, icb_code: str, nhs_number: str, today: date
) -> list[dict[str, Any]]:
    person = await PeopleRepository(session).registered_with(council_id, nhs_number)
    if person is None:
        return []
    rules = await rules_on(session, council_id, today)
    if postcode_district(person.postcode) not in rules.districts_of(icb_code):
        return []
    budget = await BudgetsRepository(session).current_of(council_id, person.person_id, today)
    if budget is None:
        return []
    # A decision naming another of the person's budgets says nothing about who funds this one.
    decisions = [
        d
        for d in await FundingRepository(session).of_person(council_id, person.person_id)
        if d.in_force_on(today) and d.budget_id in (None, budget.budget_id)
    ]
    return [fhir_out.care_plan(budget.details, nhs_number, decisions, budget.end_date)]
