"""The README's run command works: every service starts on SQLite with the embedded broker, the
sample council loads, and people registered in RAS reach every other service through events."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tools.localstack import financial_year_of
from tools.services import SERVICE_NAMES
from tools.wording_demo import count, day, moment, money, outcome

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
    out = result.stdout
    # The people table says what its figures are, and its conclusion follows it at once.
    table = re.search(
        r"milliseconds from registering in RAS until each service had its own copy of the person:\n"
        r"(  .*\n){4}  Every copy arrived through Kafka events\.\n",
        out,
    )
    assert table, out
    # Read by a person: no HTTP status codes, ISO dates or timestamps, "(s)" plurals, or pounds written
    # any way but one (as_pounds: "GBP 1,234.56"). Paths, ports and ids are not prose, so are left out.
    prose = re.sub(r"(https?://|/)\S+", "", out[table.end() : out.index("APIs and their docs")])
    assert not re.search(r"\d{4}-\d\d-\d\d|\(\d{3}\)|: \d{3}\b|\(s\)|£", prose), prose
    assert not re.search(r"(?<!GBP )(?<!R² )(?<![\d.,])\d+\.\d\d(?! a package)", prose), prose
    assert len(re.findall(r"http://127\.0\.0\.1:\d+/docs", out)) == len(SERVICE_NAMES)
    assert "missing" not in out
    # A commissioner's step: the cohort stored, its fit with the far-off rows named, the models compared.
    assert "cohort of 42 past assessments stored" in out
    # RAS's step: the points priced by the council's formula, said once.
    assert re.search(r"(?m)^  Indicative budget: \d+ points x GBP [\d,]+\.\d\d a point a year", out)
    assert re.search(r"older people +fitted price GBP 5\.27 a point a week, R² 0\.65, outliers: OP-900", out)
    assert "model 2 against model 1: learning disability +3.3%, older people +4.5%" in out
    assert (tmp_path / "calibration.svg").read_text().startswith("<?xml")
    assert "pays GBP 130.60 a week from 2 June 2025, collected by the council" in out  # charging's step
    # The charge today is the ledger's contribution, and both say so.
    today = re.search(r"the charge is (GBP [\d,.]+) a week: the same assessment", out)
    assert today and f"less {today[1]} her contribution" in out, out
    # Health's step: a discharge starts free reablement; RAS registers the person; CHC is decided.
    assert re.search(r"reablement from \d+ [A-Z][a-z]+ \d{4}, free until", out)
    assert "RAS registered Margaret Okafor from the NHS's message" in out
    assert "eligible for continuing healthcare" in out
    # Brokerage: the broker's package is for someone whose care the council arranges, said beside it,
    # not for Edith, who takes a direct payment; so the day's figures count that one package.
    assert "the broker raises a package for Joan Whitfield (WY-0003): the council arranges her home care" in out
    assert re.search(r"bids close \d+ [A-Z][a-z]+ \d{4} at \d\d:\d\d UTC", out)
    assert out.count("an hour (accepted), and sees 1 bid: its own") == 2
    assert "market figures for today: 1 package requested, 2 bids (" in out
    assert (tmp_path / "market-figures.svg").read_text().startswith("<?xml")
    # The ledger's steps: the budget is a direct payment, so a run pays it and the card's statement is
    # imported once and reconciled.
    assert re.search(
        r"Payment run \d+ [A-Z][a-z]+ \d{4}: finished, 1 payment, GBP [1-9][\d,]*\.\d\d; "
        r"run again: the same job \(nothing added\); payment file for the card provider: 1 line\n",
        out,
    )
    assert re.search(
        r"imported \d+ transactions: \d+ new, \d+ flagged for a finance officer to check \(a gambling merchant\); "
        r"uploaded again: the same job, nothing added",
        out,
    )
    assert re.search(r"reconciled [^:]+: (the provider and the ledger agree|provider minus ledger)", out)
    # The ledger's card step: a statement with a bad line refused whole, the line named.
    assert "a statement with a bad line: refused: nothing stored (line 3 amount" in out
    assert re.search(r"The annual uprating for \d{4}/\d\d, run by a finance officer as a job:", out)
    assert re.search(r"finished: \d+ (person|people) with a current assessment; charges \d+ up, \d+ down", out)
    assert "started again: the same job, finished, nothing done twice" in out


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
        assert "Stopping the services and the broker." in process.stdout.read()  # said, not a silent return
    finally:
        if process.poll() is None:
            process.kill()
    still_listening = [port for port in ports if _listening(port)]
    assert still_listening == [], f"left running on {still_listening}"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_demonstration_writes_money_dates_and_outcomes_for_a_person():
    assert money(123456) == "GBP 1,234.56"
    assert money(-48700) == "-GBP 487.00"
    assert day("2026-11-24") == "24 November 2026"
    assert moment("2026-11-25T06:41:53.449091Z") == "25 November 2026 at 06:41 UTC"
    assert moment("2026-11-25T07:41:00+01:00") == "25 November 2026 at 06:41 UTC"
    assert outcome(201) == "accepted"
    assert outcome(422) == "refused: nothing stored"
    assert (count(1, "package"), count(2, "bid"), count(0, "payment")) == ("1 package", "2 bids", "0 payments")
    # The uprating the demonstration runs is this financial year's, which starts in April.
    assert (financial_year_of(date(2026, 11, 24)), financial_year_of(date(2027, 3, 31))) == (2026, 2026)
    assert financial_year_of(date(2027, 4, 1)) == 2027
