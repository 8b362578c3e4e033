"""Keeps the person_copies table from person.registered, person.updated and person.merged.

Each copy keeps the highest revision it has seen, so a replayed or late event never undoes a newer one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pbshared.contract.events.people import (
    PersonDetails,
    PersonMerged,
    PersonRegistered,
    PersonUpdated,
)
from pbshared.platform.consumer import HandlerContext, Subscription
from pbshared.platform.tables import person_copies

_COPIED_FIELDS = (
    "council_person_id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "postcode",
    "client_group",
    "revision",
)


async def _upsert(session: AsyncSession, council_id: str, details: PersonDetails) -> None:
    values = {name: getattr(details, name) for name in _COPIED_FIELDS}
    values["client_group"] = str(details.client_group)
    values["updated_at"] = datetime.now(UTC)
    current = (
        await session.execute(select(person_copies.c.revision).where(person_copies.c.person_id == details.person_id))
    ).scalar_one_or_none()
    if current is None:
        await session.execute(
            person_copies.insert().values(person_id=details.person_id, council_id=council_id, **values)
        )
    elif details.revision > current:
        await session.execute(
            update(person_copies).where(person_copies.c.person_id == details.person_id).values(**values)
        )


async def on_person_registered(ctx: HandlerContext, event: PersonRegistered) -> None:
    await _upsert(ctx.session, ctx.envelope.council_id, event)


async def on_person_updated(ctx: HandlerContext, event: PersonUpdated) -> None:
    await _upsert(ctx.session, ctx.envelope.council_id, event)


async def on_person_merged(ctx: HandlerContext, event: PersonMerged) -> None:
    await ctx.session.execute(
        update(person_copies)
        .where(person_copies.c.person_id == event.merged_person_id)
        .values(merged_into=event.surviving_person_id, updated_at=datetime.now(UTC))
    )


SUBSCRIPTIONS = [
    Subscription(PersonRegistered, on_person_registered),
    Subscription(PersonUpdated, on_person_updated),
    Subscription(PersonMerged, on_person_merged),
]
