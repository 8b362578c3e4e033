"""Ledger's own tables (the platform's outbox, inbox, reference data and person copies are added by
migrations). The ledger's shape is TigerBeetle's: accounts with four running counters, and
immutable transfers (docs/domain/direct-payments.md, "The ledger")."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from pbshared.platform.jobs import jobs_table

metadata = MetaData()

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("code", String(200), nullable=False, comment="kind or kind:reference, unique within a council."),
    Column("kind", String(32), nullable=False),
    Column("reference", String(128), nullable=True),
    Column("name", String(200), nullable=False),
    Column("never_below_zero", Boolean, nullable=False, comment="Debits never exceed credits (card accounts)."),
    # Running totals, changed only with the row locked, in the transaction that writes the transfer.
    Column("debits_posted", BigInteger, nullable=False),
    Column("credits_posted", BigInteger, nullable=False),
    Column("debits_pending", BigInteger, nullable=False),
    Column("credits_pending", BigInteger, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("council_id", "code", name="uq_ledger_accounts_council_code"),
    CheckConstraint(
        "NOT never_below_zero OR credits_posted >= debits_posted + debits_pending",
        name="ck_ledger_accounts_never_below_zero",
    ),
)

ledger_transfers = Table(
    "ledger_transfers",
    metadata,
    Column("transfer_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("debit_account_id", Uuid, ForeignKey("ledger_accounts.account_id"), nullable=False),
    Column("credit_account_id", Uuid, ForeignKey("ledger_accounts.account_id"), nullable=False),
    Column("amount_pence", BigInteger, nullable=False),
    Column("value_date", Date, nullable=False, comment="The day the money moves, for balances at a date."),
    Column("phase", String(16), nullable=False),
    Column("pending_id", Uuid, ForeignKey("ledger_transfers.transfer_id"), nullable=True),
    Column("reverses_id", Uuid, ForeignKey("ledger_transfers.transfer_id"), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("description", String(200), nullable=False),
    Column("reference", String(128), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("council_id", "idempotency_key", name="uq_ledger_transfers_council_key"),
    # A pending transfer is posted or voided once; a transfer is reversed once.
    UniqueConstraint("pending_id", name="uq_ledger_transfers_pending"),
    UniqueConstraint("reverses_id", name="uq_ledger_transfers_reverses"),
    CheckConstraint("amount_pence > 0", name="ck_ledger_transfers_amount_positive"),
    CheckConstraint("debit_account_id <> credit_account_id", name="ck_ledger_transfers_two_accounts"),
    Index("ix_ledger_transfers_debit", "debit_account_id", "value_date"),
    Index("ix_ledger_transfers_credit", "credit_account_id", "value_date"),
    Index("ix_ledger_transfers_reference", "council_id", "reference"),
)

# Long jobs (payment runs, statement imports): progress, checkpoint and totals (pbshared.platform.jobs).
jobs = jobs_table(metadata)
