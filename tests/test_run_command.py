"""The README's run command works: every service starts on SQLite with the embedded broker, the
sample council loads, and people registered in RAS reach every other service through events."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tools.services import SERVICE_NAMES

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
    assert len(re.findall(r"http://127\.0\.0\.1:\d+/docs", result.stdout)) == len(SERVICE_NAMES)
    assert "missing" not in result.stdout
    # A commissioner's step: the cohort stored, its fit with the far-off rows named, the models compared.
    assert "cohort of 42 past assessments stored" in result.stdout
    assert re.search(r"older people +fitted price £5\.27 a point a week, R² 0\.65, outliers: OP-900", result.stdout)
    assert "model 2 against model 1: learning disability +3.3%, older people +4.5%" in result.stdout
    assert (tmp_path / "calibration.svg").read_text().startswith("<?xml")
    assert "pays 130.60 a week from 2025-06-02, collected by the council" in result.stdout  # charging's step
    # Health's step: a discharge starts free reablement; RAS registers the person; CHC is decided.
    assert re.search(r"reablement from \d{4}-\d\d-\d\d, free until", result.stdout)
    assert "RAS registered Margaret Okafor from the NHS's message" in result.stdout
    assert "eligible for continuing healthcare" in result.stdout
    # Brokerage's market figures: the packages of the day (the broker's, perhaps the budget's) and the
    # two sealed bids, and the chart.
    assert re.search(r"market figures for today: \d+ package\(s\) requested, 2 bids \(", result.stdout)
    assert (tmp_path / "market-figures.svg").read_text().startswith("<?xml")
    assert re.search(
        r"Payment run \d{4}-\d\d-\d\d: finished, .*run again: the same job \(nothing added\)", result.stdout
    )
    # The ledger's card step: a statement with a bad line refused whole, the line named.
    assert "a statement with bad lines: 422, nothing stored; line 3 amount" in result.stdout


def test_stopping_the_local_stack_stops_the_broker_and_every_service(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.localstack", "--free-ports", "--run-dir", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    try:
        for line in process.stdout:
            output.append(line)
            if line.startswith("Running."):
                break
        ports = {int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)", "".join(output))}
        assert len(ports) == 1 + len(SERVICE_NAMES), "".join(output)  # the broker and every service
        process.send_signal(signal.SIGTERM)  # `kill`, as a process manager stops it
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    still_listening = [port for port in ports if _listening(port)]
    assert still_listening == [], f"left running on {still_listening}"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0
