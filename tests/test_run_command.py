"""The README's run command works: every service starts on SQLite with the embedded broker, the
sample council loads, and people registered in RAS reach every other service through events."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration


def test_the_local_stack_shows_every_copy_arriving(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tools.localstack", "--exit-after-demo", "--free-ports", "--run-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Every copy arrived through Kafka events." in result.stdout
    assert len(re.findall(r"http://127\.0\.0\.1:\d+/docs", result.stdout)) == 4
    assert "missing" not in result.stdout
