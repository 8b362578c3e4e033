"""Tables every service has: outbox, inbox, reference datasets and the copy of people.

They live in their own MetaData; each service's migrations create them (pbshared.platform.migrations)
next to its own tables, in its own database.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)

platform_metadata = MetaData()

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
_BigId = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    platform_metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("message_key", String(200), nullable=False),
    Column("message", Text, nullable=False, comment="The envelope as JSON, exactly as published."),
    Column("headers", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Index(
        "ix_outbox_unpublished",
        "id",
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    ),
)

inbox = Table(
    "inbox",
    platform_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("event_type", String(100), nullable=False),
    Column("handled_at", DateTime(timezone=True), nullable=False),
)

reference_datasets = Table(
    "reference_datasets",
    platform_metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("council_id", String(64), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("source", Text, nullable=False, comment="Where the figures come from (paper, circular)."),
    Column("content_hash", String(64), nullable=False),
    Column("loaded_by", String(200), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("council_id", "kind", "version", name="uq_reference_dataset_version"),
    Index("ix_reference_dataset_lookup", "council_id", "kind", "effective_from"),
)

person_copies = Table(
    "person_copies",
    platform_metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("council_id", String(64), nullable=False, index=True),
    Column("council_person_id", String(64), nullable=False),
    Column("nhs_number", String(10), nullable=True),
    Column("given_name", String(100), nullable=False),
    Column("family_name", String(100), nullable=False),
    Column("date_of_birth", Date, nullable=False),
    Column("postcode", String(8), nullable=False),
    Column("client_group", String(40), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("merged_into", Uuid, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
