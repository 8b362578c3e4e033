"""RAS under load: scoring previews and stored assessments at 50 concurrent clients, each beside a
bare FastAPI endpoint that verifies the same token (bench/bare_app.py) and returns a constant, or
commits one row to the same PostgreSQL database.

Both servers run as real processes the way a service is deployed (`python -m ras serve
--no-messaging`, one uvicorn worker each); the clients share this process and the machine's cores
with them, the same for the measured path and its baseline. Figures are reported as ratios, never
asserted against a clock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.memory import _stop, _wait_for_health
from bench.parameters import Parameters
from bench.report import Figure, Results, percentile
from pbshared.platform.auth import Role
from pbshared.platform.cli import load_council
from pbshared.platform.tokens import mint
from pbshared.testing.broker import free_port
from ras.bootstrap import SERVICE

COUNCIL_DIRECTORY = Path(__file__).resolve().parents[1] / "councils" / "wyvernshire"
COUNCIL = "wyvernshire"
SECRET = "bench-secret-not-for-production-0123456789"
ON = "2026-05-01"  # the sample council's second model is in force
CLIENTS = 50
THROUGHPUT_RATIO_TARGET = 0.5
P99_RATIO_TARGET = 2.0
PREVIEW_P99_TARGET_MS = 50.0

Body = Callable[[int, int], dict[str, Any]]


@dataclass(frozen=True)
class Load:
    answered: int
    seconds: float
    latencies_ms: list[float]
    failures: int

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float | None:
        return percentile(self.latencies_ms, 50)

    @property
    def p99_ms(self) -> float | None:
        return percentile(self.latencies_ms, 99)

    def __add__(self, other: Load) -> Load:
        return Load(
            self.answered + other.answered,
            self.seconds + other.seconds,
            self.latencies_ms + other.latencies_ms,
            self.failures + other.failures,
        )


async def _alternating(
    rounds: int, baseline: Callable[[], Awaitable[Load]], measured: Callable[[], Awaitable[Load]]
) -> tuple[Load, Load]:
    total_baseline, total_measured = Load(0, 0.0, [], 0), Load(0, 0.0, [], 0)
    for _ in range(rounds):
        total_baseline += await baseline()
        total_measured += await measured()
    return total_baseline, total_measured


def measure_ras(results: Results, p: Parameters, database_url: str, workdir: Path) -> None:
    measure(results, p.ras_seconds, database_url, workdir)


def measure(results: Results, seconds: float, database_url: str, workdir: Path) -> None:
    asyncio.run(load_council(SERVICE, COUNCIL_DIRECTORY, database_url))
    env = {
        **os.environ,
        "PB_DATABASE_URL": database_url,
        "PB_JWT_SECRET": SECRET,
        "PB_LOG_LEVEL": "WARNING",
    }
    with (
        _server([sys.executable, "-m", "ras", "serve", "--no-messaging"], env, workdir / "ras.log") as ras,
        _server([sys.executable, "-m", "bench.bare_app"], env, workdir / "bare.log") as bare,
    ):
        asyncio.run(_measure(results, seconds, ras, bare))


async def _measure(results: Results, seconds: float, ras: str, bare: str) -> None:
    headers = {"Authorization": f"Bearer {mint(role=Role.social_worker, council_id=COUNCIL, secret=SECRET)}"}
    answers, person_ids = await _prepare(ras, headers)
    preview_body = {"assessment_date": ON, "model_version": 2, "client_group": "older_people", "answers": answers}

    def stored_body(client: int, _n: int) -> dict[str, Any]:
        return _assessment(person_ids[client], answers)

    # The machine may be shared: each path and its baseline take turns in short rounds, so a change
    # of load in between falls on both rather than on one.
    rounds = max(1, round(seconds))
    each = seconds / rounds
    bare_constant, preview = await _alternating(
        rounds,
        lambda: _load(f"{bare}/constant", lambda c, n: preview_body, headers, each, each / 4),
        lambda: _load(f"{ras}/assessments/preview", lambda c, n: preview_body, headers, each, each / 4),
    )
    bare_row, stored = await _alternating(
        rounds,
        lambda: _load(f"{bare}/row", lambda c, n: {}, headers, each, each / 4),
        lambda: _load(f"{ras}/assessments", stored_body, headers, each, each / 4),
    )

    where = f"at {CLIENTS} clients"
    _throughput(results, f"scoring previews a second {where}, against a bare token check", preview, bare_constant)
    _latency(results, f"preview p50 {where}", preview.p50_ms, bare_constant.p50_ms)
    p99 = _latency(results, f"preview p99 {where}", preview.p99_ms, bare_constant.p99_ms)
    p99.target = f"ratio <= {P99_RATIO_TARGET:.0f} and < {PREVIEW_P99_TARGET_MS:.0f} ms"
    p99.met = _p99_met(preview, bare_constant) and preview.p99_ms is not None and preview.p99_ms < 50.0
    _throughput(results, f"stored assessments a second {where}, against a bare one-row commit", stored, bare_row)
    _latency(results, f"stored assessment p50 {where}", stored.p50_ms, bare_row.p50_ms)
    p99 = _latency(results, f"stored assessment p99 {where}", stored.p99_ms, bare_row.p99_ms)
    p99.target, p99.met = f"ratio <= {P99_RATIO_TARGET:.0f}", _p99_met(stored, bare_row)
    for name, load in (("preview", preview), ("bare constant", bare_constant), ("stored", stored), ("row", bare_row)):
        if load.failures:
            results.details[f"RAS bench: {name} answers other than 2xx"] = load.failures


def _throughput(results: Results, name: str, measured: Load, baseline: Load) -> None:
    figure = results.add(
        Figure(name, "requests/s", measured.per_second, baseline.per_second, f"ratio >= {THROUGHPUT_RATIO_TARGET}")
    )
    figure.met = figure.ratio is not None and figure.ratio >= THROUGHPUT_RATIO_TARGET and not measured.failures


def _latency(results: Results, name: str, measured: float | None, baseline: float | None) -> Figure:
    return results.add(Figure(name, "ms", measured, baseline))


def _p99_met(measured: Load, baseline: Load) -> bool:
    if measured.p99_ms is None or not baseline.p99_ms:
        return False
    return measured.p99_ms <= P99_RATIO_TARGET * baseline.p99_ms


async def _prepare(ras: str, headers: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The answers a full questionnaire gives under the model in force, and one person per client."""
    async with httpx.AsyncClient(base_url=ras, headers=headers, timeout=30) as client:
        model = (await client.get(f"/ras-model?on={ON}")).raise_for_status().json()
        answers = {q["id"]: q["options"][-1]["id"] for d in model["domains"] for q in d["questions"]}
        people = []
        for n in range(CLIENTS):
            person = {
                "council_person_id": f"BENCH-{n:04d}",
                "given_name": "Bench",
                "family_name": f"Person {n}",
                "date_of_birth": "1940-01-01",
                "postcode": "SK1 3XE",
                "client_group": "older_people",
            }
            people.append((await client.post("/people", json=person)).raise_for_status().json()["person_id"])
    return answers, people


