"""The generated import contracts catch what they promise to: run on a copy of the code, a layer
import against the grain and a framework import reached only indirectly both break them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tools.import_contracts import import_linter_config

ROOT = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns("__pycache__")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is not installed (scripts/setup installs it)"
    # The copies come first on the path, ahead of this checkout's editable installs.
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run([lint, "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=300)


def copy_of_ras(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "shared" / "src" / "pbshared", tmp_path / "src" / "pbshared", ignore=IGNORED)
    shutil.copytree(ROOT / "services" / "ras" / "src" / "ras", tmp_path / "src" / "ras", ignore=IGNORED)
    (tmp_path / ".importlinter").write_text(import_linter_config(("ras",)))
    return tmp_path


def test_a_domain_module_importing_upwards_or_reaching_a_framework_indirectly_breaks_the_contracts(tmp_path):
    tree = copy_of_ras(tmp_path)
    kept = lint_imports(tree)
    assert kept.returncode == 0, kept.stdout + kept.stderr

    package = tree / "src" / "ras"
    (package / "helpers.py").write_text("import sqlalchemy\n")  # outside every layer
    (package / "domain" / "leak.py").write_text("import ras.entrypoints.people_api\nimport ras.helpers\n")
    broken = lint_imports(tree)
    assert broken.returncode != 0, broken.stdout
    report = " ".join(broken.stdout.split())  # the report wraps long lines
    assert "ras: bootstrap over entrypoints over service_layer over adapters over domain BROKEN" in report
    assert "ras.domain.leak -> ras.entrypoints.people_api" in report
    assert "domain code does no I/O and knows no framework, directly or indirectly BROKEN" in report
    assert "ras.domain.leak -> ras.helpers" in report
