"""Platform step 2: subject sequences, the relay lease, parked events, inbox status.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from pbshared.platform.migrations import drop_platform_v2, platform_v2

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    platform_v2()


def downgrade() -> None:
    drop_platform_v2()
