"""Idle resident memory of each service, started as a real process the way it is deployed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

from bench.parameters import IDLE_RSS_TARGET_MIB, Parameters
from bench.report import Figure, Results
from pbshared.testing.broker import free_port
from tools import services

MIB = 2**20


def measure_idle_memory(results: Results, p: Parameters, bootstrap: str) -> None:
    baseline = bare_python_rss(settle_seconds=1.0)
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as workdir:
        for name in services.SERVICE_NAMES:
            figure = results.add(
                Figure(f"idle RSS, {name}", "MiB", None, baseline, f"< {IDLE_RSS_TARGET_MIB:.0f} MiB", False)
            )
            try:
                figure.measured, ready = service_rss(name, bootstrap, Path(workdir), p.idle_seconds)
            except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
                # One service that will not start should not cost the figures already measured.
                log_tail = (Path(workdir) / f"{name}.log").read_text(errors="replace")[-400:]
                results.details[f"{name} failed"] = f"{error}; end of its log: {log_tail!r}"
                continue
            figure.met = figure.measured < IDLE_RSS_TARGET_MIB
            results.details[f"{name} /ready after idling"] = ready


def bare_python_rss(settle_seconds: float) -> float:
    """The baseline: an interpreter that imports nothing, measured after it settled."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        time.sleep(settle_seconds)
        return psutil.Process(process.pid).memory_info().rss / MIB
    finally:
        _stop(process)


def service_rss(name: str, bootstrap: str, workdir: Path, idle_seconds: float) -> tuple[float, str]:
    """Migrate, serve, wait until healthy and its consumer joined, idle; returns RSS and /ready."""
    env = {
        **os.environ,
        "PB_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/{name}.db",
        "PB_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "PB_KAFKA_ENABLE_IDEMPOTENCE": "false",  # Tansu lacks InitProducerId
        "PB_JWT_SECRET": "bench-secret-not-for-production-0123456789",
    }
    log = (workdir / f"{name}.log").open("wb")
    subprocess.run([sys.executable, "-m", name, "migrate"], env=env, stdout=log, stderr=log, check=True)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", name, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    try:
        _wait_for_health(port, process)
        _wait_for_consumer(port)
        time.sleep(idle_seconds)
        rss = psutil.Process(process.pid).memory_info().rss / MIB
        return rss, _get(port, "/ready")
    finally:
        _stop(process)
        log.close()


def _wait_for_health(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"service exited with {process.returncode} before it was healthy")
        try:
            _get(port, "/health")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no /health answer on port {port} within {timeout}s")


def _wait_for_consumer(port: int, timeout: float = 30.0) -> None:
    """A consumer that has joined its group holds fetch buffers: measure it as it idles in service.

    Joining takes Tansu several seconds. If it takes longer than `timeout`, measure anyway: /ready
    in the results then says "joining group".
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if json.loads(_get(port, "/ready")).get("consumer") != "joining group":
            return
        time.sleep(0.5)


def _get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
        return response.read().decode()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
