"""The ledger's one way in: open accounts, post transfers (one- or two-phase), reverse them, read balances.

Writers take a unit of work and never commit it: the caller's route or handler commits the transfer
with whatever else it changed and the events that announce it (from a handler, pass `ctx.uow`).
Readers take a session (a route's read-only `Session`, or `uow.session`).

    fund = await open_account(uow, council_id, AccountKind.dp_fund, "council")
    card = await open_account(uow, council_id, AccountKind.card, "CARD-0001")
    await post(uow, council_id, TransferRequest(
        idempotency_key="payment:<agreement>:2026-12-07", debit_account_id=fund.account_id,
        credit_account_id=card.account_id, amount_pence=52000, value_date=date(2026, 12, 7), kind="payment"))
    await uow.commit()
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.adapters.ledger_repository import LedgerRepository
from ledger.domain.accounts import NEVER_BELOW_ZERO, Account, AccountKind, Balance, TrialBalance, account_code
from ledger.domain.transfers import (
    Phase,
    Transfer,
    TransferRequest,
    check_request,
    counter_changes,
    refuse_if_different,
    refuse_overdraft,
    resolves,
    reverses,
)
from pbshared.errors import NotFound, RuleBroken
from pbshared.platform.unit_of_work import UnitOfWork

_REQUEST_FIELDS = tuple(f.name for f in dataclasses.fields(TransferRequest))


def _fields_of(request: TransferRequest) -> dict:
    # A shallow copy: dataclasses.asdict deep-copies every value (a payment run makes 3,000 a page).
    return {name: getattr(request, name) for name in _REQUEST_FIELDS}


async def open_account(
    uow: UnitOfWork,
    council_id: str,
    kind: AccountKind,
    reference: str | None = None,
    *,
    name: str | None = None,
    never_below_zero: bool | None = None,
) -> Account:
    """The council's account of this kind and reference, opened if it is new (so calling it twice is safe)."""
    if reference is not None and not 1 <= len(reference) <= 128:
        raise RuleBroken.about("reference", "must be 1 to 128 characters")
    repo = LedgerRepository(uow.session)
    code = account_code(kind, reference)
    found = await repo.account_by_code(council_id, code)
    if found is not None:
        return found
    account = Account(
        account_id=uuid.uuid4(),
        council_id=council_id,
        code=code,
        kind=kind,
        reference=reference,
        name=(name or code)[:200],
        never_below_zero=kind in NEVER_BELOW_ZERO if never_below_zero is None else never_below_zero,
    )
    try:
        async with uow.session.begin_nested():
            await repo.add_account(account)
    except IntegrityError:  # opened at the same moment by someone else: theirs is the account
        found = await repo.account_by_code(council_id, code)
        if found is None:
            raise
        return found
    return account


async def open_accounts(
    uow: UnitOfWork, council_id: str, wanted: Iterable[tuple[AccountKind, str | None]]
) -> dict[tuple[AccountKind, str | None], Account]:
    """Many accounts at once (a payment run's card accounts): those open already, the rest opened, in
    two statements; the same as open_account for each."""
    wanted = list(dict.fromkeys(wanted))
    repo = LedgerRepository(uow.session)
    found = await repo.accounts_by_codes(council_id, (account_code(k, r) for k, r in wanted))
    missing = [
        Account(uuid.uuid4(), council_id, account_code(k, r), k, r, account_code(k, r), k in NEVER_BELOW_ZERO)
        for k, r in wanted
        if account_code(k, r) not in found
    ]
    if not missing:  # the usual case (every page of a run or an import after the first): no savepoint
        return {(k, r): found[account_code(k, r)] for k, r in wanted}
    try:
        async with uow.session.begin_nested():
            await repo.add_accounts(missing)
    except IntegrityError:  # someone opened one of them meanwhile: one by one, as open_account does
        return {(k, r): await open_account(uow, council_id, k, r) for k, r in wanted}
    found.update({a.code: a for a in missing})
    return {(k, r): found[account_code(k, r)] for k, r in wanted}


async def find_account(
    session: AsyncSession, council_id: str, kind: AccountKind, reference: str | None = None
) -> Account | None:
    return await LedgerRepository(session).account_by_code(council_id, account_code(kind, reference))


