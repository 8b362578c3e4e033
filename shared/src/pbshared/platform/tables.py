"""Tables every service has: outbox, inbox, reference datasets and the copy of people, and what
keeps events in order through failures (subject sequences, the relay lease, parked events).

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
    Column(
        "status",
        String(16),
        nullable=False,
        server_default="handled",
        comment="handled, or parked: stored in parked_events until its subject's dead letter is handled.",
    ),
)

subject_sequences = Table(
    "subject_sequences",
    platform_metadata,
    Column("subject_id", String(200), primary_key=True),
    Column("last_sequence", BigInteger, nullable=False, comment="The sequence of the subject's newest event."),
)

relay_leases = Table(
    "relay_leases",
    platform_metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(100), nullable=False, comment="The relay instance that may publish until expires_at."),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

blocked_subjects = Table(
    "blocked_subjects",
    platform_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("producer", String(100), primary_key=True),
    Column("subject_id", String(200), primary_key=True),
    Column(
        "event_id",
        Uuid,
        nullable=True,
        comment="The dead-lettered event that holds the subject back; empty while its parked events are released.",
    ),
    Column("blocked_at", DateTime(timezone=True), nullable=False),
)

parked_events = Table(
    "parked_events",
    platform_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("producer", String(100), nullable=False),
    Column("subject_id", String(200), nullable=False),
    Column("subject_sequence", BigInteger, nullable=True),
    Column("topic", String(200), nullable=False),
    Column("kafka_partition", Integer, nullable=False),
    Column("kafka_offset", BigInteger, nullable=False),
    Column("message", Text, nullable=False, comment="The message as received."),
    Column("headers", JSON, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False),
    Index("ix_parked_events_subject", "consumer", "producer", "subject_id"),
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
