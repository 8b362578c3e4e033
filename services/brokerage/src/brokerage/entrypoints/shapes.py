"""Request fields shared by brokerage's routers."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

ReadRevision = Annotated[
    int,
    Field(
        ge=1,
        le=2**31 - 1,
        description="The revision you read. If the record changed since, nothing is changed and the "
        "answer is 409: read it again.",
    ),
]
Reason = Annotated[str, Field(min_length=1, max_length=1000)]
ProviderId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
