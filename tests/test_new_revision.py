"""`python -m <service> revision MESSAGE` writes the next numbered revision into the service's package,
from pbshared's script template, comparing the service's tables with a database at head."""

from __future__ import annotations

import shutil

from pbshared.platform.migrations import new_revision, upgrade
from tools.services import definition


def test_a_new_revision_is_numbered_next_and_finds_nothing_to_change_at_head(tmp_path):
    ras = definition("ras")
    versions = shutil.copytree(ras.migrations_dir, tmp_path / "versions", ignore=shutil.ignore_patterns("__py*"))
    url = f"sqlite+aiosqlite:///{tmp_path / 'ras.db'}"
    upgrade(versions, url)
    latest = max(int(p.name[:4]) for p in versions.glob("0*.py"))

    written = new_revision(versions, url, ras.metadata, "nothing yet")

    assert written.parent == versions and written.name == f"{latest + 1:04d}_nothing_yet.py"
    text = written.read_text()
    assert f"down_revision = '{latest:04d}'" in text
    assert "op." not in text.split("def upgrade")[1], "the tables (people too) match the code"
