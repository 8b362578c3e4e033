"""Health's own tables (the platform's tables are added by migrations)."""

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

metadata = MetaData()

# The people the NHS told us of, by NHS number: a second message about a person RAS has not yet
# registered gets the same proposed person id as the first.
patients = Table(
    "patients",
    metadata,
    Column("council_id", String(64), primary_key=True),
    Column("nhs_number", String(10), primary_key=True),
    Column("person_id", Uuid, nullable=False),
    Column("first_referral_id", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A reablement episode after a hospital discharge. An open episode is also its own durable timer:
# the worker ends it when free_until has passed.
reablement_episodes = Table(
    "reablement_episodes",
    metadata,
    Column("episode_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("discharge_id", String(128), nullable=False),
    Column("discharge_date", Date, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("free_until", Date, nullable=False),
    Column("assessment_due_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("end_reason", String(40), nullable=True),
    Column("revision", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # One episode per discharge notification: the same message sent twice starts nothing twice.
    UniqueConstraint("council_id", "discharge_id", name="uq_reablement_episodes_discharge"),
    Index("ix_reablement_episodes_open", "end_date", "free_until"),
    Index("ix_reablement_episodes_person", "council_id", "person_id"),
)

# NHS funding decisions: continuing healthcare, joint funding, section 117 aftercare, personal
# health budgets, each from start_date until end_date (the first day no longer funded).
funding_decisions = Table(
    "funding_decisions",
    metadata,
    Column("decision_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("basis", String(40), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("nhs_share_percent", Numeric(5, 2), nullable=True),
    Column("nhs_weekly_pence", Integer, nullable=True),
    Column("budget_id", Uuid, nullable=True),
    Column("icb_code", String(16), nullable=True),
    Column("end_date", Date, nullable=True),
    Column("revision", Integer, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_funding_decisions_person", "council_id", "person_id"),
)

# The read model of personal budgets (from RAS's budget events), for the CarePlan health partners
# read: the latest revision of each budget, whole.
budgets = Table(
    "budgets",
    metadata,
    Column("budget_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("budget_revision", Integer, nullable=False),
    Column("details", JSON, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_budgets_person", "council_id", "person_id"),
)
