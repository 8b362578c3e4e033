"""The whole system on one machine, no Docker: `scripts/run` (or `make run`).

Starts the embedded broker (Tansu) and every service on SQLite, loads the sample council, registers
a few people through the RAS API, shows each service's copy of them arriving through events,
assesses one and agrees a support plan taken as a direct payment, shows a commissioner calibrating
the RAS against a cohort of past costs, then charging, brokerage, health, the ledger's payment run and
card statements, and says where the APIs and their docs are. The output is written for a social
worker, finance officer or commissioner to read (tools/wording_demo.py). Ctrl-C stops everything;
`--exit-after-demo` stops after the demonstration (the test suite runs it that way).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx

from pbshared.platform.auth import Role
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.platform.tokens import DEV_SECRET, mint
from pbshared.testing.broker import TansuBroker, free_port
from tools.brokerage_demo import demonstrate_brokerage, demonstrate_market_figures
from tools.commissioning_demo import demonstrate_commissioning
from tools.health_demo import demonstrate_health
from tools.ledger_cards_demo import demonstrate_card_statements
from tools.ledger_demo import demonstrate_ledger
from tools.services import PORTS, SERVICE_NAMES, definition
from tools.uprating_demo import demonstrate_uprating
from tools.wording_demo import day, money, plain

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_COUNCIL = ROOT / "councils" / "wyvernshire"


def copy_readers() -> dict[str, str]:
    """Each service that keeps a copy of people, and a role that may read it (the first in role order)."""
    readers = {}
    for name in SERVICE_NAMES:
        copies = definition(name).person_copies
        if copies is not None:
            readers[name] = next(role.value for role in Role if role in copies.readers)
    return readers


DEMO_PEOPLE = [
    {
        "council_person_id": "WY-0001",
        "nhs_number": "943 476 5919",
        "given_name": "Edith",
        "family_name": "Ashworth",
        "date_of_birth": "1938-05-14",
        "postcode": "WV1 1AA",
        "client_group": "older_people",
    },
    {
        "council_person_id": "WY-0002",
        "nhs_number": "900 000 0009",
        "given_name": "Samir",
        "family_name": "Patel",
        "date_of_birth": "1991-09-02",
        "postcode": "WV2 4LP",
        "client_group": "learning_disability",
    },
    {
        "council_person_id": "WY-0003",
        "given_name": "Joan",
        "family_name": "Whitfield",
        "date_of_birth": "1962-01-30",
        "postcode": "WV3 0QT",
        "client_group": "physical_disability",
    },
]


class Stack:
    def __init__(self, run_dir: Path, ports: dict[str, int], broker_port: int):
        self.run_dir = run_dir
        self.ports = ports
        self.broker = TansuBroker(broker_port)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def env(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "PB_ENVIRONMENT": "development",  # allows the public development secret
            "PB_DATABASE_URL": f"sqlite+aiosqlite:///{self.run_dir / name}.db",
            "PB_KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
            "PB_KAFKA_ENABLE_IDEMPOTENCE": "false",  # the embedded broker, Tansu, lacks InitProducerId
            "PB_JWT_SECRET": os.environ.get("PB_JWT_SECRET", DEV_SECRET),
            "PB_LOG_JSON": "true",
            "PB_LOG_LEVEL": "INFO",
        }

    def start(self) -> None:
        say(f"broker    Tansu on {self.broker.bootstrap_servers} (memory only: restarts start empty)")
        self.broker.start()
        for name in SERVICE_NAMES:
            subprocess.run([sys.executable, "-m", name, "migrate"], env=self.env(name), check=True, cwd=ROOT)
            log = open(self.run_dir / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", name, "serve", "--port", str(self.ports[name])],
                env=self.env(name),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        for name in SERVICE_NAMES:
            self.wait_ready(name)
            say(f"{name:<9} {self.url(name)}  (log: {self.run_dir / name}.log)")

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def wait_ready(self, name: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise SystemExit(f"{name} exited; see {self.run_dir / name}.log")
            try:
                response = httpx.get(f"{self.url(name)}/ready", timeout=1)
                # Ready, and its consumer (if any) holds partitions, so events reach it at once.
                if response.status_code == 200 and response.json().get("consumer") != "joining group":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{name} was not ready within {timeout}s; see {self.run_dir / name}.log")

    def stop(self) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGINT)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.broker.stop()


def headers(role: str) -> dict[str, str]:
    secret = os.environ.get("PB_JWT_SECRET", DEV_SECRET)
    return {"Authorization": f"Bearer {mint(role=role, council_id='wyvernshire', secret=secret)}"}


def load_sample_council(stack: Stack) -> None:
    for document in read_council_directory(SAMPLE_COUNCIL):
        # Like `load-council`: each service takes the kinds it holds and ignores the rest. An operator
        # sets the council up; its admin loads the rest.
        for name in (n for n in SERVICE_NAMES if document["kind"] in definition(n).kinds()):
            loader = "operator" if document["kind"] == "council" else "admin"
            response = httpx.post(f"{stack.url(name)}/reference-datasets", json=document, headers=headers(loader))
            if response.status_code not in (200, 201):
                raise SystemExit(f"{name} refused {document['kind']}: {response.text}")
    say(f"council   {SAMPLE_COUNCIL.name}: reference data loaded into every service")


def demonstrate(stack: Stack, timeout: float = 30) -> bool:
    """Register the demo people in RAS and watch each copy arrive; True if every copy arrived."""
    say("\nRegistering people through the RAS API, then reading each service's own copy:")
    registered = []
    for person in DEMO_PEOPLE:
        started = time.monotonic()
        response = httpx.post(f"{stack.url('ras')}/people", json=person, headers=headers("social_worker"))
        if response.status_code == 409:  # kept data from an earlier run
            response = httpx.get(
                f"{stack.url('ras')}/people",
                params={"council_person_id": person["council_person_id"]},
                headers=headers("social_worker"),
            )
            body = response.json()[0]
        elif response.status_code == 201:
            body = response.json()
        else:
            raise SystemExit(f"RAS refused {person['council_person_id']}: {response.text}")
        registered.append((body, started))

    all_arrived = True
    readers = copy_readers()
    say("  milliseconds from registering in RAS until each service had its own copy of the person:")
    say(f"  {'person':<26}" + "".join(f"{name:>14}" for name in readers))
    for body, started in registered:
        cells = []
        for name, role in readers.items():
            arrived = wait_for_copy(stack, name, role, body["person_id"], started, timeout)
            all_arrived &= arrived is not None
            cells.append(f"{arrived * 1000:>11.0f} ms" if arrived is not None else f"{'missing':>14}")
        label = f"{body['given_name']} {body['family_name']} ({body['council_person_id']})"
        say(f"  {label:<26}" + "".join(cells))
    say("  Every copy arrived through Kafka events." if all_arrived else "  Some copies did not arrive: see the logs.")
    return all_arrived


def demonstrate_budget(stack: Stack) -> bool:
    """The first demo person assessed today and a support plan costed and decided; True if agreed or
    waiting for the right approver (the figures are the sample council's)."""
    ras, social_worker = stack.url("ras"), headers("social_worker")
    person = DEMO_PEOPLE[0]
    found = httpx.get(f"{ras}/people", params={"council_person_id": person["council_person_id"]}, headers=social_worker)
    person_id = found.json()[0]["person_id"]
    today = time.strftime("%Y-%m-%d")
    model = httpx.get(f"{ras}/ras-model", params={"on": today}, headers=social_worker).json()
    answers = {q["id"]: q["options"][-1]["id"] for d in model["domains"] for q in d["questions"] if q["mandatory"]}
    assessment = {
        "person_id": person_id,
        "assessment_date": today,
        "model_version": model["version"],
        "answers": answers,
        "assessment_type": "long_term",
        "method": "face_to_face",
        "start_date": today,
        "end_date": today,
        "outcome": "progress_to_support_planning",
        "eligible_needs": True,
        "outcomes_not_achieved": ["maintaining_personal_hygiene", "managing_toilet_needs"],
        "primary_support_reason": "physical_support_personal_care",
        "accommodation_status": "owner_occupier_or_shared_ownership",
        "has_unpaid_carer": False,
    }
    scored = httpx.post(f"{ras}/assessments", json=assessment, headers=social_worker)
    if scored.status_code != 201:
        say(f"RAS refused the assessment: {scored.text}")
        return False
    score = scored.json()
    say(
        f"\nAssessing {person['given_name']} {person['family_name']} with {model['name']} (version {model['version']}):"
    )
    say(f"  {score['explanation'][-2]}")  # e.g. "Indicative budget: 57 points x GBP 230.00 a point a year ..."
    say(f"  indicative budget {money(score['indicative_weekly_pence'])} a week")
    # Taken as a direct payment, so the ledger's steps pay it onto a card and reconcile the card's statement.
    service = {"service_type": "home_care", "units_per_week": "10", "delivery": "direct_payment"}
    plan = {
        "assessment_id": score["assessment_id"],
        "start_date": today,
        "services": [service],
        "justification": "Morning and evening calls.",
    }
    planned = httpx.post(f"{ras}/support-plans", json=plan, headers=social_worker)
    if planned.status_code != 201:
        say(f"RAS refused the support plan: {planned.text}")
        return False
    budget = planned.json()
    say(
        f"  support plan: home care 10 hours a week, taken as a direct payment, {money(budget['weekly_pence'])} "
        f"a week: {plain(budget['status'])}"
        + (f", next review {day(budget['next_review_date'])}" if budget["next_review_date"] else "")
    )
    return True


# Why the broker's package is for the third demo person, not the first: said beside the package.
BROKERED_WHY = (
    f"the council arranges her home care; {DEMO_PEOPLE[0]['given_name']} takes her budget as a direct payment "
    "and arranges her own"
)

# Edith's finances, for the charging step of the demonstration (care at home in 2025/26).
DEMO_CIRCUMSTANCES = {
    "assessed_on": "2025-06-02",
    "setting": "at_home",
    "weekly_cost_of_care_pence": 28500,
    "minimum_income_guarantee_allowance": "single_pension_credit_age",
    "income": [
        {"kind": "state_pension", "weekly_pence": 23030},
        {"kind": "private_pension", "weekly_pence": 6400},
        {"kind": "attendance_allowance_lower", "weekly_pence": 7390},
    ],
    "own_capital_pence": 1800000,
}


def demonstrate_charging(stack: Stack) -> bool:
    """Record a financial assessment for the first demo person and show how the charge was worked out."""
    person = DEMO_PEOPLE[0]
    found = httpx.get(
        f"{stack.url('ras')}/people",
        params={"council_person_id": person["council_person_id"]},
        headers=headers("social_worker"),
    ).json()
    body = {"person_id": found[0]["person_id"], "circumstances": DEMO_CIRCUMSTANCES}
    response = httpx.post(f"{stack.url('charging')}/financial-assessments", json=body, headers=headers("social_worker"))
    if response.status_code != 201:
        say(f"\nCharging refused the assessment: {response.text}")
        return False
    assessment = response.json()
    result = assessment["result"]
    say(f"\nA financial assessment for {person['given_name']} {person['family_name']}, through the charging API:")
    for step in result["steps"]:
        say(f"  {plain(step['label']):<34} {money(step['pence']):>14}  {step['treatment']:<11} {plain(step['reason'])}")
    say(
        f"  pays {money(assessment['weekly_charge_pence'])} a week from {day(assessment['effective_date'])}, "
        f"collected by the {assessment['collected_by']}"
    )
    say(
        f"  (national figures {result['figures_year']} version {result['figures_version']}{provisional(result)}; "
        f"council policy version {result['policy_version']})"
    )
    # The assessment is dated in an earlier financial year; the charge today, the ledger's contribution,
    # is the same assessment worked out with this year's figures, so say it beside the first.
    today = time.strftime("%Y-%m-%d")
    charge = httpx.get(
        f"{stack.url('charging')}/people/{found[0]['person_id']}/charge",
        params={"on": today},
        headers=headers("social_worker"),
    ).json()
    say(
        f"  today, {day(today)}, the charge is {money(charge['weekly_charge_pence'])} a week: the same assessment "
        "with this financial year's figures; the ledger takes it as her contribution"
    )
    return True


def financial_year_of(today: date) -> int:
    """The first calendar year of the UK financial year (1 April to 31 March) that `today` is in."""
    return today.year if today.month >= 4 else today.year - 1


def provisional(result: dict) -> str:
    if not result["provisional"]:
        return ""
    return ", provisional: some not yet confirmed by the government"


def demo_person_id(stack: Stack) -> str | None:
    found = httpx.get(
        f"{stack.url('ras')}/people",
        params={"council_person_id": DEMO_PEOPLE[0]["council_person_id"]},
        headers=headers("social_worker"),
    ).json()
    return found[0]["person_id"] if found else None


def wait_for_copy(stack: Stack, name: str, role: str, person_id: str, started: float, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.get(f"{stack.url(name)}/people/{person_id}", headers=headers(role))
        if response.status_code == 200:
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def say(line: str) -> None:
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exit-after-demo", action="store_true", help="stop once the demonstration is shown")
    parser.add_argument(
        "--free-ports",
        action="store_true",
        help="pick free ports instead of the fixed ones (tools/services.py) and 9092",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the SQLite databases of the last run")
    parser.add_argument("--run-dir", type=Path, default=ROOT / ".run")
    args = parser.parse_args(argv)

    if args.run_dir.exists() and not args.keep_data:
        shutil.rmtree(args.run_dir)  # the broker starts empty, so the databases start empty too
    args.run_dir.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in SERVICE_NAMES} if args.free_ports else dict(PORTS)
    stack = Stack(args.run_dir, ports, free_port() if args.free_ports else 9092)
    # `kill` (SIGTERM) stops the stack as Ctrl-C does, rather than orphaning the broker and services.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        stack.start()
        load_sample_council(stack)
        ok = demonstrate(stack) and demonstrate_budget(stack)
        demonstrate_commissioning(stack.url("ras"), headers("commissioner"), args.run_dir, say)
        ok = demonstrate_charging(stack) and ok
        if ok:
            demonstrate_brokerage(stack.url("brokerage"), DEMO_PEOPLE[2]["council_person_id"], BROKERED_WHY, say)
            demonstrate_market_figures(stack.url("brokerage"), args.run_dir, say)
        ok = demonstrate_health(stack.url, say) and ok
        ok = demonstrate_ledger(stack.url("ledger"), demo_person_id(stack), say) and ok
        ok = demonstrate_card_statements(stack.url("ledger"), demo_person_id(stack), say) and ok
        ok = demonstrate_uprating(stack.url("charging"), headers, financial_year_of(date.today()), say) and ok
        say("\nAPIs and their docs (OpenAPI at /docs on each):")
        for name in SERVICE_NAMES:
            say(f"  {name:<9} {stack.url(name)}/docs")
        say(
            "\nA token for trying them:  .venv/bin/pb-token --role social_worker --council wyvernshire\n"
            "Dead letters:             .venv/bin/pb-deadletters list charging "
            f"--bootstrap-servers {stack.broker.bootstrap_servers}\n"
            "                          (replay with --no-idempotence: the local broker has no idempotent producer)"
        )
        if args.exit_after_demo:
            return 0 if ok else 1
        say("\nRunning. Ctrl-C stops everything.")
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(0.5)
        say("a service stopped; shutting down")
        return 1
    except KeyboardInterrupt:
        say("\nStopping the services and the broker.")
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
