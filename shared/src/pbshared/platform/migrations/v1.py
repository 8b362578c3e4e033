"""Platform tables as revision 0001 of every service created them, written out and frozen.

Never change this file: a change to a platform table is a new step (v2.py, v3.py ...) and a new
revision in every service that calls it. tests/integration/test_migrations.py fails when
pbshared.platform.tables differs from what the steps build.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UNPUBLISHED = "published_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", _BigId, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Uuid(), nullable=False, unique=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("message_key", sa.String(200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False, comment="The envelope as JSON, exactly as published."),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        postgresql_where=sa.text(_UNPUBLISHED),
        sqlite_where=sa.text(_UNPUBLISHED),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.Uuid(), primary_key=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "reference_datasets",
        sa.Column("id", _BigId, primary_key=True, autoincrement=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False, comment="Where the figures come from (paper, circular)."),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("loaded_by", sa.String(200), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("council_id", "kind", "version", name="uq_reference_dataset_version"),
    )
    op.create_index("ix_reference_dataset_lookup", "reference_datasets", ["council_id", "kind", "effective_from"])
    op.create_table(
        "person_copies",
        sa.Column("person_id", sa.Uuid(), primary_key=True),
        sa.Column("council_id", sa.String(64), nullable=False),
        sa.Column("council_person_id", sa.String(64), nullable=False),
        sa.Column("nhs_number", sa.String(10), nullable=True),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("postcode", sa.String(8), nullable=False),
        sa.Column("client_group", sa.String(40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_person_copies_council_id", "person_copies", ["council_id"])


def downgrade() -> None:
    for table in ("person_copies", "reference_datasets", "inbox", "outbox"):
        op.drop_table(table)
