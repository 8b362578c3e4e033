"""Charging's own tables (the platform's outbox, inbox, reference data and person copies are added by
migrations)."""

from sqlalchemy import JSON, BigInteger, Column, Date, DateTime, Index, Integer, MetaData, Numeric, String, Table, Uuid

from pbshared.platform.jobs import jobs_table

metadata = MetaData()

financial_assessments = Table(
    "financial_assessments",
    metadata,
    Column("assessment_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("budget_id", Uuid, nullable=True),
    Column("effective_date", Date, nullable=False),
    Column("assessed_on", Date, nullable=False, comment="Day of the last full assessment (kept by recalculations)."),
    Column("weekly_charge_pence", BigInteger, nullable=False),
    Column("circumstances", JSON, nullable=False, comment="What the assessment was told, as submitted."),
    Column("result", JSON, nullable=False, comment="Every step of the calculation and the figures used."),
    Column("ended_on", Date, nullable=True, comment="Last day charged, when the care ended."),
    Column("revision", Integer, nullable=False),
    # Orders assessments taking effect on one date: the later recorded supersedes.
    Column("sequence", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_financial_assessments_person", "council_id", "person_id", "effective_date"),
)

# What the NHS decided (health events): one row a funding decision or reablement episode, keyed by its
# decision or episode id so its end finds its start.
health_periods = Table(
    "health_periods",
    metadata,
    Column("source_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("basis", String(32), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True, comment="First day it no longer applies."),
    Column("free_until", Date, nullable=True, comment="Reablement: the last free day the health service gave."),
    Column("nhs_share_percent", Numeric(5, 2), nullable=True),
    Column("nhs_weekly_pence", BigInteger, nullable=True),
    Column("budget_id", Uuid, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_health_periods_person", "council_id", "person_id"),
)

# Care brokerage placed (placement events): each placement as it is from each effective date.
placements = Table(
    "placements",
    metadata,
    Column("placement_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("lot", String(64), nullable=False),
    Column("weekly_cost_pence", BigInteger, nullable=False),
    Column("effective_from", Date, primary_key=True),
    Column("ends_on", Date, nullable=True, comment="First day nothing is delivered."),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_placements_person", "council_id", "person_id"),
)

# Budget events that came before the person's first financial assessment, applied in order when it is
# recorded (then deleted).
pending_budget_events = Table(
    "pending_budget_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("kind", String(16), nullable=False, comment="costed (agreed or revised) or ended"),
    Column("payload", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_pending_budget_events_person", "council_id", "person_id"),
)

# Long jobs (the annual uprating): progress, checkpoint and totals (pbshared.platform.jobs).
jobs = jobs_table(metadata)
