"""Request fields shared by health's routers."""

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
