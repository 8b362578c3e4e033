"""Platform tables: outbox, inbox, reference data, person copies.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from pbshared.platform.migrations import create_platform_tables, drop_platform_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables()


def downgrade() -> None:
    drop_platform_tables()
