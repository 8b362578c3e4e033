"""Recording a request for support for a registered person."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Any

from pbshared.errors import NotFound
from pbshared.platform.unit_of_work import UnitOfWork
from ras.adapters.people_repository import PeopleRepository
from ras.adapters.requests_repository import RequestsRepository
from ras.domain.problems import refuse_if_any
from ras.domain.requests import RequestForSupport, request_problems


async def record_request(
    uow: UnitOfWork, council_id: str, person_id: uuid.UUID, request: RequestForSupport, by: str, today: date
) -> dict[str, Any]:
    async with uow:
        person = await PeopleRepository(uow.session).get(council_id, person_id)
        if person is None or person.merged_into is not None:
            raise NotFound.about("person_id", f"no live person {person_id}")
        refuse_if_any(request_problems(request, today))
        repo = RequestsRepository(uow.session)
        request_id = uuid.uuid4()
        values = dataclasses.asdict(request)
        await repo.add(
            {"request_id": request_id, "council_id": council_id, "person_id": person_id, **values, "recorded_by": by}
        )
        stored = await repo.get(council_id, request_id)
        await uow.commit()
    assert stored is not None
    return stored
