"""The baselines for the RAS bench: a bare FastAPI app that verifies the same bearer token as the
services (the platform's TokenVerifier, same settings) and either returns a constant or commits one
row to PostgreSQL through the same engine settings. No role table, middleware or domain work: what
is left when RAS's own work is taken away.

    python -m bench.bare_app --port 8001      # PB_DATABASE_URL and PB_JWT_SECRET from the environment
"""

import argparse
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, status
from sqlalchemy import Column, MetaData, String, Table, Uuid, insert

from pbshared.platform.auth import Principal, TokenVerifier
from pbshared.platform.collector import settle_for_serving
from pbshared.platform.db import create_engine, session_factory
from pbshared.platform.settings import ServiceSettings

metadata = MetaData()
# One row a request: the least a stored write can be.
bench_rows = Table("bench_rows", metadata, Column("row_id", Uuid, primary_key=True), Column("council_id", String(64)))


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings(service_name="bench-bare")
    verifier = TokenVerifier(settings)
    engine = create_engine(settings.resolved_database_url())
    sessions = session_factory(engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        yield
        await engine.dispose()

    async def principal(authorization: Annotated[str | None, Header()] = None) -> Principal:
        return verifier.authenticate(authorization)

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/constant")
    async def constant(_: Annotated[Principal, Depends(principal)]) -> dict[str, bool]:
        return {"ok": True}

    @app.post("/row", status_code=status.HTTP_201_CREATED)
    async def row(who: Annotated[Principal, Depends(principal)]) -> dict[str, str]:
        row_id = uuid.uuid4()
        async with sessions() as session, session.begin():
            await session.execute(insert(bench_rows).values(row_id=row_id, council_id=who.council_id))
        return {"row_id": str(row_id)}

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.bare_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    app = create_app()
    settle_for_serving()  # as the services' serve command does
    uvicorn.run(app, host=args.host, port=args.port, log_config=None)  # as the services run


if __name__ == "__main__":
    main()
