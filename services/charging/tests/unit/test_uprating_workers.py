"""How many workers walk an uprating: the operator's number, else as the run's size and CPUs suit."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from charging.config import ChargingSettings
from charging.domain.walk import LANES
from charging.entrypoints import uprate_cli
from charging.service_layer.uprating_helpers import HELPERS_FROM, first_lane, workers_for


def test_a_large_run_on_postgresql_has_a_helper_where_two_cpus_may_be_used(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    assert workers_for(HELPERS_FROM, "postgresql", None) == 2
    assert workers_for(HELPERS_FROM - 1, "postgresql", None) == 1  # a helper's start is not paid back
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {3})  # a container given one CPU
    assert workers_for(10 * HELPERS_FROM, "postgresql", None) == 1


def test_the_operators_number_is_kept_on_postgresql_and_sqlite_has_one_writer():
    assert workers_for(5, "postgresql", 3) == 3
    assert workers_for(5, "postgresql", 99) == LANES  # never more workers than lanes
    assert workers_for(10 * HELPERS_FROM, "sqlite", 4) == 1


def test_workers_start_spread_over_the_lanes():
    assert [first_lane(n, 2) for n in range(2)] == [0, LANES // 2]
    assert [first_lane(n, 3) for n in range(3)] == [0, 5, 10]


def test_the_setting_is_read_from_the_environment_and_checked(monkeypatch):
    monkeypatch.setenv("PB_UPRATING_WORKERS", "3")
    assert ChargingSettings().uprating_workers == 3
    monkeypatch.setenv("PB_UPRATING_WORKERS", "0")
    with pytest.raises(ValidationError, match="uprating_workers"):
        ChargingSettings()


def test_the_command_takes_its_workers_from_its_option_else_the_setting(monkeypatch, tmp_path):
    asked = []

    async def uprate(year, database_url, page=0, workers=None):
        asked.append((year, workers))
        return []

    monkeypatch.setattr(uprate_cli, "uprate_every_council", uprate)
    monkeypatch.setenv("PB_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'charging.db'}")
    assert uprate_cli.main(["--year", "2026", "--workers", "3"]) == 0
    assert uprate_cli.main(["--year", "2026"]) == 0
    monkeypatch.setenv("PB_UPRATING_WORKERS", "2")
    assert uprate_cli.main(["--year", "2026"]) == 0
    assert asked == [(2026, 3), (2026, None), (2026, 2)]
    with pytest.raises(SystemExit):
        uprate_cli.main(["--year", "2026", "--workers", "17"])
