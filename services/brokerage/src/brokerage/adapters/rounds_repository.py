"""Each round of a package as it opened and closed: what the market figures count rounds from."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.tables import package_rounds


class RoundOutcome(StrEnum):
    awarded = "awarded"
    unfilled = "unfilled"
    withdrawn = "withdrawn"  # the budget ended or no longer asks for the package
    superseded = "superseded"  # the needs changed while bidding: a new round replaced it


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
        c = package_rounds.c
        await self._session.execute(
            update(package_rounds)
            .where(c.package_id == package_id, c.round == round_number)
            .values(
                closed_at=func.coalesce(c.closed_at, at),
                bids_received=func.coalesce(c.bids_received, bids),
                outcome=str(outcome),
            )
        )
