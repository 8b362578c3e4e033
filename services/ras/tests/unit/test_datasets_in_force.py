"""Datasets in force as the use cases read them: the row in force is asked of the database every
time (a version loaded a moment ago is used at once, from its first day and not the day before),
while a row's payload is read and validated once; and the stored score document is what
`dataclasses.asdict` made of it."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import event

from pbshared.contract.events.people import ClientGroup
from pbshared.platform.db import session_factory
from ras.adapters.datasets_in_force import by_id, id_in_force
from ras.domain.assessments.scoring import Answers, score
from ras.reference_kinds import RAS_MODEL
from ras.service_layer.assessments import _plain, score_document


async def test_the_row_in_force_is_asked_every_time_and_its_payload_read_once(
    reference_engine, ras_model_payload, store_ras_model
) -> None:
    engine = reference_engine
    sessions = session_factory(engine)
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    async def in_force(on: date) -> tuple[int, date] | None:
        async with sessions() as session:
            dataset_id = await id_in_force(session, "wyvernshire", RAS_MODEL, on)
            if dataset_id is None:
                return None
            held = await by_id(session, RAS_MODEL, dataset_id)
            return held.version, held.effective_from

    await store_ras_model(sessions, 1, date(2025, 4, 1), ras_model_payload)
    assert await in_force(date(2025, 3, 31)) is None
    assert await in_force(date(2026, 5, 1)) == (1, date(2025, 4, 1))
    statements.clear()
    assert await in_force(date(2026, 5, 1)) == (1, date(2025, 4, 1))
    assert len([s for s in statements if "payload" in s]) == 0  # held: only the id was asked
    # A new version (same content, so the same hash) is used from its first day, not the day before.
    await store_ras_model(sessions, 2, date(2026, 4, 6), ras_model_payload)
    assert await in_force(date(2026, 4, 6)) == (2, date(2026, 4, 6))
    assert await in_force(date(2026, 4, 5)) == (1, date(2025, 4, 1))
    # Two versions from one date: the highest.
    await store_ras_model(sessions, 3, date(2026, 4, 6), ras_model_payload)
    assert await in_force(date(2026, 4, 6)) == (3, date(2026, 4, 6))


def test_the_score_document_is_the_score_as_plain_data(model_v1) -> None:
    answers = {q.id: q.options[-1].id for d in model_v1.model.domains for q in d.questions}
    scored = score(model_v1, Answers(1, ClientGroup.older_people, answers, {"household_tasks": "most"}))
    document = score_document(scored)
    # asdict leaves a named tuple a tuple; the column keeps each domain by name, as it always has.
    domains = [dict(zip(DOMAIN_FIELDS, domain, strict=True)) for domain in scored.domains]
    assert document == _plain(dataclasses.asdict(scored)) | {"domains": domains}
    assert all(list(domain) == list(DOMAIN_FIELDS) for domain in document["domains"])


DOMAIN_FIELDS = ("domain_id", "title", "points_before_carer", "carer_reduction", "carer_level")
