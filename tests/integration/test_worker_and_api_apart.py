"""`serve --no-messaging` runs the API alone and `worker` the relay and consumer alone, so consumers
scale apart from APIs; `serve` alone still runs both (the embedded run)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import AsyncExitStack, suppress

import httpx
import pytest

from pbshared.platform.auth import Role
from pbshared.platform.cli import build_process_app, command_line
from pbshared.testing.broker import free_port
from pbshared.testing.harness import RunningService, auth, service_settings, wait_for
from tests.councils import load_sample_council
from tools.services import definition

PERSON = {
    "council_person_id": "WY-2001",
    "given_name": "Grace",
    "family_name": "Hopper",
    "date_of_birth": "1946-12-09",
    "postcode": "WV1 1AA",
    "client_group": "older_people",
}


def process_app(argv: list[str]):
    ras = definition("ras")
    settings = service_settings(ras, "sqlite+aiosqlite://", "127.0.0.1:1")
    return build_process_app(ras, settings, command_line(ras).parse_args(argv))


def paths(app) -> set[str]:
    return set(app.openapi()["paths"])


def test_worker_runs_messaging_and_serves_only_the_ops_endpoints():
    app = process_app(["worker", "--port", "9100"])
    assert {"/health", "/ready"} <= paths(app)
    assert not {"/people", "/reference-datasets"} & paths(app)
    assert app.state.settings.relay_enabled and app.state.settings.consumers_enabled


def test_serve_without_messaging_runs_the_api_alone():
    app = process_app(["serve", "--no-messaging"])
    assert {"/people", "/reference-datasets", "/health"} <= paths(app)
    assert not app.state.settings.relay_enabled and not app.state.settings.consumers_enabled


def test_serve_alone_runs_api_and_messaging():
    app = process_app(["serve"])
    assert "/people" in paths(app)
    assert app.state.settings.relay_enabled and app.state.settings.consumers_enabled


@pytest.mark.integration
async def test_an_api_process_and_worker_processes_together_carry_a_person_across(databases, broker):
    """RAS's API writes the outbox, RAS's worker publishes it, charging's worker copies it, and
    charging's API (no messaging) serves the copy: four processes, no part running twice."""

    def settings(name: str, **overrides):
        return service_settings(definition(name), databases[name], broker.bootstrap_servers, **overrides)

    api_only = {"relay_enabled": False, "consumers_enabled": False}
    async with AsyncExitStack() as stack:

        async def run(name: str, *, api: bool, **overrides) -> RunningService:
            service = RunningService(definition(name), settings(name, **overrides), api=api)
            return await stack.enter_async_context(service)

        ras_api = await run("ras", api=True, **api_only)
        charging_api = await run("charging", api=True, **api_only)
        await run("ras", api=False)
        charging_worker = await run("charging", api=False)
        for service in (ras_api, charging_api):
            await load_sample_council(service)
        await charging_worker.consumer_ready()
        assert ras_api.app.state.messaging.relay is None and ras_api.app.state.messaging.consumer is None
        assert (await charging_worker.client.get("/people")).status_code == 404
        assert (await charging_worker.client.get("/ready")).json()["consumer"] == "assigned"
        assert (await ras_api.client.get("/ready")).json()["broker"] == "not used by this process"

        response = await ras_api.client.post("/people", json=PERSON, headers=auth(Role.social_worker))
        assert response.status_code == 201, response.text
        copy_path = f"/people/{response.json()['person_id']}"

        async def copied() -> bool:
            return (await charging_api.client.get(copy_path, headers=auth(Role.finance_officer))).status_code == 200

        await wait_for(copied, 30, "charging's copy, carried by the two workers")


@pytest.mark.integration
def test_the_worker_command_starts_without_a_token_key_and_its_consumer_joins(broker, tmp_path):
    """`python -m charging worker` as Kubernetes runs it: migrated database, no JWT key, probes answer."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PB_JWT")} | {
        "PB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'charging.db'}",
        "PB_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "PB_KAFKA_ENABLE_IDEMPOTENCE": "false",
    }
    subprocess.run([sys.executable, "-m", "charging", "migrate"], env=env, check=True, timeout=120)
    worker = subprocess.Popen(
        [sys.executable, "-m", "charging", "worker", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        body: dict = {}
        while time.monotonic() < deadline and body.get("consumer") != "assigned":
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else "worker exited"
            with suppress(httpx.HTTPError):  # not listening yet
                body = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).json()
            time.sleep(0.2)
        assert body.get("consumer") == "assigned", body
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/people").status_code == 404
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
