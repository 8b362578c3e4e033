"""RAS's own tables (the platform's outbox, inbox and reference data are added by migrations)."""

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Uuid, func, text

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
