"""A service given no database, or a database not migrated to its release, says so instead of
answering requests with "no such table"; the public development secret only runs in development,
where it is also what a service takes when given no secret."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from pbshared.platform.app import build_app
from pbshared.platform.auth import Role, TokenVerifier
from pbshared.platform.migrations import upgrade
from pbshared.platform.settings import DEV_SECRET, ConfigurationError
from pbshared.platform.tokens import mint
from pbshared.testing.harness import TEST_SECRET, RunningService, service_settings
from tools.services import definition


def _environment_without_pb_settings() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("PB_")}


def test_without_a_database_url_a_service_refuses_to_start_and_creates_nothing(tmp_path):
    env = {**_environment_without_pb_settings(), "PB_JWT_SECRET": TEST_SECRET}
    for command in (["migrate"], ["serve", "--port", "1"]):
        result = subprocess.run(
            [sys.executable, "-m", "ras", *command],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2, command
        assert "ras will not start" in result.stderr and "PB_DATABASE_URL" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr, "a refusal is one clear line, not a stack trace"
    assert list(tmp_path.iterdir()) == [], "no SQLite file may be created"


def test_a_development_run_may_use_a_sqlite_file_without_a_database_url(monkeypatch):
    monkeypatch.delenv("PB_DATABASE_URL", raising=False)
    settings = definition("ras").settings_cls(environment="development", jwt_secret=TEST_SECRET)
    assert settings.resolved_database_url() == "sqlite+aiosqlite:///var/ras.db"


def test_the_public_development_secret_stops_a_production_start(tmp_path):
    ras = definition("ras")
    url = f"sqlite+aiosqlite:///{tmp_path}/ras.db"
    with pytest.raises(ConfigurationError, match="public development secret"):
        build_app(ras, service_settings(ras, url, "127.0.0.1:1", jwt_secret=DEV_SECRET))
    build_app(ras, service_settings(ras, url, "127.0.0.1:1", jwt_secret=DEV_SECRET, environment="development"))


def test_without_a_secret_only_a_development_run_starts_and_it_takes_the_public_one(monkeypatch):
    monkeypatch.delenv("PB_JWT_SECRET", raising=False)
    monkeypatch.delenv("PB_JWT_PUBLIC_KEY", raising=False)
    ras = definition("ras")
    with pytest.raises(ConfigurationError, match="PB_JWT_SECRET"):
        TokenVerifier(ras.settings_cls(environment="production"))
    verifier = TokenVerifier(ras.settings_cls(environment="development"))
    token = mint(role=Role.social_worker, council_id="wyvernshire", secret=DEV_SECRET)  # what pb-token gives
    assert verifier.authenticate(f"Bearer {token}").role is Role.social_worker


async def test_ready_reports_a_database_whose_migrations_are_not_at_this_releases_head(tmp_path):
    ras = definition("ras")
    url = f"sqlite+aiosqlite:///{tmp_path}/ras.db"
    settings = service_settings(ras, url, "127.0.0.1:1", relay_enabled=False, consumers_enabled=False)
    async with RunningService(ras, settings) as service:

        async def ready() -> tuple[int, dict]:
            response = await service.client.get("/ready")
            body = response.json()
            body.pop("correlation_id", None)  # every error answer carries one
            return response.status_code, body

        assert await ready() == (503, {"status": "unavailable", "database": "migrations behind"})

        await asyncio.to_thread(upgrade, ras.migrations_dir, url)
        status, body = await ready()
        assert (status, body["database"]) == (200, "ok")

        async with service.sessions() as session, session.begin():
            await session.execute(text("UPDATE alembic_version SET version_num = 'from-a-newer-release'"))
        assert await ready() == (503, {"status": "unavailable", "database": "migrations ahead of this release"})
