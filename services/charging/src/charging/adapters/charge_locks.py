"""One change to a person's charge at a time.

A person's charge changes on the assessor's word and on three services' events (RAS's budgets,
health's decisions, brokerage's placements), which arrive on their own topics and are handled side by
side. Each change reads the person's assessments, NHS periods, placements and kept budgets, then
records from what it read: two at once would each miss the other's (an NHS decision worked out at the
cost of care before the budget that changed it; a budget kept for later while the first assessment
was being recorded, and never applied). So each takes the person's lock first.

The uprating changes everyone's charge, a page of people at a time, walking the council's people in
sixteen lanes (charging.domain.walk). A page holds its lanes: a change to a person in one of them
waits for the page, and holds back the next; a person in another lane is not held up, and neither is
a second worker of the uprating, in lanes of its own."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from charging.domain.walk import lane_of
from pbshared.platform.locks import hold, try_hold


def _lane(council_id: str, lane: int) -> str:
    return f"charging:{council_id}:lane:{lane}"


async def hold_person(session: AsyncSession, council_id: str, person_id: uuid.UUID) -> None:
    """Before reading anything of the person's, in every transaction that changes their charge."""
    await hold(session, _lane(council_id, lane_of(person_id)), shared=True)
    await hold(session, f"charging:{council_id}:{person_id}")


async def hold_lane(session: AsyncSession, council_id: str, lane: int, *, wait: bool) -> bool:
    """For a change to everyone's charge in the lane (a page of the uprating): True once held. Without
    `wait`, False at once if another transaction holds it. A page waits only for its first lane, holding
    none: the rest it takes only if free, so two pages never each wait for the other's."""
    if wait:
        await hold(session, _lane(council_id, lane))
        return True
    return await try_hold(session, _lane(council_id, lane))
