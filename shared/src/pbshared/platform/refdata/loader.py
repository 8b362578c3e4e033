"""Reading a council's reference data from files: councils/<council>/*.yaml, one dataset a file.

Figures the same for every council live once, in a `national/` folder beside the councils' folders,
and are read with each council's own files under that council's id: every lookup stays "this
council's dataset in force on this date", and a council can still be given a corrected national
figure as its next version (councils/README.md).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml


def _as_json(value: Any) -> Any:
    """YAML reads 2026-04-06 as a date; datasets travel as JSON, so dates become ISO text."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date) else v))


NATIONAL = "national"


def _read_documents(directory: Path) -> list[dict[str, Any]]:
    documents = []
    for path in sorted(directory.glob("*.yaml")):
        document = _as_json(yaml.safe_load(path.read_text()))
        if not isinstance(document, dict):
            raise ValueError(f"{path}: expected a mapping with kind, version, effective_from, payload")
        documents.append(document)
    return documents


def read_council_directory(directory: Path) -> list[dict[str, Any]]:
    """Raw dataset documents (validated later, with every error listed): the council's own files in
    file-name order, then the national ones beside them, under the council's id."""
    documents = _read_documents(directory)
    for document in documents:
        document.setdefault("council_id", directory.name)
    national = directory.parent / NATIONAL
    if directory.name != NATIONAL and national.is_dir():
        documents += [{**document, "council_id": directory.name} for document in _read_documents(national)]
    return documents
