"""Request fields every service's routers share."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# The revision guard on every update (docs/architecture.md, "Concurrent writes"). The upper bound is
# PostgreSQL's integer, so an absurd number is a 422 naming the field, not a database error.
ReadRevision = Annotated[
    int,
    Field(
        ge=1,
        le=2**31 - 1,
        description="The revision you read (GET returns it). If the record changed since, nothing is "
        "changed and the answer is 409: read it again.",
    ),
]
