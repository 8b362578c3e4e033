"""Query parameters for paging through lists, bounded so that no value can reach the database
as something it cannot hold (an unbounded offset overflowed PostgreSQL's bigint)."""

from typing import Annotated

from fastapi import Query

MAX_PAGE = 500
MAX_OFFSET = 1_000_000

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="How many to return")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many to skip")]
