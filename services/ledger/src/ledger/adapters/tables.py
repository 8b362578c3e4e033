"""Ledger's own tables (the platform's outbox, inbox, reference data and person copies are added by
migrations). The ledger's shape is TigerBeetle's: accounts with four running counters, and
immutable transfers (docs/domain/direct-payments.md, "The ledger")."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
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

# Direct payment agreements. An agreement's schedule is computed from effective-dated series (its
# gross, its suspensions; the person's contributions and NHS funding decisions), never stored as
# amounts, so a change dated back is a new row and the next run pays the difference.
dp_agreements = Table(
    "dp_agreements",
    metadata,
    Column("agreement_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("budget_id", Uuid, nullable=False),
    Column("budget_revision", Integer, nullable=False, comment="The highest budget revision applied."),
    Column("status", String(16), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("end_reason", String(32), nullable=True),
    Column("first_payment_date", Date, nullable=False),
    Column("cycle_weeks", Integer, nullable=False),
    Column("contribution_paid_in", Boolean, nullable=False),
    Column("set_up_costs_pence", BigInteger, nullable=False),
    Column("opening_float_pence", BigInteger, nullable=False),
    Column("card_account_ref", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("council_id", "budget_id", name="uq_dp_agreements_budget"),
    Index("ix_dp_agreements_person", "council_id", "person_id"),
)

dp_series = Table(
    "dp_series",
    metadata,
    Column("row_id", Uuid, primary_key=True),
    Column("agreement_id", Uuid, ForeignKey("dp_agreements.agreement_id"), nullable=False),
    Column("series", String(16), nullable=False, comment="gross (pence a week) or suspended (1 or 0)."),
    Column("effective_from", Date, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("sequence", Integer, nullable=False, comment="The agreement revision that wrote it: later wins."),
    Index("ix_dp_series_agreement", "agreement_id"),
)

dp_contributions = Table(
    "dp_contributions",
    metadata,
    Column("row_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("weekly_pence", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_dp_contributions_person", "council_id", "person_id"),
)

dp_funding = Table(
    "dp_funding",
    metadata,
    Column("row_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("decision_id", Uuid, nullable=False),
    Column("basis", String(32), nullable=False),
    Column("change", String(16), nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("nhs_share_percent", Numeric(5, 2), nullable=True),
    Column("nhs_weekly_pence", BigInteger, nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_dp_funding_person", "council_id", "person_id"),
)

# What each payment run paid towards each cycle of an agreement, per funder (the lines explain it).
dp_payment_items = Table(
    "dp_payment_items",
    metadata,
    Column("item_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("agreement_id", Uuid, ForeignKey("dp_agreements.agreement_id"), nullable=False),
    Column("run_date", Date, nullable=False),
    Column("cycle_start", Date, nullable=False),
    Column("funder", String(16), nullable=False),
    Column("amount_pence", BigInteger, nullable=False),
    Column("lines", JSON, nullable=False),
    UniqueConstraint("agreement_id", "run_date", "cycle_start", "funder", name="uq_dp_payment_items"),
)

# One line of a run's payment file: a load of one card account from one funder's fund.
dp_payments = Table(
    "dp_payments",
    metadata,
    Column("payment_id", Uuid, primary_key=True, comment="The ledger transfer's id."),
    Column("council_id", String(64), nullable=False),
    Column("run_id", Uuid, nullable=False),
    Column("run_date", Date, nullable=False),
    Column("agreement_id", Uuid, ForeignKey("dp_agreements.agreement_id"), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("card_account_ref", String(64), nullable=False),
    Column("funder", String(16), nullable=False),
    Column("amount_pence", BigInteger, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    UniqueConstraint("agreement_id", "run_date", "funder", name="uq_dp_payments"),
    Index("ix_dp_payments_run", "council_id", "run_id"),
)

# Long jobs (payment runs, statement imports): progress, checkpoint and totals (pbshared.platform.jobs).
jobs = jobs_table(metadata)
