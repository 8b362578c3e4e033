"""The shape of the repository: generated files are fresh, and the import contracts hold
(services never import each other, shared never imports a service, domain code does no I/O)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_generated_schemas_and_docs_are_fresh():
    from tools.generate import stale_files

    assert stale_files() == [], "run `make generate` and commit the result"


def test_import_contracts_hold():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is not installed (scripts/setup installs it)"
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_service_follows_the_same_layout():
    from tools.services import SERVICE_NAMES

    for name in SERVICE_NAMES:
        base = ROOT / "services" / name
        for part in (
            "pyproject.toml",
            f"src/{name}/migrations/versions",
            f"src/{name}/bootstrap.py",
            f"src/{name}/config.py",
            f"src/{name}/domain",
            f"src/{name}/service_layer",
            f"src/{name}/adapters",
            f"src/{name}/entrypoints",
        ):
            assert (base / part).exists(), f"services/{name}/{part} is missing"


def test_no_revision_is_left_outside_its_package():
    """Revisions live in src/<name>/migrations/versions, shipped with the package; one left in the old
    services/<name>/migrations/ would never run."""
    from tools.services import SERVICE_NAMES

    stray = [
        str(p.relative_to(ROOT))
        for name in SERVICE_NAMES
        for p in (ROOT / "services" / name).glob("migrations/**/*.py")
    ]
    assert not stray, f"move these into services/<name>/src/<name>/migrations/versions/: {stray}"


def test_code_passes_the_linter():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    assert ruff, "ruff is not installed (scripts/setup installs it)"
    result = subprocess.run(
        [ruff, "check", "--output-format", "concise", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_error_message_echoes_an_id_back():
    """An error names the field and the rule, never the value sent: an id in a 404's message would hand
    back whatever the caller put in the path (and differ between "not yours" and "not there")."""
    echoing = []
    for path in sorted([*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("shared/src/**/*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "about":
                for argument in node.args:
                    names = [
                        n.id
                        for n in ast.walk(argument)
                        if isinstance(argument, ast.JoinedStr) and isinstance(n, ast.Name)
                    ]
                    if any(name.endswith("_id") for name in names):
                        echoing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert echoing == []
