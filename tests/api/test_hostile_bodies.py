"""What a hostile-input probe sent, sent again: each is refused with a 4xx that names where the
problem is (never its value), carries the correlation id, and stores nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from pbshared.platform.auth import Role
from pbshared.platform.tables import outbox, reference_datasets
from pbshared.testing.harness import auth
from tests.api.test_people_api import GOOD

pytestmark = pytest.mark.integration

SW = auth(Role.social_worker)
ADMIN = auth(Role.admin)
JSON = {"content-type": "application/json"}


async def _rows(service, table) -> int:
    async with service.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def _people_and_events(ras) -> tuple[int, int]:
    from ras.adapters.tables import people

    return await _rows(ras, people), await _rows(ras, outbox)


def _assert_names_without_echo(response, secret: str) -> list[dict]:
    """The problem names each field and rule; the value sent appears nowhere in the answer."""
    assert secret not in response.text
    problems = response.json()["detail"]
    for problem in problems:
        assert set(problem) == {"loc", "msg", "type"}, problem
    return problems


def _assert_carries_correlation_id(response) -> None:
    assert response.headers["x-correlation-id"]
    assert response.json()["correlation_id"] == response.headers["x-correlation-id"]


async def test_a_lone_surrogate_in_a_dataset_is_refused_and_reads_keep_working(api):
    service = await api("charging")
    before = await _rows(service, reference_datasets)
    dataset = {
        "council_id": "wyvernshire",
        "kind": "council",
        "version": 2,
        "effective_from": "2026-04-06",
        "source": "probe",
        "payload": {"name": "Wyvern\ud800shire", "la_code": "E10000099"},
    }
    response = await service.client.post(
        "/reference-datasets", content=json.dumps(dataset), headers={**ADMIN, **JSON}
    )  # json.dumps writes the lone surrogate as the escape \ud800, as the probe did
    assert response.status_code == 422, response.text
    problems = _assert_names_without_echo(response, "Wyvern")
    assert [(p["loc"], p["type"]) for p in problems] == [(["body", "payload", "name"], "string_unicode")]
    _assert_carries_correlation_id(response)
    assert await _rows(service, reference_datasets) == before
    assert (await service.client.get("/reference-datasets", headers=ADMIN)).status_code == 200


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_non_finite_numbers_are_refused_naming_where(api, number):
    ras = await api("ras")
    body = json.dumps({**GOOD, "council_person_id": "WY-NAN"})[:-1] + f', "extra": {{"score": [1, {number}]}}}}'
    response = await ras.client.post("/people", content=body, headers={**SW, **JSON})
    assert response.status_code == 422, response.text
    problems = _assert_names_without_echo(response, "WY-NAN")
    assert [(p["loc"], p["type"]) for p in problems] == [(["body", "extra", "score", 1], "finite_number")]
    _assert_carries_correlation_id(response)
    assert await _people_and_events(ras) == (0, 0)


async def test_a_lone_surrogate_in_a_name_is_refused_and_nothing_is_stored(api):
    ras = await api("ras")
    person = {**GOOD, "given_name": "Ma\udfffry", "family_name": "\ud83dSeacole"}
    response = await ras.client.post("/people", content=json.dumps(person), headers={**SW, **JSON})
    assert response.status_code == 422, response.text
    problems = _assert_names_without_echo(response, "Seacole")
    assert sorted(p["loc"][-1] for p in problems) == ["family_name", "given_name"]
    _assert_carries_correlation_id(response)
    assert await _people_and_events(ras) == (0, 0)


async def test_bytes_that_are_not_utf8_are_refused(api):
    ras = await api("ras")
    text = json.dumps(GOOD, ensure_ascii=False).replace("Mary", "M\udc80ry")
    body = text.encode("utf-8", "surrogateescape")  # a lone 0x80 byte where a letter was
    response = await ras.client.post("/people", content=body, headers={**SW, **JSON})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body"], "msg": "must be UTF-8 text", "type": "unicode_decode"}]
    assert await _people_and_events(ras) == (0, 0)


async def test_a_validation_error_names_field_and_rule_never_the_value(api):
    ras = await api("ras")
    personal = "Seacole-" + "x" * 500_000  # within the body limit, far over the name's length limit
    bad = {**GOOD, "family_name": personal, "date_of_birth": "born 1950 in Kingston", "client_group": ["a"]}
    response = await ras.client.post("/people", json=bad, headers=SW)
    assert response.status_code == 422
    problems = _assert_names_without_echo(response, "Seacole")
    assert "Kingston" not in response.text
    assert {p["loc"][-1] for p in problems} == {"family_name", "date_of_birth", "client_group"}
    assert len(response.content) < 2_000
    _assert_carries_correlation_id(response)
    assert await _people_and_events(ras) == (0, 0)


async def test_a_parser_message_quoting_the_input_is_cut_to_the_rule(api):
    ras = await api("ras")
    response = await ras.client.get("/people/Seacole-x", headers=SW)
    assert response.status_code == 422
    problems = _assert_names_without_echo(response, "Seacole")
    assert problems == [{"loc": ["path", "person_id"], "msg": "Input should be a valid UUID", "type": "uuid_parsing"}]


async def test_an_unexpected_error_is_a_500_carrying_the_correlation_id(api):
    ras = await api("ras")

    @ras.app.get("/probe-failure", include_in_schema=False)
    async def fail() -> None:
        raise RuntimeError("a bug, with internals that must not reach the client")

    response = await ras.client.get("/probe-failure", headers={**SW, "x-correlation-id": "probe-42"})
    assert response.status_code == 500
    assert response.headers["x-correlation-id"] == "probe-42"
    assert response.json()["correlation_id"] == "probe-42"
    assert "internals" not in response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_correlation_id_unfit_to_echo_is_replaced(api):
    ras = await api("ras")
    hostile = "<script>" + "x" * 300
    response = await ras.client.get("/people", headers={**SW, "x-correlation-id": hostile})
    assert response.status_code == 200
    assert "script" not in response.headers["x-correlation-id"]
    refused = await ras.client.get("/people", headers={"x-correlation-id": "ok-id-1"})
    assert refused.status_code == 401
    assert refused.json()["correlation_id"] == refused.headers["x-correlation-id"] == "ok-id-1"


class RawRequest:
    """One request straight into the app's ASGI interface, counting how often it reads the body."""

    def __init__(self, app, method: str, path: str, headers: dict[str, str], chunks: list[bytes]):
        self.app = app
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 1),
            "server": ("test", 80),
        }
        self.chunks = chunks
        self.reads = 0
        self.status = 0
        self.body = b""

    async def receive(self) -> dict:
        self.reads += 1
        if self.reads > len(self.chunks):
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": self.chunks[self.reads - 1], "more_body": self.reads < len(self.chunks)}

    async def send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        else:
            self.body += message.get("body", b"")

    async def run(self) -> RawRequest:
        await self.app(self.scope, self.receive, self.send)
        return self