async def post(uow: UnitOfWork, council_id: str, request: TransferRequest) -> Transfer:
    """Writes one transfer and moves its accounts' counters, or refuses it whole.

    A retry with the same idempotency key and fields returns the original and changes nothing; with
    different fields it is refused (409, naming idempotency_key).
    """
    check_request(request)
    repo = LedgerRepository(uow.session)
    existing = await repo.transfer_by_key(council_id, request.idempotency_key)
    if existing is not None:
        return refuse_if_different(existing, request)

    locked = await repo.lock_accounts(council_id, (request.debit_account_id, request.credit_account_id))
    for field in ("debit_account_id", "credit_account_id"):
        if getattr(request, field) not in locked:
            raise NotFound.about(field, "no such account in this council")
    pending = None
    if request.pending_id is not None:
        pending = await repo.transfer(council_id, request.pending_id)
        if pending is None:
            raise NotFound.about("pending_id", "no such transfer in this council")
        # Read after the accounts are locked: a concurrent post or void of it has committed by now.
        resolves(pending, request, await repo.follow_up(pending_of=pending.transfer_id))
    if request.reverses_id is not None:
        original = await repo.transfer(council_id, request.reverses_id)
        if original is None:
            raise NotFound.about("reverses_id", "no such transfer in this council")
        reverses(original, request, await repo.follow_up(reversal_of=original.transfer_id))

    debit_change, credit_change = counter_changes(request, pending)
    refuse_overdraft(locked[request.debit_account_id], debit_change)

    transfer = Transfer(
        **_fields_of(request),
        transfer_id=uuid.uuid4(),
        council_id=council_id,
        created_at=datetime.now(UTC),
    )
    try:
        async with uow.session.begin_nested():
            await repo.add_transfer(transfer)
    except IntegrityError:
        # The same key committed between our look-up and our insert (it touched other accounts, so
        # our locks did not hold it back): the retry rule applies to it.
        existing = await repo.transfer_by_key(council_id, request.idempotency_key)
        if existing is None:
            raise
        return refuse_if_different(existing, request)
    await repo.change_counters(request.debit_account_id, debit_change)
    await repo.change_counters(request.credit_account_id, credit_change)
    return transfer


async def post_many(uow: UnitOfWork, council_id: str, requests: Sequence[TransferRequest]) -> list[Transfer]:
    """Many one-phase (or pending) transfers in a handful of statements, with exactly post()'s rules,
    applied in order: a retry of a key (stored, or earlier in the list) is the original; any refusal
    refuses the whole list (the caller's transaction is not committed). Posting or voiding a pending
    transfer and reversals go through post(), one at a time."""
    for request in requests:
        check_request(request)
        if request.pending_id is not None or request.reverses_id is not None:
            raise RuleBroken.about("pending_id", "post, void or reverse one transfer at a time")
    repo = LedgerRepository(uow.session)
    by_key: dict[str, Transfer] = await repo.transfers_by_keys(council_id, (r.idempotency_key for r in requests))
    ids = {i for r in requests for i in (r.debit_account_id, r.credit_account_id)}
    locked = await repo.lock_accounts(council_id, ids)
    for request in requests:
        for field in ("debit_account_id", "credit_account_id"):
            if getattr(request, field) not in locked:
                raise NotFound.about(field, "no such account in this council")
    counters = {account_id: account.counters for account_id, account in locked.items()}
    results, new = [], []
    now = datetime.now(UTC)
    for request in requests:
        if request.idempotency_key in by_key:
            results.append(refuse_if_different(by_key[request.idempotency_key], request))
            continue
        debit_change, credit_change = counter_changes(request, None)
        debited = dataclasses.replace(locked[request.debit_account_id], counters=counters[request.debit_account_id])
        refuse_overdraft(debited, debit_change)
        counters[request.debit_account_id] = debit_change.applied(counters[request.debit_account_id])
        counters[request.credit_account_id] = credit_change.applied(counters[request.credit_account_id])
        transfer = Transfer(**_fields_of(request), transfer_id=uuid.uuid4(), council_id=council_id, created_at=now)
        by_key[request.idempotency_key] = transfer
        new.append(transfer)
        results.append(transfer)
    try:
        async with uow.session.begin_nested():
            await repo.add_transfers(new)
    except IntegrityError:  # a key committed meanwhile: one at a time, where the retry rule sorts it out
        return [await post(uow, council_id, request) for request in requests]
    await repo.set_counters({i: c for i, c in counters.items() if c != locked[i].counters})
    return results


