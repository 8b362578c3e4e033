"""Unit tests of the shared package: no broker, no database, no network."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _no_pb_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read PB_* variables; a developer's shell must not change what these tests see."""
    for name in list(os.environ):
        if name.upper().startswith("PB_"):
            monkeypatch.delenv(name)


@pytest.fixture
def person_registered():  # type: ignore[no-untyped-def]
    """A valid person.registered v2 payload."""
    import uuid
    from datetime import date

    from pbshared.contract.events.people import ClientGroup, PersonRegistered

    return PersonRegistered(
        person_id=uuid.UUID("6f1c1d2e-0000-4000-8000-000000000001"),
        council_person_id="WY-1",
        nhs_number="943 476 5919",
        given_name="Ada",
        family_name="Lovelace",
        date_of_birth=date(1950, 12, 10),
        postcode="sk13xe",
        client_group=ClientGroup.older_people,
        revision=1,
    )
