"""Councils for tests: the sample council from councils/, and a second one to prove they never meet."""

from __future__ import annotations

from pathlib import Path

from pbshared.platform.auth import Role
from pbshared.platform.refdata.loader import read_council_directory
from pbshared.testing.harness import RunningService, auth

SAMPLE_COUNCIL = Path(__file__).resolve().parents[1] / "councils" / "wyvernshire"


def loader_of(document: dict) -> Role:
    """Who loads a dataset: an operator sets the council up, its admin loads the rest."""
    return Role.operator if document["kind"] == "council" else Role.admin


async def load_sample_council(service: RunningService) -> None:
    for document in read_council_directory(SAMPLE_COUNCIL):
        if document["kind"] in service.app.state.reference_kinds:
            response = await service.client.post(
                "/reference-datasets", json=document, headers=auth(loader_of(document), document["council_id"])
            )
            assert response.status_code in (200, 201), response.text


# Eastmere, a second invented council, for tests that two councils never see each other.
SECOND_COUNCIL = {
    "council_id": "eastmere",
    "kind": "council",
    "version": 1,
    "effective_from": "2025-04-01",
    "source": "test",
    "payload": {"name": "Eastmere Borough Council", "la_code": "E07000999"},
}


async def load_second_council(service: RunningService) -> None:
    response = await service.client.post("/reference-datasets", json=SECOND_COUNCIL, headers=auth(Role.operator))
    assert response.status_code == 201, response.text


async def load_second_council_like_the_first(service: RunningService) -> None:
    """Eastmere set up, and given the sample council's reference data as its own: a write of
    Eastmere's then meets the same rules as one of the sample council's, so a refusal is about the
    record, not missing data."""
    eastmere = SECOND_COUNCIL["council_id"]
    await load_second_council(service)
    for document in read_council_directory(SAMPLE_COUNCIL):
        if document["kind"] in service.app.state.reference_kinds and document["kind"] != "council":
            response = await service.client.post(
                "/reference-datasets",
                json={**document, "council_id": eastmere},
                headers=auth(loader_of(document), eastmere),
            )
            assert response.status_code in (200, 201), response.text