# What a long-term assessment that found eligible needs records besides its answers.
RECORD = {
    "assessment_type": "long_term",
    "outcome": "progress_to_support_planning",
    "method": "face_to_face",
    "eligible_needs": True,
    "outcomes_not_achieved": ["maintaining_personal_hygiene", "managing_toilet_needs"],
    "accommodation_status": "owner_occupier_or_shared_ownership",
    "primary_support_reason": "physical_support_personal_care",
    "has_unpaid_carer": False,
}


def _assessment(person_id: str, answers: dict[str, str]) -> dict[str, Any]:
    dates = {"assessment_date": ON, "start_date": ON, "end_date": ON}
    return {"person_id": person_id, "model_version": 2, "answers": answers, **dates, **RECORD}


async def _load(url: str, body: Body, headers: dict[str, str], seconds: float, warmup: float) -> Load:
    """CLIENTS clients, each on its own keep-alive connection sending its next request as soon as the
    last is answered (closed loop), for `warmup` seconds unmeasured and then `seconds` measured."""
    connections = [await Connection.open(url, headers) for _ in range(CLIENTS)]
    try:
        await _run(connections, body, time.monotonic() + warmup, [], [])
        latencies: list[float] = []
        failures: list[int] = []
        started = time.monotonic()
        await _run(connections, body, started + seconds, latencies, failures)
        elapsed = time.monotonic() - started
    finally:
        for connection in connections:
            connection.close()
    return Load(len(latencies), elapsed, latencies, len(failures))


