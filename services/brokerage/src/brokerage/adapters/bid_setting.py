"""Everything a bid is judged on, read in one statement: the package (share-locked, see
service_layer/bidding.py), whether the provider was invited to it and has bid in its current round
already, the provider, and which DPS rules and localities are in force. A bid is judged in memory on
what this returns, then inserted: two round trips and a commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, Select, String, and_, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from brokerage.adapters.packages_repository import package_from
from brokerage.adapters.providers_repository import provider_from
from brokerage.adapters.reference_repository import InForce, in_force_columns, in_force_of
from brokerage.adapters.tables import bids, invitations, packages, providers
from brokerage.domain.packages import Package
from brokerage.domain.providers import Provider

_PROVIDER = "provider__"  # provider columns are labelled apart: both tables have a status, a revision


@dataclass(frozen=True)
class BidSetting:
    package: Package
    invited: bool  # to any round: a provider keeps seeing an advert it was sent, and its own bids
    bid_this_round: bool
    provider: Provider | None
    in_force: InForce


def _statement() -> Select:
    provider_id = bindparam("provider_id", type_=String)
    invited = exists().where(
        invitations.c.package_id == packages.c.package_id, invitations.c.provider_id == provider_id
    )
    bid_this_round = exists().where(
        bids.c.package_id == packages.c.package_id, bids.c.round == packages.c.round, bids.c.provider_id == provider_id
    )
    provider_joined = and_(providers.c.council_id == packages.c.council_id, providers.c.provider_id == provider_id)
    return (
        select(
            packages,
            invited.label("invited"),
            bid_this_round.label("bid_this_round"),
            *(c.label(_PROVIDER + c.name) for c in providers.c),
            *in_force_columns(packages.c.council_id, bindparam("on", type_=Date)),
        )
        .select_from(packages.outerjoin(providers, provider_joined))
        .where(packages.c.council_id == bindparam("council_id"), packages.c.package_id == bindparam("package_id"))
        .with_for_update(read=True, of=packages)
    )


# Built once: building it is a good part of a bid's time in Python; its parameters are bound per bid.
_STATEMENT = _statement()


async def bid_setting(
    session: AsyncSession, council_id: str, package_id: uuid.UUID, provider_id: str, on: date
) -> BidSetting | None:
    values = {"council_id": council_id, "package_id": package_id, "provider_id": provider_id, "on": on}
    row = (await session.execute(_STATEMENT, values)).first()
    if row is None:
        return None
    m = row._mapping
    provider = None
    if m[_PROVIDER + "provider_id"] is not None:
        provider = provider_from({c.name: m[_PROVIDER + c.name] for c in providers.c})
    return BidSetting(package_from(row), bool(m["invited"]), bool(m["bid_this_round"]), provider, in_force_of(row))
