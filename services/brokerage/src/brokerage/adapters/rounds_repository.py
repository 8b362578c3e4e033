"""Each round of a package as it opened and closed: what the market figures count rounds from."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Integer, String, bindparam, func, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.tables import package_rounds


class RoundOutcome(StrEnum):
    awarded = "awarded"
    unfilled = "unfilled"
    withdrawn = "withdrawn"  # the budget ended or no longer asks for the package
    superseded = "superseded"  # the needs changed while bidding: a new round replaced it


_CLOSE = (
    update(package_rounds)
    .where(package_rounds.c.package_id == bindparam("id"), package_rounds.c.round == bindparam("number"))
    .values(
        closed_at=func.coalesce(package_rounds.c.closed_at, bindparam("at", type_=DateTime(timezone=True))),
        bids_received=func.coalesce(package_rounds.c.bids_received, bindparam("bids", type_=Integer)),
        outcome=bindparam("outcome", type_=String),
    )
)


class RoundsRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def opened(self, council_id: str, package_id: uuid.UUID, round_number: int, at: datetime) -> None:
        await self._session.execute(
            insert(package_rounds).values(
                package_id=package_id, round=round_number, council_id=council_id, advertised_at=at
            )
        )

    async def closed(
        self, package_id: uuid.UUID, round_number: int, at: datetime, outcome: RoundOutcome, bids: int | None = None
    ) -> None:
        """The round's deadline closes it; an award that later lapses down the whole ranking turns
        its outcome to unfilled, keeping the moment it closed and the bids it had."""
        await self.closed_many([(package_id, round_number, bids)], at, outcome)

    async def closed_many(
        self, rounds: list[tuple[uuid.UUID, int, int | None]], at: datetime, outcome: RoundOutcome
    ) -> None:
        """`closed` for many (package, round, bids received) at once: one statement executed for all."""
        rows = [{"id": p, "number": r, "bids": bids, "at": at, "outcome": str(outcome)} for p, r, bids in rounds]
        if rows:
            await self._session.execute(_CLOSE, rows)
