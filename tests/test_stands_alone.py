"""The repository stands alone: it cites no material kept outside it, and its own pointers resolve.

A rule taken from law, guidance or a published figure is written into `docs/domain/` with its public
source; what we measured on the broker is in `docs/broker.md`. Notes, briefs and papers kept beside
the repository are not shipped with it, so a citation of them is a dead end for every reader.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each pattern is written so that its own source text does not match it: this file is scanned too.
OUTSIDE_CITATIONS: dict[str, re.Pattern[str]] = {
    "notes kept outside the repository (cite docs/domain/ or docs/broker.md)": re.compile(
        r"\b(?:DOMAIN|BROKER|STYLE)\.md\b|(?:domain|broker|style)_md|\b[Tt]eam's (?:broker |domain |style )?notes\b"
    ),
    "council papers kept outside the repository (cite their public source in docs/domain/)": re.compile(
        r"\bseeds?\s+0\d\d\b|\bseeds?/|\bseed\s+(?:papers?|documents?)\b|\b00\d_[0-9a-f]{16}\b", re.IGNORECASE
    ),
    "a path on the build machine": re.compile(r"(?<![\w.])/wor[k]/"),
}
# A relative path is fine while it stays inside the repository (a service reaches the shared package so).
RELATIVE_PATH = re.compile(r"(?:\.\./)+[\w.-]+")
DOC_PATH = re.compile(r"(?<![\w/.-])docs/[\w.-]+(?:/[\w.-]+)*\.md")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [name for name in listed.stdout.decode().split("\0") if name]


def text_lines(name: str) -> list[str] | None:
    """The file's lines, or None for a binary file (or one deleted but not yet staged)."""
    try:
        raw = (ROOT / name).read_bytes()
    except FileNotFoundError:
        return None
    if b"\0" in raw:
        return None
    try:
        return raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None


def outside_citations(name: str, lines: Iterable[str]) -> list[str]:
    """`file:line: what` for every citation of material kept outside the repository."""
    found = []
    for number, line in enumerate(lines, start=1):
        for what, pattern in OUTSIDE_CITATIONS.items():
            if pattern.search(line):
                found.append(f"{name}:{number}: cites {what}")
        for relative in RELATIVE_PATH.findall(line):
            if not (ROOT / name).parent.joinpath(relative).resolve().is_relative_to(ROOT):
                found.append(f"{name}:{number}: {relative} points outside the repository")
    return found


def broken_pointers(name: str, lines: Iterable[str], tracked: set[str]) -> list[str]:
    """`file:line: what` for every docs/ path, or relative Markdown link, that is not in the repository."""
    found = []
    for number, line in enumerate(lines, start=1):
        for path in DOC_PATH.findall(line):
            if path not in tracked:
                found.append(f"{name}:{number}: {path} does not exist")
        if not name.endswith(".md"):
            continue
        for target in MARKDOWN_LINK.findall(line):
            if "://" in target or target.startswith("mailto:"):
                continue
            resolved = (ROOT / name).parent.joinpath(target).resolve()
            if not resolved.exists():
                found.append(f"{name}:{number}: link to {target} goes nowhere")
    return found


def test_no_tracked_file_cites_material_outside_the_repository():
    problems = []
    for name in tracked_files():
        lines = text_lines(name)
        if lines is not None:
            problems += outside_citations(name, lines)
    assert problems == [], "\n".join(problems)


def test_every_docs_path_and_relative_markdown_link_exists():
    names = tracked_files()
    tracked = set(names)
    problems = []
    for name in names:
        lines = text_lines(name)
        if lines is not None:
            problems += broken_pointers(name, lines, tracked)
    assert problems == [], "\n".join(problems)


# The scanners themselves: the samples are assembled at run time so this file stays clean.
NOTES = "DOM" + "AIN.md"


def test_each_kind_of_outside_citation_is_named_with_its_file_and_line():
    cited = [
        "def test_valid_nhs_numbers_from_domain" + "_md_are_accepted():",
        f"The client groups councils price RAS points by ({NOTES}, section 2).",
        "Simulate an outage (" + "BRO" + "KER.md); see the team's " + "broker notes.",
        "Panel thresholds from " + "seed" + " 004.",
        "(" + "seeds" + " 000, 003)",
        "read ../" + "shared/" + "x",
        "see /" + "work/shared/y",
        "the council papers in " + "seeds" + "/00" + "2_44367889d70e62c5.txt",
    ]
    found = outside_citations("README.md", cited)
    assert [entry.split(":")[1] for entry in found] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert found[1] == "README.md:2: cites notes kept outside the repository (cite docs/domain/ or docs/broker.md)"
    assert found[5] == "README.md:6: ../shared points outside the repository"


def test_ordinary_words_and_paths_inside_the_repository_are_not_citations():
    innocent = [
        "docs/broker.md and docs/domain/identifiers.md and README.md",
        "random.seed(42); hypothesis derandomize; seeding the sample council",
        'path = "../' + '../shared"  # from services/ras/pyproject.toml to the shared package',
        "https://example.org/work/item",
    ]
    assert outside_citations("services/ras/pyproject.toml", innocent) == []


def test_a_docs_domain_path_or_relative_link_that_does_not_exist_is_named():
    lines = [
        "see docs/domain/identifiers.md and docs/" + "domain/nowhere.md",
        "[architecture](../architecture.md), [gone](gone.md#part), [web](https://example.org/x.md)",
    ]
    page = "docs/" + "domain/page.md"
    found = broken_pointers(page, lines, {"docs/domain/identifiers.md"})
    assert found == [
        f"{page}:1: docs/" + "domain/nowhere.md does not exist",
        f"{page}:2: link to gone.md goes nowhere",
    ]
