"""Platform tables and people.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from pbshared.platform.migrations import create_platform_tables, drop_platform_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables()
    op.create_table(
        "people",
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
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("council_id", "council_person_id", name="uq_people_council_person_id"),
    )
    op.create_index("ix_people_nhs_number", "people", ["council_id", "nhs_number"])


def downgrade() -> None:
    op.drop_table("people")
    drop_platform_tables()
