"""The benchmark harness runs end to end and writes its results file.

Only that it runs and what it writes are checked here: its figures are reported in
bench/results.md as ratios, never asserted against a clock.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration


def test_the_benchmark_runs_and_writes_its_results(tmp_path):
    stem = tmp_path / "results"
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--events", "300", "--output", str(stem)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    markdown = stem.with_suffix(".md").read_text()
    for figure in (
        "end-to-end throughput, burst of 300, against raw aiokafka",
        "end-to-end throughput, burst of 300, against PostgreSQL alone",
        "latency p99 at 1,000/s, against PostgreSQL alone",
        "idle RSS, ras",
        "idle RSS, ledger",
        "card statement import, 2,000 transactions on 40 cards, against plain COPY",
        "reconciliation of 40 card accounts",
    ):
        assert figure in markdown
    figures = json.loads(stem.with_suffix(".json").read_text())
    assert figures  # machine-readable copy written beside it
