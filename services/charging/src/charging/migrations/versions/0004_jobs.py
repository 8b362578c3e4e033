"""Long jobs (the annual uprating): progress, checkpoint and running totals, one row a job.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op
from sqlalchemy import MetaData

from pbshared.platform.jobs import jobs_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The table as pbshared.platform.jobs defines it in its first version; a later change to it comes
    # as its own revision.
    jobs_table(MetaData()).create(op.get_bind())


def downgrade() -> None:
    op.drop_table("jobs")
