"""One change to a person's charge at a time.

A person's charge changes on the assessor's word and on three services' events (RAS's budgets,
health's decisions, brokerage's placements), which arrive on their own topics and are handled side by
side. Each change reads the person's assessments, NHS periods, placements and kept budgets, then
records from what it read: two at once would each miss the other's (an NHS decision worked out at the
cost of care before the budget that changed it; a budget kept for later while the first assessment
was being recorded, and never applied). So each takes the person's lock first; the uprating takes the
council's, which waits for changes in hand and holds new ones back for the length of one page."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.platform.locks import hold


async def hold_person(session: AsyncSession, council_id: str, person_id: uuid.UUID) -> None:
    """Before reading anything of the person's, in every transaction that changes their charge."""
    await hold(session, f"charging:{council_id}", shared=True)
    await hold(session, f"charging:{council_id}:{person_id}")


async def hold_council(session: AsyncSession, council_id: str) -> None:
    """For a change to everyone's charge at once (a page of the uprating)."""
    await hold(session, f"charging:{council_id}")
