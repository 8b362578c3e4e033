"""A service's copy of people is found by council person id whatever its case, as RAS holds it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert

from pbshared.platform.auth import Role
from pbshared.platform.tables import person_copies
from pbshared.testing.harness import auth

pytestmark = pytest.mark.integration


async def test_a_copy_is_found_by_its_council_person_id_in_any_case(api):
    brokerage = await api("brokerage")
    person_id = uuid.uuid4()
    async with brokerage.sessions() as session, session.begin():
        await session.execute(
            insert(person_copies).values(
                person_id=person_id,
                council_id="wyvernshire",
                council_person_id="WY-77",
                given_name="Ada",
                family_name="Lovelace",
                date_of_birth=date(1941, 12, 10),
                postcode="SK1 3XE",
                client_group="older_people",
                revision=1,
                updated_at=datetime.now(UTC),
            )
        )
    for asked in ("WY-77", "wy-77"):
        found = await brokerage.client.get("/people", params={"council_person_id": asked}, headers=auth(Role.broker))
        assert [p["person_id"] for p in found.json()] == [str(person_id)], asked
