"""Fuzz every operation of every service's API from its own OpenAPI document: whatever arrives,
the answer is one the client can act on (2xx or 4xx), never a server error.

Schemathesis generates the requests; its pytest plugin does not yet work with pytest 9, so each
operation's strategy is driven by hypothesis directly, and the requests go through one TestClient
(one event loop, so the app's database pool stays valid).
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from pbshared.platform.app import build_app
from pbshared.platform.auth import Role
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.testing.harness import auth, service_settings
from tests.councils import SAMPLE_COUNCIL, loader_of
from tools.services import SERVICE_NAMES, definition

pytestmark = pytest.mark.integration
EXAMPLES_PER_OPERATION = 25


@pytest.mark.parametrize("service_name", SERVICE_NAMES)
def test_no_request_makes_a_server_error(service_name, databases):
    settings_ = service_settings(
        definition(service_name), databases[service_name], "127.0.0.1:1", relay_enabled=False, consumers_enabled=False
    )
    app = build_app(definition(service_name), settings_)
    with TestClient(app, raise_server_exceptions=False) as client:
        for document in read_council_directory(SAMPLE_COUNCIL):
            client.post("/reference-datasets", json=document, headers=auth(loader_of(document)))
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        failures: list[str] = []
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def fuzz(case) -> None:
                request = case.as_transport_kwargs(base_url="http://testserver", headers=auth(Role.admin))
                request.pop("cookies", None)
                response = client.request(**request)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code}")

            fuzz()
    assert not failures, "\n".join(failures[:20])
