"""Keeping the read model of personal budgets from RAS's budget events."""

from __future__ import annotations

from health.adapters.budgets_repository import BudgetsRepository
from pbshared.contract.events.budgets import PersonalBudgetAgreed, PersonalBudgetEnded, PersonalBudgetRevised
from pbshared.platform.unit_of_work import UnitOfWork


async def keep_budget(uow: UnitOfWork, council_id: str, event: PersonalBudgetAgreed | PersonalBudgetRevised) -> None:
    async with uow:
        await BudgetsRepository(uow.session).keep(council_id, event.model_dump(mode="json"))
        await uow.commit()


async def end_budget(uow: UnitOfWork, event: PersonalBudgetEnded) -> None:
    async with uow:
        await BudgetsRepository(uow.session).end(event.budget_id, event.budget_revision, event.end_date)
        await uow.commit()
