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


def run_bench(module: str, stem: Path, *args: str) -> str:
    """Runs a bench module writing to `stem`; returns the Markdown it wrote."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args, "--output", str(stem)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return stem.with_suffix(".md").read_text()


def test_the_benchmark_runs_and_writes_its_results(tmp_path):
    stem = tmp_path / "results"
    markdown = run_bench("bench.run", stem, "--quick", "--events", "300", "--bids", "64", "--evaluate", "20")
    for figure in (
        "end-to-end throughput, burst of 300, against raw aiokafka",
        "end-to-end throughput, burst of 300, against PostgreSQL alone",
        "latency p99 at 1,000/s, against PostgreSQL alone",
        "idle RSS, ras",
        "scoring previews a second at 50 clients, against a bare token check",
        "stored assessments a second at 50 clients, against a bare one-row commit",
        "idle RSS, ledger",
        "bids accepted per second (64 bids, 32 at once), against a bare endpoint",
        "bid latency p99 (64 bids, 32 at once)",
        "evaluation of 20 closed packages of 20 bids",
        "card statement import, 2,000 transactions on 40 cards, against plain COPY",
        "reconciliation of 40 card accounts",
    ):
        assert figure in markdown
    figures = json.loads(stem.with_suffix(".json").read_text())
    assert figures  # machine-readable copy written beside it


def test_the_payment_run_benchmark_runs_and_writes_its_results(tmp_path):
    markdown = run_bench("bench.payment_run", tmp_path / "payment-run", "--agreements", "30")
    assert "payment run in PostgreSQL" in markdown and "bare INSERT of as many transfer rows" in markdown


def test_the_uprating_benchmark_runs_and_writes_its_results(tmp_path):
    markdown = run_bench("bench.uprating", tmp_path / "uprating", "--people", "300", "--runs", "2")
    for figure in ("uprating in PostgreSQL", "same charges in memory", "ratio of the two rates", "resident memory"):
        assert figure in markdown
    [each_run] = [line for line in markdown.splitlines() if line.startswith("| each run's ratio")]
    assert "of 2 at or above 0.3" in each_run and each_run.count(", ") == 1  # two runs, each reported
