"""RAS's own tables (the platform's outbox, inbox and reference data are added by migrations)."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    func,
    text,
)

metadata = MetaData()

people = Table(
    "people",
    metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("council_person_id", String(64), nullable=False),
    Column("nhs_number", String(10), nullable=True),
    Column("given_name", String(100), nullable=False),
    Column("family_name", String(100), nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("postcode", String(8), nullable=False),
    Column("client_group", String(40), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("merged_into", Uuid, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_people_nhs_number", "council_id", "nhs_number"),
    # One live record per NHS number in a council; a merged (retired) record may keep it.
    Index(
        "uq_people_live_nhs_number",
        "council_id",
        "nhs_number",
        unique=True,
        postgresql_where=text("nhs_number IS NOT NULL AND merged_into IS NULL"),
        sqlite_where=text("nhs_number IS NOT NULL AND merged_into IS NULL"),
    ),
)

# A council person id is one id whatever its case: "WY-1" and "wy-1" are the same person.
Index("uq_people_council_person_id_any_case", people.c.council_id, func.lower(people.c.council_person_id), unique=True)

# Commissioning: cohorts of past assessments a commissioner calibrates the RAS against.
cohorts = Table(
    "cohorts",
    metadata,
    Column("cohort_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("uploaded_by", String(200), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

cohort_rows = Table(
    "cohort_rows",
    metadata,
    Column("cohort_id", Uuid, ForeignKey("cohorts.cohort_id", ondelete="CASCADE"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("reference", String(64), nullable=False),
    Column("client_group", String(40), nullable=False),
    Column("points", Integer, nullable=False),
    Column("actual_weekly_pence", Integer, nullable=False),
)

# A scored assessment: its Client Level Data fields, the answers, and the score as given then
# (with the model version), so the explanation read to the person can be read back unchanged.
assessments = Table(
    "assessments",
    metadata,
    Column("assessment_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("assessment_date", Date, nullable=False),
    Column("ras_model_version", Integer, nullable=False),
    Column("client_group", String(40), nullable=False),
    Column("assessment_type", String(40), nullable=False),
    Column("method", String(40), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("outcome", String(60), nullable=False),
    Column("eligible_needs", Boolean, nullable=False),
    Column("outcomes_not_achieved", JSON, nullable=False),
    Column("primary_support_reason", String(60), nullable=False),
    Column("accommodation_status", String(60), nullable=False),
    Column("has_unpaid_carer", Boolean, nullable=False),
    Column("answers", JSON, nullable=False),
    Column("carer_support", JSON, nullable=False),
    Column("score", JSON, nullable=False),
    Column("total_points", Integer, nullable=False),
    Column("indicative_annual_pence", BigInteger, nullable=False),
    Column("indicative_weekly_pence", BigInteger, nullable=False),
    Column("assessed_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_assessments_person", "council_id", "person_id", "assessment_date"),
)

# A support plan and, once agreed, the personal budget it becomes: one row per plan, its status and
# revision guarding every decision; the costed plan as the events carry it.
budgets = Table(
    "budgets",
    metadata,
    Column("budget_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("assessment_id", Uuid, nullable=False),
    Column("status", String(40), nullable=False),
    Column("route", String(40), nullable=False),
    Column("client_group", String(40), nullable=False),
    Column("funder", String(40), nullable=False),
    Column("weekly_pence", BigInteger, nullable=False),
    Column("one_off_pence", BigInteger, nullable=False),
    Column("annual_pence", BigInteger, nullable=False),
    Column("indicative_weekly_pence", BigInteger, nullable=False),
    Column("plan", JSON, nullable=False),
    Column("justification", String(4000), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("next_review_date", Date, nullable=True),
    Column("effective_from", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("budget_revision", Integer, nullable=False),
    # A revised plan from a review that needs approval waits here, the budget unchanged until decided.
    Column("proposal", JSON, nullable=True),
    Column("proposal_status", String(40), nullable=True),
    Column("revision", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_budgets_person", "council_id", "person_id"),
)

# Every decision on a plan or budget: who, in what role, when and why, and the budget revision it
# concerns with its amounts, so a person's budget history reads back without the later rows.
budget_decisions = Table(
    "budget_decisions",
    metadata,
    Column("decision_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("budget_id", Uuid, nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("decision", String(40), nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("budget_revision", Integer, nullable=True),
    Column("weekly_pence", BigInteger, nullable=True),
    Column("one_off_pence", BigInteger, nullable=True),
    Column("annual_pence", BigInteger, nullable=True),
    Column("effective_from", Date, nullable=True),
    Index("ix_budget_decisions_person", "council_id", "person_id", "decided_at"),
)

# A request for support: the front door, and the start of the wait for an assessment.
requests = Table(
    "requests",
    metadata,
    Column("request_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("client_status", String(20), nullable=False),
    Column("route_of_access", String(40), nullable=False),
    Column("request_date", Date, nullable=False),
    Column("outcome", String(60), nullable=False),
    Column("no_further_action_reason", String(60), nullable=True),
    Column("recorded_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_requests_person", "council_id", "person_id", "request_date"),
)
