"""The preview's recently read models: the one in force on a date is chosen as the database chooses
it, a dataset loaded since is seen once the held copy is older than its limit, and never with 0;
requests that find it old at once share one read."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import event

from pbshared.platform.db import session_factory
from ras.adapters.recent_reference import recent
from ras.reference_kinds import RAS_MODEL


async def test_held_models_are_chosen_by_date_and_read_again_only_when_older_than_the_limit(
    reference_engine, ras_model_payload, store_ras_model
) -> None:
    engine = reference_engine
    sessions = session_factory(engine)
    await store_ras_model(sessions, 1, date(2025, 4, 1), ras_model_payload)
    held = recent(sessions, RAS_MODEL, max_age_seconds=3600)
    fresh = recent(session_factory(engine), RAS_MODEL, max_age_seconds=0)  # its own sessions, its own copy
    assert (await held.in_force(sessions, "wyvernshire", date(2026, 5, 1)))[:2] == (date(2025, 4, 1), 1)
    assert await held.in_force(sessions, "wyvernshire", date(2025, 3, 31)) is None

    await store_ras_model(sessions, 2, date(2026, 4, 6), ras_model_payload)
    # Held for an hour: the new version is not seen yet; read every time: it is, from its first day.
    assert (await held.in_force(sessions, "wyvernshire", date(2026, 5, 1)))[1] == 1
    assert (await fresh.in_force(sessions, "wyvernshire", date(2026, 4, 6)))[1] == 2
    assert (await fresh.in_force(sessions, "wyvernshire", date(2026, 4, 5)))[1] == 1


async def test_requests_that_find_the_copy_old_at_once_share_one_read(
    reference_engine, ras_model_payload, store_ras_model
) -> None:
    sessions = session_factory(reference_engine)
    await store_ras_model(sessions, 1, date(2025, 4, 1), ras_model_payload)
    reads: list[str] = []
    event.listen(reference_engine.sync_engine, "before_cursor_execute", lambda *a: reads.append(a[2]))
    held = recent(sessions, RAS_MODEL, max_age_seconds=0)  # always old: every call reads
    found = await asyncio.gather(*(held.in_force(sessions, "wyvernshire", date(2026, 5, 1)) for _ in range(20)))
    assert {entry[1] for entry in found} == {1}
    assert len([s for s in reads if "reference_datasets" in s]) <= 2  # the ids once, the payload once
    reads.clear()
    await held.in_force(sessions, "wyvernshire", date(2026, 5, 1))  # read again, the payload not
    assert len([s for s in reads if "reference_datasets" in s]) == 1
