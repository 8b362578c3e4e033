"""Which errors a consumer waits out (the database's) and which fail the handler (everything else)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from pbshared.platform.consumer import is_infrastructure_failure


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("SELECT 1", {}, ConnectionResetError("server closed the connection")),
        InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        DBAPIError("SELECT 1", {}, Exception("terminated"), connection_invalidated=True),
    ],
    ids=["operational", "interface", "invalidated"],
)
def test_the_databases_own_failures_are_an_outage(error: BaseException) -> None:
    assert is_infrastructure_failure(error)


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError(),
        TimeoutError("card provider"),
        ConnectionError("FHIR server refused"),
        httpx.ReadTimeout("FHIR server too slow"),
        httpx.ConnectError("no route"),
        IntegrityError("INSERT", {}, Exception("duplicate key")),
        RuntimeError("bug"),
    ],
    ids=["asyncio-timeout", "timeout", "connection", "httpx-timeout", "httpx-connect", "integrity", "bug"],
)
def test_a_call_outside_that_fails_or_times_out_is_a_handler_failure(error: BaseException) -> None:
    assert not is_infrastructure_failure(error)