async def find_transfers(
    session: AsyncSession, council_id: str, idempotency_keys: Iterable[str]
) -> dict[str, Transfer]:
    """The transfers made with these keys, by key (those never used are absent)."""
    return await LedgerRepository(session).transfers_by_keys(council_id, idempotency_keys)


async def _original(uow: UnitOfWork, council_id: str, transfer_id: uuid.UUID, field: str) -> Transfer:
    found = await LedgerRepository(uow.session).transfer(council_id, transfer_id)
    if found is None:
        raise NotFound.about(field, "no such transfer in this council")
    return found


async def post_pending(
    uow: UnitOfWork,
    council_id: str,
    pending_id: uuid.UUID,
    *,
    idempotency_key: str,
    value_date: date,
    amount_pence: int | None = None,
    description: str = "",
) -> Transfer:
    """Posts a pending transfer: its whole amount, or less (the rest is released)."""
    return await _resolve(
        uow, council_id, pending_id, Phase.post_pending, idempotency_key, value_date, amount_pence, description
    )


async def void_pending(
    uow: UnitOfWork, council_id: str, pending_id: uuid.UUID, *, idempotency_key: str, value_date: date
) -> Transfer:
    """Releases a pending transfer: nothing moves."""
    return await _resolve(uow, council_id, pending_id, Phase.void_pending, idempotency_key, value_date, None, "void")


async def _resolve(
    uow: UnitOfWork,
    council_id: str,
    pending_id: uuid.UUID,
    phase: Phase,
    idempotency_key: str,
    value_date: date,
    amount_pence: int | None,
    description: str,
) -> Transfer:
    pending = await _original(uow, council_id, pending_id, "pending_id")
    return await post(
        uow,
        council_id,
        TransferRequest(
            idempotency_key=idempotency_key,
            debit_account_id=pending.debit_account_id,
            credit_account_id=pending.credit_account_id,
            amount_pence=pending.amount_pence if amount_pence is None else amount_pence,
            value_date=value_date,
            kind=pending.kind,
            description=description or pending.description,
            reference=pending.reference,
            phase=phase,
            pending_id=pending_id,
        ),
    )


async def reverse(
    uow: UnitOfWork,
    council_id: str,
    transfer_id: uuid.UUID,
    *,
    idempotency_key: str,
    value_date: date,
    description: str = "",
) -> Transfer:
    """Corrects a transfer the only way the ledger allows: the same amount back, as a new transfer."""
    original = await _original(uow, council_id, transfer_id, "reverses_id")
    return await post(
        uow,
        council_id,
        TransferRequest(
            idempotency_key=idempotency_key,
            debit_account_id=original.credit_account_id,
            credit_account_id=original.debit_account_id,
            amount_pence=original.amount_pence,
            value_date=value_date,
            kind="reversal",
            description=description or "reversal",
            reference=original.reference,
            reverses_id=transfer_id,
        ),
    )


async def get_transfer(session: AsyncSession, council_id: str, transfer_id: uuid.UUID) -> Transfer | None:
    return await LedgerRepository(session).transfer(council_id, transfer_id)


async def find_transfer(session: AsyncSession, council_id: str, idempotency_key: str) -> Transfer | None:
    """The transfer made with this idempotency key, if any (e.g. has this month's fee been charged?)."""
    return await LedgerRepository(session).transfer_by_key(council_id, idempotency_key)


async def balance(session: AsyncSession, council_id: str, account_id: uuid.UUID, as_of: date | None = None) -> Balance:
    """An account's balance: now (its counters) or at the end of `as_of` (value dates up to it)."""
    repo = LedgerRepository(session)
    if as_of is None:
        account = await repo.account(council_id, account_id)
        if account is None:
            raise NotFound.about("account_id", "no such account in this council", where="path")
        c = account.counters
        return Balance(account_id, account.code, c.debits_posted, c.credits_posted, c.debits_pending, c.credits_pending)
    found = await repo.balances(council_id, as_of, [account_id])
    if not found:
        raise NotFound.about("account_id", "no such account in this council", where="path")
    return found[0]


async def trial_balance(session: AsyncSession, council_id: str, as_of: date) -> TrialBalance:
    """Every account's posted balance at the end of `as_of`; `balanced` is true in a sound ledger."""
    return TrialBalance(tuple(await LedgerRepository(session).balances(council_id, as_of)))