async def _run(
    connections: list[Connection], body: Body, until: float, latencies: list[float], failures: list[int]
) -> None:
    async def one(index: int, connection: Connection) -> None:
        n = 0
        while time.monotonic() < until:
            sent = time.perf_counter()
            status = await connection.post(body(index, n))
            took = (time.perf_counter() - sent) * 1000
            if 200 <= status < 300:
                latencies.append(took)
            else:
                failures.append(status)
            n += 1

    await asyncio.gather(*(one(i, c) for i, c in enumerate(connections)))


class Connection:
    """A minimal HTTP/1.1 keep-alive client: a general client's own overhead (httpx's pool slows
    sharply at 50 concurrent connections) would measure the client rather than the servers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes):
        self._reader, self._writer, self._head = reader, writer, head

    @classmethod
    async def open(cls, url: str, headers: dict[str, str]) -> Connection:
        address = httpx.URL(url)
        reader, writer = await asyncio.open_connection(address.host, address.port)
        lines = [f"POST {address.raw_path.decode()} HTTP/1.1", f"Host: {address.host}:{address.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines += ["Content-Type: application/json", "Connection: keep-alive"]
        return cls(reader, writer, ("\r\n".join(lines) + "\r\n").encode())

    async def post(self, body: dict[str, Any]) -> int:
        payload = json.dumps(body).encode()
        self._writer.write(self._head + b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        length = next(
            (int(v) for k, _, v in (h.partition(":") for h in header_lines) if k.lower() == "content-length"), 0
        )
        await self._reader.readexactly(length)
        return int(status_line.split(" ", 2)[1])

    def close(self) -> None:
        self._writer.close()


@contextmanager
def _server(command: list[str], env: dict[str, str], log_path: Path) -> Iterator[str]:
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen([*command, "--port", str(port)], env=env, stdout=log, stderr=log)
        try:
            _wait_for_health(port, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            _stop(process)


def main(argv: list[str] | None = None) -> int:
    """This benchmark alone, in a fresh PostgreSQL database of its own."""
    from bench import report
    from pbshared.platform.migrations import upgrade
    from pbshared.testing.postgres import create_database, drop_database

    parser = argparse.ArgumentParser(prog="python -m bench.ras", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="each load, in one-second rounds (default 10)")
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "ras-results")
    args = parser.parse_args(argv)
    results = Results(parameters={"ras_seconds": args.seconds, "clients": CLIENTS}, command="python -m bench.ras")
    results.details["load average before the run"] = _load_average()
    url = create_database("bench_ras")
    try:
        upgrade(SERVICE.migrations_dir, url, metadata=SERVICE.metadata)
        with tempfile.TemporaryDirectory(prefix="pb-bench-ras-") as workdir:
            measure(results, args.seconds, url, Path(workdir))
    finally:
        drop_database(url)
    results.details["load average after the run"] = _load_average()
    print(report.table(results))
    for key, value in results.details.items():
        print(f"{key}: {value}")
    report.write(results, args.output)
    return 0


def _load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1 / 5 / 15 min)"


if __name__ == "__main__":
    raise SystemExit(main())
