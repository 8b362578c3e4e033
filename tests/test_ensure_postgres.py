"""scripts/ensure-postgres checks the server the tests will use: the one PB_TEST_POSTGRES_URL names
when it is set, not the host and port variables' defaults."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ensure_postgres(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / "ensure-postgres")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_server_the_url_names_is_the_one_checked():
    # A port nothing listens on, overridden by a URL naming the running server: answered at once.
    done = ensure_postgres(
        PB_TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres", PB_TEST_POSTGRES_PORT="5999"
    )
    assert done.returncode == 0, done.stderr


def test_a_url_naming_a_server_that_is_not_there_fails_naming_it():
    done = ensure_postgres(
        PB_TEST_POSTGRES_URL="postgresql://someone:secret@192.0.2.1:6543/x", PB_ENSURE_POSTGRES_WAIT_SECONDS="1"
    )
    assert done.returncode == 1
    assert "192.0.2.1:6543" in done.stderr and "secret" not in done.stderr
