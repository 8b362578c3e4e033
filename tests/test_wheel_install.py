"""A plain (non-editable) wheel of a service carries its migrations, and pbshared's wheel carries
env.py and script.py.mako: installed from wheels, away from the source tree, `migrate` works.

Builds with pip from copies of the sources (build requirements come from the package registry)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "tests")


def build_wheels(scratch: Path) -> dict[str, Path]:
    sources = {"pb-shared": ROOT / "shared", "pb-ras": ROOT / "services" / "ras"}
    copies = [shutil.copytree(source, scratch / "src" / name, ignore=IGNORED) for name, source in sources.items()]
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", scratch / "wheels", *copies], check=True, timeout=300)
    return {path.name.split("-")[0]: path for path in (scratch / "wheels").glob("*.whl")}


def test_a_service_installed_from_wheels_migrates_from_its_packaged_revisions(tmp_path):
    wheels = build_wheels(tmp_path)
    ras_files = zipfile.ZipFile(wheels["pb_ras"]).namelist()
    shared_files = zipfile.ZipFile(wheels["pb_shared"]).namelist()
    assert "ras/migrations/versions/0001_platform_and_people.py" in ras_files
    assert {"pbshared/platform/migrations/script/env.py", "pbshared/platform/migrations/script/script.py.mako"} <= set(
        shared_files
    )

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "install", "--no-deps", "--target", site]
        + [str(w) for w in wheels.values()],
        check=True,
        timeout=300,
    )
    database = tmp_path / "ras.db"
    # The wheels come first on the path, ahead of the editable installs of this checkout.
    env = {**os.environ, "PYTHONPATH": str(site), "PB_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    where = subprocess.run(
        [sys.executable, "-c", "import ras, pbshared; print(ras.__file__); print(pbshared.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(line.startswith(str(site)) for line in where.stdout.split()), where.stdout
    migrate = subprocess.run(
        [sys.executable, "-m", "ras", "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert migrate.returncode == 0, migrate.stderr
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {"people", "outbox", "inbox"} <= tables
    heads = sorted(p.stem.split("_")[0] for p in (site / "ras" / "migrations" / "versions").glob("0*.py"))
    assert version == heads[-1]
