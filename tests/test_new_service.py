"""A new service is a small pattern (tools/new_service.py) plus one line in tools/services.py: every
artefact derived from the list names it, and no other file lists the services by hand."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from pbshared.contract.registry import CATALOGUE
from pbshared.contract.topics import all_topics
from pbshared.platform.kafka import main as topics_main
from pbshared.platform.tables import platform_metadata
from tools.generate import derived_files
from tools.import_contracts import import_linter_config
from tools.new_service import scaffold
from tools.services import SERVICE_NAMES, definition, ports

ROOT = Path(__file__).resolve().parents[1]
NEW = "reporting"
NAMES = (*SERVICE_NAMES, NEW)


def test_every_derived_artefact_names_a_service_that_does_not_exist_yet(tmp_path):
    assert NEW not in SERVICE_NAMES
    files = {path.relative_to(tmp_path).as_posix(): text for path, text in derived_files(NAMES, tmp_path).items()}

    compose = yaml.safe_load(files["docker-compose.yml"])["services"][NEW]
    assert compose["build"] == {"context": ".", "dockerfile": "Dockerfile", "args": {"SERVICE": NEW}}
    assert compose["ports"] == [f"{ports(NAMES)[NEW]}:8000"]
    assert compose["environment"]["PB_DATABASE_URL"].endswith(f"/pb_{NEW}")
    assert f"CREATE DATABASE pb_{NEW};" in files["deploy/compose/postgres-init/01-databases.sql"]

    manifest = {(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(files[f"deploy/k8s/{NEW}.yaml"])}
    assert manifest == {
        ("ConfigMap", f"pb-{NEW}-config"),
        ("Deployment", f"{NEW}-api"),
        ("Deployment", f"{NEW}-worker"),
        ("Service", NEW),
    }
    (job,) = yaml.safe_load_all(files["deploy/k8s/topics-job.yaml"])
    command = job["spec"]["template"]["spec"]["containers"][0]["command"]
    assert [command[i + 1] for i, arg in enumerate(command) if arg == "--service"] == list(NAMES)

    contracts = configparser.ConfigParser()
    contracts.read_string(files[".importlinter"])
    assert NEW in contracts["importlinter"]["root_packages"].split()
    assert NEW in contracts["importlinter:contract:independent"]["modules"].split()
    assert NEW in contracts["importlinter:contract:shared-above-services"]["forbidden_modules"].split()
    assert contracts[f"importlinter:contract:{NEW}-layers"]["containers"] == NEW
    assert contracts[f"importlinter:contract:{NEW}-domain-pure"]["source_modules"] == f"{NEW}.domain"

    assert {f"{NEW}.events", f"{NEW}.deadletter"} <= set(all_topics(NAMES))


def test_the_derived_files_of_todays_list_are_the_checked_in_ones():
    for path, text in derived_files(SERVICE_NAMES).items():
        assert path.read_text() == text, f"{path.relative_to(ROOT)} is stale or edited by hand: run `make generate`"


def test_every_event_producer_is_in_the_service_list():
    assert set(CATALOGUE.producers()) <= set(SERVICE_NAMES)


def test_no_file_but_tools_services_lists_the_services():
    """A line naming two or more services is a list someone would have to extend by hand. In Python
    only names in quotes count (prose in a docstring may name services); elsewhere any mention does."""
    generated = {path.relative_to(ROOT).as_posix() for path in derived_files(SERVICE_NAMES)}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    code = [
        name
        for name in tracked
        if not re.match(r"(tests|shared/tests|services/[^/]+/tests|docs|councils|shared/schemas)/", name)
        and name not in generated | {"tools/services.py", "CHANGELOG.md"}
        and not name.endswith((".md", ".json"))
    ]
    alternatives = "|".join(SERVICE_NAMES)
    bare = re.compile(r"\b(" + alternatives + r")\b")
    quoted = re.compile(r"[\"'](" + alternatives + r")[\"']")
    listed = [
        f"{name}:{number}: {line.strip()}"
        for name in code
        if (ROOT / name).is_file()
        for number, line in enumerate((ROOT / name).read_text(errors="replace").splitlines(), 1)
        if len(set((quoted if name.endswith(".py") else bare).findall(line))) >= 2
    ]
    assert not listed, "derive these from tools/services.py:\n" + "\n".join(listed)


def test_the_small_pattern_of_a_new_service_installs_migrates_and_keeps_the_import_contracts(tmp_path):
    """What tools/new_service.py writes is a working service: it migrates, its definition loads, it is
    ruff-clean, and the contracts generated for it hold."""
    scaffold(NEW, "Reporting: returns to government", tmp_path)
    source = tmp_path / "services" / NEW / "src"
    shutil.copytree(ROOT / "shared" / "src" / "pbshared", source / "pbshared", ignore=shutil.ignore_patterns("__py*"))
    # The copies come first on the path, ahead of this checkout's editable installs.
    env = {**os.environ, "PYTHONPATH": str(source), "PB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"}
    bin_dir = Path(sys.executable).parent

    def run(*argv: str | Path) -> None:
        done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{argv}: {done.stdout}{done.stderr}"

    run(sys.executable, "-m", NEW, "migrate")
    with sqlite3.connect(tmp_path / "r.db") as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(platform_metadata.tables) <= tables, "every platform step reaches a new service"
    run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tmp_path / "services" / NEW / "tests")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)  # the tools' settings, as in the repository
    run(bin_dir / "ruff", "check", "--no-cache", "services")
    (tmp_path / ".importlinter").write_text(import_linter_config((NEW,)))
    run(bin_dir / "lint-imports", "--no-cache")


def test_each_service_creates_its_own_topics_and_those_it_subscribes_to():
    for name in SERVICE_NAMES:
        service = definition(name)
        subscribed = {s.topic for s in service.all_subscriptions()}
        assert set(service.topics()) == {f"{name}.events", f"{name}.deadletter"} | subscribed
    assert "ras.events" in definition("charging").topics()


def test_pb_topics_lists_the_topics_of_the_services_it_is_given(capsys):
    assert topics_main(["list", *[arg for name in NAMES for arg in ("--service", name)]]) == 0
    assert capsys.readouterr().out.split() == all_topics(NAMES)
