"""The time a request is judged at (bidding deadlines, acceptance windows). Tests replace it through
FastAPI's dependency overrides, so a deadline is crossed by setting the clock, never by sleeping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends


# `async def`, as pbshared's dependencies that do no I/O: FastAPI runs a plain `def` in its thread pool,
# a hop to another thread and back on every bid for a clock read.
async def current_time() -> datetime:
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(current_time)]
