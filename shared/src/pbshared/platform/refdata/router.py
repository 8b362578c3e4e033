"""Admin endpoints for reference data, the same in every service."""

from __future__ import annotations

import weakref
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from pbshared.platform.auth import CurrentPrincipal, Principal, Role, RouteKey
from pbshared.platform.db import SessionFactory
from pbshared.platform.deps import Session, Sessions
from pbshared.platform.errors import Problem
from pbshared.platform.refdata.kinds import COUNCIL_KIND, ReferenceKind
from pbshared.platform.refdata.lookup import Dataset, effective_dataset
from pbshared.platform.refdata.repository import (
    DatasetIn,
    council_is_known,
    list_datasets,
    store_dataset,
)


async def _reference_kinds(request: Request) -> dict[str, ReferenceKind]:
    return request.app.state.reference_kinds  # type: ignore[no-any-return]


# Here rather than in deps: only this router needs it, and deps stays below the refdata package.
ReferenceKinds = Annotated[dict[str, ReferenceKind], Depends(_reference_kinds)]

router = APIRouter(prefix="/reference-datasets", tags=["reference data"])

_READERS = frozenset(Role) - {Role.provider, Role.operator}
ACCESS: dict[RouteKey, frozenset[Role]] = {
    # An operator sets a council up (its first `council` dataset); its admin loads the rest.
    ("POST", "/reference-datasets"): frozenset({Role.admin, Role.operator}),
    ("GET", "/reference-datasets"): _READERS,
    ("GET", "/reference-datasets/{kind}/effective"): _READERS,
}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Dataset)
async def load_dataset(
    incoming: DatasetIn, principal: CurrentPrincipal, sessions: Sessions, kinds: ReferenceKinds, response: Response
) -> Dataset:
    """Load a new version of a dataset. Every problem is listed; nothing is stored on any.

    Setting a council up (its first `council` dataset) is an operator's act; an operator loads
    nothing else. A council's admin loads its datasets once it is set up."""
    operator = principal.role is Role.operator
    if operator and incoming.kind != COUNCIL_KIND.name:
        raise Problem(403, "Forbidden", "an operator sets councils up; their admins load their other datasets")
    if not operator and incoming.council_id != principal.council_id:
        raise Problem(403, "Forbidden", "an admin loads datasets for their own council only")
    async with sessions() as session, session.begin():
        known = incoming.kind == COUNCIL_KIND.name and await council_is_known(session, incoming.council_id)
        if not operator and incoming.kind == COUNCIL_KIND.name and not known:
            raise Problem(403, "Unknown council", "an operator sets a council up before its admin loads datasets")
        dataset, created = await store_dataset(session, kinds, incoming, loaded_by=principal.subject)
        if operator and known and created:
            # An operator's token is no council's: once a council is set up, a new version of it (its
            # name, its LA code) is its own admin's to load. Raised here, the version is rolled back;
            # the same first dataset sent again still answers 200 and changes nothing.
            raise Problem(403, "Forbidden", "an operator sets a council up once; its admin loads its later versions")
    if not created:
        response.status_code = status.HTTP_200_OK
    return dataset


@router.get("", response_model=list[Dataset])
async def list_council_datasets(
    principal: CurrentPrincipal, session: Session, kind: str | None = None
) -> list[Dataset]:
    return await list_datasets(session, principal.council_id, kind)


@router.get("/{kind}/effective", response_model=Dataset)
async def dataset_in_force(
    kind: str,
    principal: CurrentPrincipal,
    session: Session,
    on: Annotated[date | None, Query(description="The date that matters; today if absent")] = None,
) -> Dataset:
    dataset = await effective_dataset(session, principal.council_id, kind, on or date.today())
    if dataset is None:
        raise Problem(404, "Not found", f"no {kind} dataset in force on {on or date.today()}")
    return dataset


async def _known_council(principal: CurrentPrincipal, request: Request) -> Principal:
    sessions: SessionFactory = request.app.state.sessions
    known = _KNOWN_COUNCILS.setdefault(sessions, set())
    if principal.council_id in known:
        return principal
    # Its own short session, given back before the route runs: the request's read session would hold
    # a connection while the route's unit of work takes a second, and enough concurrent writes (more
    # than half the pool) would each hold one and wait for the other until the pool times out.
    async with sessions() as session:
        if await council_is_known(session, principal.council_id):
            known.add(principal.council_id)
    if principal.council_id not in known:
        raise Problem(403, "Unknown council", f"council {principal.council_id!r} is not set up in this service")
    return principal


# Councils each database is known to hold: a council's datasets are never deleted, so once known it
# stays known, and each write is spared a round trip to ask again (one set per app's sessions).
_KNOWN_COUNCILS: weakref.WeakKeyDictionary[SessionFactory, set[str]] = weakref.WeakKeyDictionary()

# The caller, whose council this service has a `council` dataset for; work for any other is refused.
KnownCouncilPrincipal = Annotated[Principal, Depends(_known_council)]
