"""The day a request is judged on (which budget and funding are in force). Tests replace it through
FastAPI's dependency overrides, so a date is crossed by setting the clock, never by sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends


def today() -> date:
    return datetime.now(UTC).date()


Today = Annotated[date, Depends(today)]
