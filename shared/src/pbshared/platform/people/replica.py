"""Keeps the person_copies table from person.registered, person.updated and person.merged.

Each copy keeps the highest revision it has seen, so a replayed or late event never undoes a newer one.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from sqlalchemy import Insert, update
from sqlalchemy.dialects import postgresql, sqlite
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


@functools.cache
def _upsert_statement(dialect_name: str) -> Insert:
    """Insert the copy, or overwrite it if the incoming revision is newer: one round trip.

    Built once per dialect; each call only binds values, so SQLAlchemy's compiled cache serves it.
    """
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(person_copies)
    return statement.on_conflict_do_update(
        index_elements=[person_copies.c.person_id],
        set_={name: statement.excluded[name] for name in (*_COPIED_FIELDS, "updated_at")},
        where=person_copies.c.revision < statement.excluded.revision,
    )


async def _upsert(session: AsyncSession, council_id: str, details: PersonDetails) -> None:
    values = {name: getattr(details, name) for name in _COPIED_FIELDS}
    values.update(
        person_id=details.person_id,
        council_id=council_id,
        client_group=str(details.client_group),
        updated_at=datetime.now(UTC),
    )
    await session.execute(_upsert_statement(session.bind.dialect.name), values)


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
