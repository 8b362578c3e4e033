"""Reference datasets: content hashing, council ids and GSS codes, and reading councils/<council>/*.yaml."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from pbshared.platform.refdata import COUNCIL_KIND, CouncilProfile, DatasetIn
from pbshared.platform.refdata.loader import read_council_directory

COUNCILS = Path(__file__).resolve().parents[2] / "councils"


def dataset(**overrides: object) -> DatasetIn:
    fields: dict[str, object] = {
        "council_id": "wyvernshire",
        "kind": "council",
        "version": 1,
        "effective_from": date(2025, 4, 1),
        "source": "Sample",
        "payload": {"name": "Wyvernshire County Council", "la_code": "E10000099", "region": "West Midlands"},
    }
    return DatasetIn.model_validate(fields | overrides)


def test_content_hash_is_the_same_for_equal_content_whatever_the_key_order() -> None:
    reordered = {"region": "West Midlands", "la_code": "E10000099", "name": "Wyvernshire County Council"}
    assert dataset().content_hash() == dataset(payload=reordered).content_hash()
    assert dataset().content_hash() == dataset(effective_from="2025-04-01").content_hash()


@pytest.mark.parametrize(
    "change",
    [
        {"payload": {"name": "Wyvernshire County Council", "la_code": "E10000098"}},
        {"effective_from": date(2025, 4, 2)},
        {"source": "Another paper"},
    ],
)
def test_content_hash_differs_when_the_content_changes(change: dict[str, object]) -> None:
    assert dataset(**change).content_hash() != dataset().content_hash()


@pytest.mark.parametrize("council_id", ["", "Wyvernshire", "-wyvern", "wyvern shire", "wyvern_shire", "x" * 65])
def test_dataset_refuses_a_council_id_that_is_not_lower_case_letters_digits_and_hyphens(
    council_id: str,
) -> None:
    with pytest.raises(ValidationError) as raised:
        dataset(council_id=council_id)
    assert raised.value.errors()[0]["loc"] == ("council_id",)


def test_dataset_refuses_unknown_fields_and_version_0() -> None:
    with pytest.raises(ValidationError):
        dataset(surprise=1)
    with pytest.raises(ValidationError):
        dataset(version=0)


@pytest.mark.parametrize("la_code", ["E06000001", "E07000001", "E08000007", "E09000001", "E10000099"])
def test_council_profile_accepts_an_english_council_gss_code(la_code: str) -> None:
    assert CouncilProfile(name="A council", la_code=la_code).la_code == la_code


@pytest.mark.parametrize(
    "la_code",
    ["W06000001", "S12000033", "N09000001", "E11000001", "E0800000", "E080000071", "e08000007", ""],
)
def test_council_profile_refuses_a_code_that_is_not_an_english_councils_gss_code(la_code: str) -> None:
    with pytest.raises(ValidationError, match="GSS code"):
        CouncilProfile(name="A council", la_code=la_code)


def test_read_council_directory_gives_json_safe_documents_with_the_folder_as_council_id(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "northshire"
    folder.mkdir()
    (folder / "b.yaml").write_text("kind: rates\nversion: 1\neffective_from: 2026-04-06\npayload: {}\n")
    (folder / "a.yaml").write_text(
        "kind: council\ncouncil_id: elsewhere\nversion: 1\neffective_from: 2025-04-01\npayload: {decided: 2025-03-01}\n"
    )
    (folder / "notes.txt").write_text("not a dataset")
    first, second = read_council_directory(folder)
    assert (first["kind"], second["kind"]) == ("council", "rates")  # file-name order
    assert first["council_id"] == "elsewhere"  # a file may name its council
    assert second["council_id"] == "northshire"
    assert second["effective_from"] == "2026-04-06"
    assert first["payload"] == {"decided": "2025-03-01"}
    json.dumps([first, second])


def test_read_council_directory_refuses_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(ValueError, match="expected a mapping"):
        read_council_directory(tmp_path)


def test_wyvernshire_reference_data_loads_and_validates() -> None:
    documents = read_council_directory(COUNCILS / "wyvernshire")
    datasets = [DatasetIn.model_validate(document) for document in documents]
    assert all(d.council_id == "wyvernshire" for d in datasets)
    [council] = [d for d in datasets if d.kind == COUNCIL_KIND.name]
    profile = CouncilProfile.model_validate(council.payload)
    assert profile.la_code.startswith("E")


def test_national_figures_are_read_with_every_council_under_its_id(tmp_path: Path) -> None:
    for name in ("northshire", "national"):
        (tmp_path / name).mkdir()
    (tmp_path / "northshire" / "council.yaml").write_text("kind: council\nversion: 1\neffective_from: 2025-04-01\n")
    (tmp_path / "national" / "figures.yaml").write_text("kind: figures\nversion: 3\neffective_from: 2026-04-06\n")
    council, figures = read_council_directory(tmp_path / "northshire")
    assert (council["kind"], figures["kind"]) == ("council", "figures")  # the council first: it must exist
    assert figures["council_id"] == "northshire"
    assert [d["council_id"] for d in read_council_directory(tmp_path / "national")] == ["national"]


def test_wyvernshire_gets_every_shipped_year_of_national_figures() -> None:
    documents = read_council_directory(COUNCILS / "wyvernshire")
    years = [d["payload"]["financial_year"] for d in documents if d["kind"] == "national_charging_figures"]
    assert years == ["2024/25", "2025/26", "2026/27"]
    assert {d["council_id"] for d in documents} == {"wyvernshire"}