MIB = 1024 * 1024


async def test_a_body_declared_too_large_is_refused_before_any_of_it_is_read(api):
    ras = await api("ras")
    ten_mib = json.dumps({**GOOD, "family_name": "Seacole" * (10 * MIB // 7)}).encode()
    request = await RawRequest(
        ras.app, "POST", "/people", {**SW, **JSON, "content-length": str(len(ten_mib))}, [ten_mib]
    ).run()
    assert request.status == 413
    assert request.reads == 0
    assert b"Seacole" not in request.body and len(request.body) < 1_000
    assert json.loads(request.body)["correlation_id"]
    assert await _people_and_events(ras) == (0, 0)


async def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(api):
    ras = await api("ras", max_request_body_bytes=64 * 1024)
    chunk = b"\x00" * 16 * 1024  # NUL bytes: the limit is checked before the NUL check reads them
    request = await RawRequest(ras.app, "POST", "/people", {**SW, **JSON}, [chunk] * 1000).run()
    assert request.status == 413
    assert request.reads == 5  # 80 KiB read, of the 16 MB offered
    assert await _people_and_events(ras) == (0, 0)


async def test_an_unauthenticated_request_is_refused_before_its_body_is_read(api):
    ras = await api("ras")
    body = json.dumps({**GOOD, "given_name": float("nan")}).encode()  # would be a 422 if it were read
    for headers in ({}, {"authorization": "Bearer not-a-token"}, {"authorization": "Basic YTpi"}):
        request = await RawRequest(ras.app, "POST", "/people", {**JSON, **headers}, [body]).run()
        assert request.status == 401, headers
        assert request.reads == 0
        assert json.loads(request.body)["title"] == "Not authenticated"
    assert await _people_and_events(ras) == (0, 0)
