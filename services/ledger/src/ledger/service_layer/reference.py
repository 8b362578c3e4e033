"""The council's direct payment policy and card fee schedule in force on a date."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ledger.domain.reference import CARD_FEES_KIND, POLICY_KIND, CardFeeSchedule, DirectPaymentPolicy
from pbshared.platform.refdata.lookup import effective_dataset


async def policy_on(session: AsyncSession, council_id: str, day: date) -> DirectPaymentPolicy:
    """The policy in force; the national defaults (4-weekly, net, 8 weeks' threshold) if none is loaded."""
    dataset = await effective_dataset(session, council_id, POLICY_KIND, day)
    return DirectPaymentPolicy() if dataset is None else DirectPaymentPolicy.model_validate(dataset.payload)


async def card_fees_on(session: AsyncSession, council_id: str, day: date) -> CardFeeSchedule | None:
    """The card scheme's fees in force, or None when the council has loaded no fee schedule (no fees)."""
    dataset = await effective_dataset(session, council_id, CARD_FEES_KIND, day)
    return None if dataset is None else CardFeeSchedule.model_validate(dataset.payload)
