"""The preview's recently read models: the one in force on a date is chosen as the database chooses
it, a dataset loaded since is seen once the held copy is older than its limit, and never with 0."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.tables import reference_datasets
from ras.adapters.recent_reference import recent
from ras.reference_kinds import RAS_MODEL


async def _add(sessions, version: int, effective_from: date, payload: dict) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            reference_datasets.insert().values(
                council_id="wyvernshire",
                kind="ras_model",
                version=version,
                effective_from=effective_from,
                payload=payload,
                source="test",
                content_hash=str(version),
                loaded_by="test",
                loaded_at=datetime.now(UTC),
            )
        )


async def test_held_models_are_chosen_by_date_and_read_again_only_when_older_than_the_limit(
    tmp_path, ras_model_payload
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/ref.db")
    async with engine.begin() as connection:
        await connection.run_sync(reference_datasets.metadata.create_all, tables=[reference_datasets])
    sessions = session_factory(engine)
    try:
        await _add(sessions, 1, date(2025, 4, 1), ras_model_payload)
        held = recent(sessions, RAS_MODEL, max_age_seconds=3600)
        fresh = recent(session_factory(engine), RAS_MODEL, max_age_seconds=0)  # its own sessions, its own copy
        assert (await held.in_force(sessions, "wyvernshire", date(2026, 5, 1)))[:2] == (date(2025, 4, 1), 1)
        assert await held.in_force(sessions, "wyvernshire", date(2025, 3, 31)) is None

        await _add(sessions, 2, date(2026, 4, 6), ras_model_payload)
        # Held for an hour: the new version is not seen yet; read every time: it is, from its first day.
        assert (await held.in_force(sessions, "wyvernshire", date(2026, 5, 1)))[1] == 1
        assert (await fresh.in_force(sessions, "wyvernshire", date(2026, 4, 6)))[1] == 2
        assert (await fresh.in_force(sessions, "wyvernshire", date(2026, 4, 5)))[1] == 1
    finally:
        await engine.dispose()
