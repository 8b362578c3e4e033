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
from ras.domain.reference.client_level_data import Coded
from ras.domain.requests import RequestForSupport, request_problems
from ras.service_layer.ras_model import codes_not_in_force


async def record_request(
    uow: UnitOfWork, council_id: str, person_id: uuid.UUID, request: RequestForSupport, by: str, today: date
) -> dict[str, Any]:
    async with uow:
        person = await PeopleRepository(uow.session).get(council_id, person_id)
        if person is None or person.merged_into is not None:
            raise NotFound.about("person_id", "no live person with that id")
        coded = [
            Coded("route_of_access", "route_of_access", request.route_of_access),
            Coded("outcome", "request_outcome", request.outcome),
            Coded("no_further_action_reason", "no_further_action_reason", request.no_further_action_reason),
        ]
        on = request.request_date
        codes = await codes_not_in_force(uow.session, council_id, on, "request_date", coded)
        refuse_if_any(codes + request_problems(request, today))
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
