"""One live record per NHS number in a council.

The check in the service layer stops most duplicates; this index stops the two registrations that
arrive at the same moment. Merged records keep their NHS number and are not counted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_LIVE = "nhs_number IS NOT NULL AND merged_into IS NULL"


def upgrade() -> None:
    op.create_index(
        "uq_people_live_nhs_number",
        "people",
        ["council_id", "nhs_number"],
        unique=True,
        postgresql_where=sa.text(_LIVE),
        sqlite_where=sa.text(_LIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_people_live_nhs_number", table_name="people")
