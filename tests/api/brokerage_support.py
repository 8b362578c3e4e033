"""A brokerage under test: the sample council, a person, providers admitted to home care in the
north, a clock the test moves, and the timers fired on demand."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from aiokafka import ConsumerRecord
from sqlalchemy import insert, select

from brokerage.entrypoints.clock import current_time
from brokerage.service_layer.timers import fire_due
from pbshared.contract.envelope import new_envelope
from pbshared.contract.events.budgets import PlannedService, service_weekly_cost
from pbshared.platform.auth import Role
from pbshared.platform.tables import outbox, person_copies
from pbshared.platform.unit_of_work import UnitOfWork
from pbshared.testing.harness import RunningService, auth

START = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)
BROKER = auth(Role.broker)


def provider(provider_id: str) -> dict[str, str]:
    return auth(Role.provider, provider_id=provider_id)


def planned(service_type: str, delivery: str, units: str, rate: int, carers: int = 2) -> PlannedService:
    return PlannedService(
        service_type=service_type,
        cld_service_type="long_term_community",
        delivery=delivery,
        units_per_week=Decimal(units),
        unit="hour",
        carers_per_visit=carers,
        rate_pence=rate,
        weekly_cost_pence=service_weekly_cost(Decimal(units), carers, rate),
    )


def record(payload, offset: int) -> ConsumerRecord:
    envelope = new_envelope(
        payload=payload, producer="ras", council_id="wyvernshire", subject_id=str(payload.person_id), correlation_id="c"
    )
    return ConsumerRecord(
        topic="ras.events",
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=envelope.subject_id.encode(),
        value=envelope.to_bytes(),
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=[],
    )


class Brokerage:
    def __init__(self, service: RunningService):
        self.service = service
        self.client = service.client
        self.now = START
        service.app.dependency_overrides[current_time] = lambda: self.now

    def move_to(self, moment: datetime) -> None:
        self.now = moment

    async def fire_timers(self) -> int:
        return await fire_due(lambda: UnitOfWork(self.service.sessions, "brokerage"), self.now)

    async def person(self, postcode: str = "WV1 2AB") -> uuid.UUID:
        person_id = uuid.uuid4()
        async with self.service.sessions() as session:
            await session.execute(
                insert(person_copies).values(
                    person_id=person_id,
                    council_id="wyvernshire",
                    council_person_id=f"WY-{person_id.hex[:6]}",
                    given_name="Ada",
                    family_name="Lovelace",
                    date_of_birth=date(1940, 12, 10),
                    postcode=postcode,
                    client_group="older_people",
                    revision=1,
                    updated_at=datetime.now(UTC),
                )
            )
            await session.commit()
        return person_id

    async def admitted_provider(self, provider_id: str, rating: str = "good", capacity: int = 200) -> dict[str, Any]:
        applied = await self.client.post(
            "/providers",
            json={
                "name": f"Care {provider_id}",
                "cqc_location_id": "1-1000" + str(abs(hash(provider_id)) % 10000).zfill(4),
                "rating": rating,
                "capacity_hours_per_week": capacity,
                "lots": ["home_care"],
                "areas": ["north"],
            },
            headers=provider(provider_id),
        )
        assert applied.status_code == 201, applied.text
        decided = await self.client.post(
            f"/providers/{provider_id}/decision",
            json={"revision": 1, "admit": [{"lot": "home_care", "area": "north"}]},
            headers=auth(Role.admin),
        )
        assert decided.status_code == 200, decided.text
        return decided.json()

    async def package(self, person_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
        body = {
            "person_id": str(person_id),
            "lot": "home_care",
            "units_per_week": "10.5",
            "carers_per_visit": 1,
            "visit_pattern": "morning and evening, 7 days",
            "requirements": ["female carer"],
            "start_date": (self.now + timedelta(days=3)).date().isoformat(),
            "latest_start_date": (self.now + timedelta(days=10)).date().isoformat(),
            **changes,
        }
        response = await self.client.post("/packages", json=body, headers=BROKER)
        assert response.status_code == 201, response.text
        return response.json()

    async def bid(self, package_id: str, provider_id: str, rate: int, start_days: int = 4):
        return await self.client.post(
            f"/adverts/{package_id}/bids",
            json={"rate_pence": rate, "earliest_start": (self.now + timedelta(days=start_days)).date().isoformat()},
            headers=provider(provider_id),
        )

    async def last_event(self, event_type: str) -> dict[str, Any]:
        """The payload of the latest event of that type in the outbox."""
        async with self.service.sessions() as session:
            query = select(outbox.c.message).where(outbox.c.event_type == event_type).order_by(outbox.c.id.desc())
            return json.loads((await session.execute(query.limit(1))).scalar_one())["payload"]

    async def events(self) -> list[str]:
        async with self.service.sessions() as session:
            return list((await session.execute(select(outbox.c.event_type).order_by(outbox.c.id))).scalars())
