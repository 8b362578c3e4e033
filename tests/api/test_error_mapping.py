"""Domain errors become problem responses in one place, each naming its field; a unique constraint
a service declares as a known race is a 409 naming what conflicted; any other integrity error is a
bug: a 500, logged, never a 409 that would tell the client it merely raced."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, UniqueConstraint, insert

from pbshared.errors import Conflict, NotFound, RuleBroken, StaleRevision, Unacceptable
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.errors import KnownConstraint, install_error_handlers

pytestmark = pytest.mark.integration

metadata = MetaData()
cards = Table(
    "cards",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("council_id", String(20), nullable=False),
    Column("card_number", String(20), nullable=False),
    Column("holder", String(20), nullable=False),
    UniqueConstraint("council_id", "card_number", name="uq_cards_card_number"),  # declared: a race
    UniqueConstraint("council_id", "holder", name="uq_cards_holder"),  # not declared: a bug if hit
)
KNOWN = {"uq_cards_card_number": KnownConstraint("card_number", "already issued at the same moment")}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("empty_postgres_database"))
    return f"sqlite+aiosqlite:///{tmp_path / 'cards.db'}"


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    sessions = session_factory(engine)
    app = FastAPI()
    install_error_handlers(app, KNOWN, metadata)

    @app.post("/cards/{number}/{holder}")
    async def issue(number: str, holder: str) -> dict[str, str]:
        async with sessions() as session, session.begin():
            await session.execute(insert(cards).values(council_id="wy", card_number=number, holder=holder))
        return {"card_number": number}

    @app.get("/refusals/{kind}")
    async def refuse(kind: str) -> None:
        raise {
            "not-found": NotFound.about("card_id", "no card 7", where="path"),
            "conflict": Conflict.about("card_number", "already issued"),
            "rule": RuleBroken.about("holder", "a holder may hold one card"),
            "stale": StaleRevision(),
            "unacceptable": Unacceptable.about("holder", "a holder must be 18"),
        }[kind]

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as test_client:
        yield test_client
    await engine.dispose()


@pytest.mark.parametrize(
    ("kind", "status", "loc", "message"),
    [
        ("not-found", 404, ["path", "card_id"], "no card 7"),
        ("conflict", 409, ["body", "card_number"], "already issued"),
        ("rule", 409, ["body", "holder"], "a holder may hold one card"),
        ("stale", 409, ["body", "revision"], "changed since you read it; read it again"),
        ("unacceptable", 422, ["body", "holder"], "a holder must be 18"),
    ],
)
async def test_each_domain_error_is_a_problem_naming_its_field(client, kind, status, loc, message):
    response = await client.get(f"/refusals/{kind}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [{"loc": loc, "msg": message, "type": "value_error"}]


async def test_a_known_unique_constraint_is_a_conflict_naming_the_field(client):
    assert (await client.post("/cards/1234/ann")).status_code == 200
    again = await client.post("/cards/1234/bea")
    assert again.status_code == 409
    assert again.json()["errors"] == [
        {"loc": ["body", "card_number"], "msg": "already issued at the same moment", "type": "value_error"}
    ]


async def test_any_other_integrity_error_is_a_logged_server_error_not_a_conflict(client, caplog):
    assert (await client.post("/cards/1234/ann")).status_code == 200
    with caplog.at_level(logging.ERROR, logger="pbshared.platform.errors"):
        response = await client.post("/cards/5678/ann")
    assert response.status_code == 500
    assert "ann" not in response.text and "uq_cards_holder" not in response.text
    logged = [r for r in caplog.records if r.getMessage() == "unexpected integrity error"]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert logged[0].constraint == "uq_cards_holder"  # type: ignore[attr-defined]
