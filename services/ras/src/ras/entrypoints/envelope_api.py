"""The budget envelope report, as JSON (pence) and as CSV (pounds to two places)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from pbshared.contract.events.people import ClientGroup
from pbshared.platform.auth import CurrentPrincipal, Role, RouteKey
from pbshared.platform.deps import Session
from ras.domain.commissioning.envelope import EnvelopePosition
from ras.service_layer.envelope import envelope_on

router = APIRouter(prefix="/envelope", tags=["budget envelope"])

_READERS = frozenset({Role.team_manager, Role.panel, Role.admin, Role.auditor})
ACCESS: dict[RouteKey, frozenset[Role]] = {("GET", "/envelope"): _READERS, ("GET", "/envelope.csv"): _READERS}
On = Annotated[date | None, Query(description="The budget rules in force on this day; today if absent.")]


class GroupOut(BaseModel):
    client_group: ClientGroup
    envelope_pence: int
    agreed_pence: int
    indicative_pence: int
    committed_pence: int
    remaining_pence: int
    drawn_from_contingency_pence: int


class EnvelopeOut(BaseModel):
    groups: list[GroupOut]
    envelope_pence: int
    committed_pence: int
    contingency_reserve_pence: int
    drawn_from_contingency_pence: int
    contingency_remaining_pence: int

    @classmethod
    def of(cls, position: EnvelopePosition) -> EnvelopeOut:
        groups = [
            GroupOut(**vars(g), committed_pence=g.committed_pence, remaining_pence=g.remaining_pence)
            for g in position.groups
        ]
        return cls(
            groups=groups,
            envelope_pence=position.envelope_pence,
            committed_pence=position.committed_pence,
            contingency_reserve_pence=position.contingency_reserve_pence,
            drawn_from_contingency_pence=position.drawn_from_contingency_pence,
            contingency_remaining_pence=position.contingency_remaining_pence,
        )


@router.get("", response_model=EnvelopeOut)
async def envelope(principal: CurrentPrincipal, session: Session, on: On = None) -> EnvelopeOut:
    """Agreed and indicative budgets by client group against the envelope; the contingency drawn."""
    return EnvelopeOut.of(await envelope_on(session, principal.council_id, on or date.today()))


_MONEY = [name for name in GroupOut.model_fields if name.endswith("_pence")]


@router.get(".csv", response_class=Response)
async def envelope_csv(principal: CurrentPrincipal, session: Session, on: On = None) -> Response:
    """One row per client group; amounts in pounds to two places (exact: pence / 100)."""
    report = EnvelopeOut.of(await envelope_on(session, principal.council_id, on or date.today()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["client_group", *(name.removesuffix("_pence") + "_gbp" for name in _MONEY)])
    for group in report.groups:
        writer.writerow([group.client_group.value, *(Decimal(getattr(group, n)).scaleb(-2) for n in _MONEY)])
    return Response(out.getvalue(), media_type="text/csv")
