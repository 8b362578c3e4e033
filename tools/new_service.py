"""Writes the small pattern of a new service: `python -m tools.new_service reporting "Reporting: ..."`.

It creates services/<name>/ (pyproject, settings, definition, the four layers, revision 0001 with
the platform tables, a first test); then add the name to SERVICE_NAMES in tools/services.py and run
`scripts/setup && make generate`. Everything else follows from that list.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The revisions of a service without tables of its own are the platform's steps (0001 the version-1
# tables, 0002 platform_v2, ...), the same in every such service. A new service starts from ledger's
# (which has no tables yet), as they are now.
PLATFORM_REVISIONS = Path("migrations/versions")
PLATFORM_REVISIONS_SOURCE = ROOT / "services" / "ledger" / "src" / "ledger" / PLATFORM_REVISIONS

FILES = {
    "pyproject.toml": """\
[project]
name = "pb-{name}"
version = "0.1.0"
description = "{title}"
requires-python = ">=3.11"
dependencies = ["pb-shared"]

[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[tool.setuptools.packages.find]
where = ["src"]

# The Alembic revisions travel inside the package, so a plain (non-editable) install can migrate.
[tool.setuptools.package-data]
{name} = ["migrations/versions/*.py"]
""",
    "src/{name}/__init__.py": '"""{title}."""\n',
    "src/{name}/__main__.py": """\
import sys

{main_imports}

sys.exit(main(SERVICE))
""",
    "src/{name}/config.py": """\
from pydantic import Field

from pbshared.platform.settings import ServiceSettings


class {cls}Settings(ServiceSettings):
    service_name: str = Field(
        default="{name}", description="Name of this service; also its Kafka consumer group."
    )
""",
    "src/{name}/bootstrap.py": '''\
"""Wires {name}: its routers, role table, event subscriptions and migrations, in one definition."""

from fastapi import FastAPI

{bootstrap_imports}

SERVICE = ServiceDefinition(
    name="{name}",
    title="{title}",
    description="{title}.",
    settings_cls={cls}Settings,
    metadata=metadata,
)


def create_app(settings: {cls}Settings | None = None) -> FastAPI:
    return build_app(SERVICE, settings)
''',
    "src/{name}/domain/__init__.py": '"""{cls} domain: plain Python, no I/O, no framework."""\n',
    "src/{name}/service_layer/__init__.py": '"""{cls} use cases and event handlers."""\n',
    "src/{name}/adapters/__init__.py": '"""{cls} adapters: tables and repositories."""\n',
    "src/{name}/adapters/tables.py": '''\
"""{cls}'s own tables (the platform's tables are added by migrations)."""

from sqlalchemy import MetaData

metadata = MetaData()
''',
    "src/{name}/entrypoints/__init__.py": '"""{cls} entrypoints: HTTP routers and the event consumer."""\n',
    "tests/unit/test_definition.py": '''\
"""{cls} is declared: its definition names it and serves the reference data every service holds."""

from {name}.bootstrap import SERVICE


def test_the_definition_names_the_service_and_its_settings():
    assert SERVICE.name == SERVICE.settings_cls().service_name == "{name}"
    assert ("POST", "/reference-datasets") in SERVICE.access_policy().rows
''',
}


def scaffold(name: str, title: str, root: Path = ROOT) -> list[Path]:
    """Write services/<name>/ under `root`; refuses a bad name or an existing directory."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError("a service name is a Python package name: lower case letters, digits and _")
    if '"' in title or "\\" in title:
        raise ValueError("the title may not contain quotes or backslashes")
    base = root / "services" / name
    if base.exists():
        raise FileExistsError(f"{base} exists")
    cls = name.title().replace("_", "")
    values = {
        "name": name,
        "title": title,
        "cls": cls,
        "main_imports": _sorted_imports(
            f"from {name}.bootstrap import SERVICE", "from pbshared.platform.cli import main"
        ),
        "bootstrap_imports": _sorted_imports(
            f"from {name}.adapters.tables import metadata",
            f"from {name}.config import {cls}Settings",
            "from pbshared.platform.app import build_app",
            "from pbshared.platform.service import ServiceDefinition",
        ),
    }
    written = []
    for template_path, template in FILES.items():
        path = base / template_path.format(**values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values))
        written.append(path)
    versions = base / "src" / name / PLATFORM_REVISIONS
    versions.mkdir(parents=True)
    for source in sorted(PLATFORM_REVISIONS_SOURCE.glob("[0-9][0-9][0-9][0-9]_*.py")):
        revision = versions / source.name
        revision.write_text(source.read_text())
        written.append(revision)
    return written


def _sorted_imports(*lines: str) -> str:
    """First-party imports in the order the linter wants: by module name (`pbshared` is one of them)."""
    return "\n".join(sorted(lines, key=lambda line: line.split()[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="the service's name, which is also its package: e.g. reporting")
    parser.add_argument("title", help='what it is, e.g. "Reporting: returns to government"')
    args = parser.parse_args(argv)
    try:
        written = scaffold(args.name, args.title)
    except (ValueError, FileExistsError) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files under services/{args.name}/")
    print(f'now add "{args.name}" to SERVICE_NAMES in tools/services.py, then run `scripts/setup && make generate`')
    return 0


if __name__ == "__main__":
    sys.exit(main())
