"""The ledger's rules through its service layer, on SQLite and PostgreSQL: double entry, immutable
transfers, idempotency keys, never-below-zero card accounts, two-phase transfers, dated balances."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ledger.domain.accounts import AccountKind
from ledger.domain.transfers import Phase, TransferRequest
from ledger.service_layer import postings
from pbshared.errors import Conflict, NotFound, RuleBroken

COUNCIL = "wyvernshire"
D1, D2, D3 = date(2026, 4, 6), date(2026, 4, 13), date(2026, 4, 20)


async def _accounts(new_uow):
    async with new_uow() as uow:
        fund = await postings.open_account(uow, COUNCIL, AccountKind.dp_fund, "council")
        card = await postings.open_account(uow, COUNCIL, AccountKind.card, "CARD-1")
        spend = await postings.open_account(uow, COUNCIL, AccountKind.spending, "personal_assistant")
        await uow.commit()
    return fund, card, spend


def _load(fund, card, amount=10_000, key="load-1", value_date=D1, **kw):
    return TransferRequest(
        idempotency_key=key,
        debit_account_id=fund.account_id,
        credit_account_id=card.account_id,
        amount_pence=amount,
        value_date=value_date,
        kind="payment",
        **kw,
    )


async def _post(new_uow, request):
    async with new_uow() as uow:
        transfer = await postings.post(uow, COUNCIL, request)
        await uow.commit()
    return transfer


async def _balance(sessions, account, as_of=None):
    async with sessions() as session:
        return await postings.balance(session, COUNCIL, account.account_id, as_of)


async def test_a_transfer_debits_one_account_and_credits_the_other(new_uow, sessions):
    fund, card, _ = await _accounts(new_uow)
    await _post(new_uow, _load(fund, card))
    assert (await _balance(sessions, card)).balance_pence == 10_000
    assert (await _balance(sessions, fund)).balance_pence == -10_000
    async with sessions() as session:
        assert (await postings.trial_balance(session, COUNCIL, D3)).balanced


async def test_opening_an_account_twice_gives_the_same_account(new_uow):
    first, _, _ = await _accounts(new_uow)
    second, _, _ = await _accounts(new_uow)
    assert first.account_id == second.account_id
    assert second.never_below_zero is False
    async with new_uow() as uow:
        card = await postings.open_account(uow, COUNCIL, AccountKind.card, "CARD-1")
    assert card.never_below_zero is True


async def test_a_retry_with_the_same_key_is_the_original_and_changes_nothing(new_uow, sessions):
    fund, card, _ = await _accounts(new_uow)
    first = await _post(new_uow, _load(fund, card))
    again = await _post(new_uow, _load(fund, card))
    assert again.transfer_id == first.transfer_id
    assert (await _balance(sessions, card)).balance_pence == 10_000


async def test_a_retry_with_the_same_key_and_other_fields_is_refused_naming_the_key(new_uow, sessions):
    fund, card, _ = await _accounts(new_uow)
    await _post(new_uow, _load(fund, card))
    with pytest.raises(Conflict) as refused:
        await _post(new_uow, _load(fund, card, amount=10_001))
    assert [i.field for i in refused.value.issues] == ["idempotency_key"]
    assert "amount_pence" in refused.value.message
    assert "10001" not in refused.value.message
    assert (await _balance(sessions, card)).balance_pence == 10_000


async def test_keys_belong_to_one_council(new_uow, sessions):
    fund, card, _ = await _accounts(new_uow)
    await _post(new_uow, _load(fund, card))
    async with new_uow() as uow:
        other_fund = await postings.open_account(uow, "elsewhere", AccountKind.dp_fund, "council")
        other_card = await postings.open_account(uow, "elsewhere", AccountKind.card, "CARD-1")
        await postings.post(uow, "elsewhere", _load(other_fund, other_card, amount=5))
        # Another council's account cannot be named from here.
        with pytest.raises(NotFound):
            await postings.post(uow, COUNCIL, _load(fund, other_card, key="cross"))
        await uow.commit()
    assert (await _balance(sessions, card)).balance_pence == 10_000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_pence": 0}, "amount_pence"),
        ({"amount_pence": -5}, "amount_pence"),
        ({"kind": "Not A Code"}, "kind"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"phase": Phase.post_pending}, "pending_id"),
    ],
)
async def test_a_transfer_breaking_a_rule_is_refused_and_nothing_is_stored(new_uow, sessions, change, field):
    fund, card, _ = await _accounts(new_uow)
    request = _load(fund, card)
    with pytest.raises(RuleBroken) as refused:
        await _post(new_uow, TransferRequest(**{**request.__dict__, **change}))
    assert field in [i.field for i in refused.value.issues]
    assert (await _balance(sessions, card)).balance_pence == 0


async def test_a_transfer_needs_two_different_accounts(new_uow):
    fund, _, _ = await _accounts(new_uow)
    with pytest.raises(RuleBroken):
        await _post(new_uow, _load(fund, fund))


async def test_a_card_account_is_never_driven_below_zero(new_uow, sessions):
    fund, card, spend = await _accounts(new_uow)
    await _post(new_uow, _load(fund, card, amount=1_000))
    spending = TransferRequest("spend-1", card.account_id, spend.account_id, 1_001, D2, "spending")
    with pytest.raises(RuleBroken) as refused:
        await _post(new_uow, spending)
    assert refused.value.issues[0].field == "amount_pence"
    await _post(new_uow, TransferRequest("spend-2", card.account_id, spend.account_id, 1_000, D2, "spending"))
    assert (await _balance(sessions, card)).balance_pence == 0


async def test_pending_debits_count_against_a_card_account(new_uow, sessions):
    fund, card, spend = await _accounts(new_uow)
    await _post(new_uow, _load(fund, card, amount=1_000))
    hold = await _post(
        new_uow, TransferRequest("auth-1", card.account_id, spend.account_id, 800, D2, "spending", phase=Phase.pending)
    )
    with pytest.raises(RuleBroken):
        await _post(new_uow, TransferRequest("spend-3", card.account_id, spend.account_id, 300, D2, "spending"))
    # Posting less than was held releases the rest.
    async with new_uow() as uow:
        await postings.post_pending(
            uow, COUNCIL, hold.transfer_id, idempotency_key="settle-1", value_date=D3, amount_pence=700
        )
        await uow.commit()
    now = await _balance(sessions, card)
    assert (now.balance_pence, now.debits_pending) == (300, 0)
    # On D2 the hold was still pending; on D3 it was posted.
    on_d2 = await _balance(sessions, card, D2)
    assert (on_d2.balance_pence, on_d2.debits_pending) == (1_000, 800)
    on_d3 = await _balance(sessions, card, D3)
    assert (on_d3.balance_pence, on_d3.debits_pending) == (300, 0)


async def test_a_pending_transfer_is_posted_or_voided_once(new_uow, sessions):
    fund, card, _ = await _accounts(new_uow)
    hold = await _post(new_uow, _load(fund, card, phase=Phase.pending))
    async with new_uow() as uow:
        await postings.void_pending(uow, COUNCIL, hold.transfer_id, idempotency_key="void-1", value_date=D2)
        await uow.commit()
    with pytest.raises(Conflict):
        async with new_uow() as uow:
            await postings.post_pending(uow, COUNCIL, hold.transfer_id, idempotency_key="post-1", value_date=D2)
    card_now = await _balance(sessions, card)
    assert (card_now.balance_pence, card_now.credits_pending) == (0, 0)
    assert (await _balance(sessions, card, D1)).credits_pending == 10_000


async def test_a_correction_is_a_reversing_transfer_made_once(new_uow, sessions):
    fund, card, _ = await _accounts(new_uow)
    original = await _post(new_uow, _load(fund, card))
    async with new_uow() as uow:
        reversal = await postings.reverse(uow, COUNCIL, original.transfer_id, idempotency_key="rev-1", value_date=D2)
        await uow.commit()
    assert (reversal.debit_account_id, reversal.credit_account_id) == (card.account_id, fund.account_id)
    with pytest.raises(Conflict):
        async with new_uow() as uow:
            await postings.reverse(uow, COUNCIL, original.transfer_id, idempotency_key="rev-2", value_date=D2)
    assert (await _balance(sessions, card)).balance_pence == 0
    assert (await _balance(sessions, card, D1)).balance_pence == 10_000
    async with sessions() as session:
        stored = await postings.get_transfer(session, COUNCIL, original.transfer_id)
    # The original is untouched (SQLite keeps no time zone, so created_at is left out).
    assert replace(stored, created_at=None) == replace(original, created_at=None)


async def test_the_trial_balance_sums_to_zero_at_every_date(new_uow, sessions):
    fund, card, spend = await _accounts(new_uow)
    await _post(new_uow, _load(fund, card, amount=5_000, value_date=D1))
    await _post(new_uow, TransferRequest("s", card.account_id, spend.account_id, 1_234, D2, "spending"))
    async with sessions() as session:
        for day in (date(2026, 4, 1), D1, D2, D3):
            trial = await postings.trial_balance(session, COUNCIL, day)
            assert trial.balanced
            assert trial.total_debits == trial.total_credits
        on_d1 = {line.code: line.balance_pence for line in (await postings.trial_balance(session, COUNCIL, D1)).lines}
    assert on_d1 == {"card:CARD-1": 5_000, "dp_fund:council": -5_000, "spending:personal_assistant": 0}


async def test_a_follow_up_cannot_be_dated_before_what_it_follows_nor_post_more_than_was_held(new_uow):
    fund, card, _ = await _accounts(new_uow)
    hold = await _post(new_uow, _load(fund, card, phase=Phase.pending, value_date=D2))
    posted = await _post(new_uow, _load(fund, card, key="load-2", value_date=D2))
    async with new_uow() as uow:
        with pytest.raises(RuleBroken) as early:
            await postings.post_pending(uow, COUNCIL, hold.transfer_id, idempotency_key="p", value_date=D1)
        assert early.value.issues[0].field == "value_date"
        with pytest.raises(RuleBroken) as too_much:
            await postings.post_pending(
                uow, COUNCIL, hold.transfer_id, idempotency_key="p", value_date=D2, amount_pence=10_001
            )
        assert too_much.value.issues[0].field == "amount_pence"
        with pytest.raises(RuleBroken):
            await postings.reverse(uow, COUNCIL, posted.transfer_id, idempotency_key="r", value_date=D1)
        with pytest.raises(RuleBroken):  # a pending transfer moved nothing: there is nothing to reverse
            await postings.reverse(uow, COUNCIL, hold.transfer_id, idempotency_key="r", value_date=D2)
