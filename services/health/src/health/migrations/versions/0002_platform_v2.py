"""Platform step 2: subject sequences, the relay lease, parked events, inbox status.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from pbshared.platform.migrations import drop_platform_v2, platform_v2

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    platform_v2()


def downgrade() -> None:
    drop_platform_v2()
