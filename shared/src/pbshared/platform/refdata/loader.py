"""Reading a council's reference data from files: councils/<council>/*.yaml, one dataset a file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml


def _as_json(value: Any) -> Any:
    """YAML reads 2026-04-06 as a date; datasets travel as JSON, so dates become ISO text."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date) else v))


def read_council_directory(directory: Path) -> list[dict[str, Any]]:
    """Raw dataset documents (validated later, with every error listed), in file-name order."""
    documents = []
    for path in sorted(directory.glob("*.yaml")):
        document = _as_json(yaml.safe_load(path.read_text()))
        if not isinstance(document, dict):
            raise ValueError(f"{path}: expected a mapping with kind, version, effective_from, payload")
        document.setdefault("council_id", directory.name)
        documents.append(document)
    return documents
