"""Platform step 2: per-subject sequences (producer), the relay lease, parked events (consumer).

Frozen once released, like v1.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def upgrade() -> None:
    op.add_column(
        "inbox",
        sa.Column(
            "status",
            sa.String(16),
            nullable=False,
            server_default="handled",
            comment="handled, or parked: stored in parked_events until its subject's dead letter is handled.",
        ),
    )
    op.create_table(
        "subject_sequences",
        sa.Column("subject_id", sa.String(200), primary_key=True),
        sa.Column(
            "last_sequence", sa.BigInteger(), nullable=False, comment="The sequence of the subject's newest event."
        ),
    )
    op.create_table(
        "relay_leases",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column(
            "holder", sa.String(100), nullable=False, comment="The relay instance that may publish until expires_at."
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "blocked_subjects",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("producer", sa.String(100), primary_key=True),
        sa.Column("subject_id", sa.String(200), primary_key=True),
        sa.Column(
            "event_id",
            sa.Uuid(),
            nullable=True,
            comment="The dead-lettered event that holds the subject back; empty while its parked events are released.",
        ),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "parked_events",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.Uuid(), primary_key=True),
        sa.Column("producer", sa.String(100), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("subject_sequence", sa.BigInteger(), nullable=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("kafka_partition", sa.Integer(), nullable=False),
        sa.Column("kafka_offset", sa.BigInteger(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False, comment="The message as received."),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("parked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_parked_events_subject", "parked_events", ["consumer", "producer", "subject_id"])


def downgrade() -> None:
    for table in ("parked_events", "blocked_subjects", "relay_leases", "subject_sequences"):
        op.drop_table(table)
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("status")
