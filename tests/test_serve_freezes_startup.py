"""The serve command sets the collector for a long-running server before it serves: startup's objects
set aside (a full collection of a service's some 150,000 held requests for tens of milliseconds) and
young collections far less often than every 700 allocations."""

from __future__ import annotations

import gc

import uvicorn

from pbshared.platform.cli import main
from pbshared.platform.collector import SERVING_THRESHOLD
from ras.bootstrap import SERVICE


def test_the_app_is_built_and_the_collector_set_before_uvicorn_serves_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PB_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'ras.db'}")
    monkeypatch.setenv("PB_JWT_SECRET", "test-secret-not-for-production-0123456789")
    when_served: list[tuple[int, int]] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **_: when_served.append((gc.get_freeze_count(), gc.get_threshold()[0]))
    )
    before = gc.get_threshold()
    try:
        assert main(SERVICE, ["serve", "--no-messaging", "--port", "0"]) == 0
    finally:
        gc.unfreeze()  # this test process goes on to build many apps
        gc.set_threshold(*before)
    [(frozen, young_threshold)] = when_served
    assert frozen > 10_000
    assert young_threshold == SERVING_THRESHOLD
