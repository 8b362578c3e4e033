"""The card provider's statement: one record per card transaction, from a CSV file or a webhook.

The columns and their rules are documented in docs/ledger-card-files.md. A record is checked field by
field; every problem names the field and the rule, never the value (a statement carries people's
spending). The file is read a line at a time (`read_statement`), so a file of a million lines costs
the memory of one line plus the transaction ids already seen.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

COLUMNS = (
    "transaction_id",
    "card_account",
    "occurred_at",
    "amount",
    "type",
    "merchant_name",
    "merchant_category_code",
    "balance",
)


class CardTransactionType(StrEnum):
    load = "load"  # the council's payment onto the card
    purchase = "purchase"  # card payment, or a transfer to a personal assistant or agency
    refund = "refund"  # a merchant gives money back
    fee = "fee"  # the card scheme's charge
    cash_withdrawal = "cash_withdrawal"
    contribution = "contribution"  # the person's contribution paid in


# Money in (+) or out (-) of the card account, as the provider signs it.
MONEY_IN = frozenset({CardTransactionType.load, CardTransactionType.refund, CardTransactionType.contribution})
# Spending at a merchant: the only types that must name one.
AT_A_MERCHANT = frozenset({CardTransactionType.purchase, CardTransactionType.refund})

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_POUNDS = re.compile(r"(-?)(\d{1,9})\.(\d{2})")
_MCC = re.compile(r"\d{4}")
_CONTROL = re.compile(r"[\x00-\x1f]")  # a character below space: not printable
_TYPES = {t.value: t for t in CardTransactionType}
MAX_MERCHANT_NAME = 200


@dataclass(frozen=True, slots=True)
class CardTransaction:
    transaction_id: str
    card_account: str
    occurred_at: datetime
    amount_pence: int  # signed: + into the card account, - out of it
    type: CardTransactionType
    merchant_name: str | None
    merchant_category_code: int | None
    balance_pence: int  # what the provider reports the account holds after this transaction


@dataclass(frozen=True, slots=True)
class RecordProblem:
    field: str
    rule: str


@dataclass(frozen=True, slots=True)
class LineProblem:
    line: int
    field: str
    rule: str


class StatementRefused(Exception):
    """A file with any bad line is refused whole; `problems` lists each bad line (first `MAX_REPORTED`)."""

    MAX_REPORTED = 1000

    def __init__(self, problems: list[LineProblem], bad_lines: int):
        self.problems = problems
        self.bad_lines = bad_lines
        super().__init__(f"{bad_lines} bad line(s) in the statement file")


def pence_from_pounds(text: str) -> int | None:
    """'-12.34' -> -1234; None unless it is pounds with exactly two decimals (no rounding guessed)."""
    match = _POUNDS.fullmatch(text)
    if not match:
        return None
    sign, pounds, pennies = match.groups()
    pence = int(pounds) * 100 + int(pennies)
    return -pence if sign else pence


def parse_record(fields: dict[str, str]) -> tuple[CardTransaction | None, list[RecordProblem]]:
    """One record (a CSV row or a webhook body) checked completely: the transaction, or every problem."""

    def text(name: str) -> str:
        value = fields.get(name)
        return value.strip() if isinstance(value, str) else ""

    return _checked(*(text(name) for name in COLUMNS))


def _checked(
    transaction_id: str,
    card_account: str,
    occurred_at_text: str,
    amount_text: str,
    type_text: str,
    merchant: str,
    mcc_text: str,
    balance_text: str,
) -> tuple[CardTransaction | None, list[RecordProblem]]:
    """parse_record on the fields' texts already stripped, in the order of COLUMNS (a statement's
    lines come here straight from the CSV reader, without a dict made for each)."""
    problems: list[RecordProblem] = []
    if not _ID.fullmatch(transaction_id):
        problems.append(RecordProblem("transaction_id", "required: 1-64 letters, digits, '.', '_', ':' or '-'"))
    if not _ID.fullmatch(card_account):
        problems.append(RecordProblem("card_account", "required: 1-64 letters, digits, '.', '_', ':' or '-'"))
    occurred_at = _timestamp(occurred_at_text)
    if occurred_at is None:
        problems.append(
            RecordProblem(
                "occurred_at", "required: ISO 8601 date and time with its UTC offset, e.g. 2026-04-01T09:30:00Z"
            )
        )
    kind = _TYPES.get(type_text)
    if kind is None:
        problems.append(RecordProblem("type", f"required: one of {', '.join(t.value for t in CardTransactionType)}"))
    amount = pence_from_pounds(amount_text)
    if amount is None or amount == 0:
        problems.append(RecordProblem("amount", "required: pounds with exactly two decimals, not zero, e.g. -12.34"))
    elif kind is not None and (amount > 0) != (kind in MONEY_IN):
        sign = "positive (money in)" if kind in MONEY_IN else "negative (money out)"
        problems.append(RecordProblem("amount", f"must be {sign} for this type"))
    if len(merchant) > MAX_MERCHANT_NAME or _CONTROL.search(merchant):
        problems.append(RecordProblem("merchant_name", f"at most {MAX_MERCHANT_NAME} printable characters"))
    elif kind in AT_A_MERCHANT and not merchant:
        problems.append(RecordProblem("merchant_name", "required for a purchase or refund"))
    mcc = int(mcc_text) if _MCC.fullmatch(mcc_text) else None
    if mcc_text and mcc is None:
        problems.append(RecordProblem("merchant_category_code", "four digits (ISO 18245), or empty"))
    balance = pence_from_pounds(balance_text)
    if balance is None:
        problems.append(RecordProblem("balance", "required: pounds with exactly two decimals, e.g. 250.00"))
    if problems:
        return None, problems
    assert occurred_at is not None and kind is not None and amount is not None and balance is not None
    return (
        CardTransaction(
            transaction_id=transaction_id,
            card_account=card_account,
            occurred_at=occurred_at,
            amount_pence=amount,
            type=kind,
            merchant_name=merchant or None,
            merchant_category_code=mcc,
            balance_pence=balance,
        ),
        [],
    )


def _timestamp(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None  # a naive time is ambiguous across British Summer Time
    return parsed.astimezone(UTC)  # stored and compared in UTC; the day in UK time is worked out where needed


def read_statement(lines: Iterable[str]) -> Iterator[tuple[int, CardTransaction | None, list[LineProblem]]]:
    """Each data line of a statement as (line number, transaction or None, its problems), streamed.

    The header must name exactly the documented columns (in any order). A transaction id repeated in
    the file is a problem of the later line: a statement lists each transaction once."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield (
            1,
            None,
            [LineProblem(1, "header", f"the file is empty; the first line names the columns: {', '.join(COLUMNS)}")],
        )
        return
    except csv.Error:
        yield 1, None, [LineProblem(1, "header", "is not valid CSV")]
        return
    names = [name.strip().lstrip("\ufeff") for name in header]  # a spreadsheet may save a byte order mark
    if sorted(names) != sorted(COLUMNS):
        yield 1, None, [LineProblem(1, "header", f"must name exactly these columns: {', '.join(COLUMNS)}")]
        return
    order = [names.index(name) for name in COLUMNS]  # the file's position of each column
    seen: set[str] = set()
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield line, None, [LineProblem(line, "line", "is not valid CSV (an unclosed quote or a stray character)")]
            continue
        if not row or row == [""]:
            continue  # a blank line (a trailing newline a spreadsheet adds) is not a record
        if len(row) != len(names):
            yield line, None, [LineProblem(line, "line", f"must have {len(names)} fields, one per column")]
            continue
        record, problems = _checked(*[row[i].strip() for i in order])  # a list: a million lines, no generator each
        if record is not None and record.transaction_id in seen:
            yield line, None, [LineProblem(line, "transaction_id", "repeats a transaction id of an earlier line")]
            continue
        if record is not None:
            seen.add(record.transaction_id)
        yield line, record, [LineProblem(line, p.field, p.rule) for p in problems]


def check_statement(lines: Iterable[str]) -> int:
    """The number of transactions in a statement with no bad line; StatementRefused listing every bad one."""
    problems: list[LineProblem] = []
    bad_lines = 0
    count = 0
    for _line, record, line_problems in read_statement(lines):
        if line_problems:
            bad_lines += 1
            if len(problems) < StatementRefused.MAX_REPORTED:
                problems.extend(line_problems)
        elif record is not None:
            count += 1
    if bad_lines:
        raise StatementRefused(problems[: StatementRefused.MAX_REPORTED], bad_lines)
    return count
