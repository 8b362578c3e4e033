"""pytest fixtures for real parts (loaded with `-p pbshared.testing.plugin`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pbshared.testing.broker import TansuBroker
from pbshared.testing.postgres import create_database, drop_database


@pytest.fixture
def broker() -> Iterator[TansuBroker]:
    """A fresh broker for each test: memory storage means no test sees another's messages."""
    with TansuBroker() as running:
        yield running


@pytest.fixture
def empty_postgres_database() -> Iterator[str]:
    url = create_database("scratch")
    try:
        yield url
    finally:
        drop_database(url)
