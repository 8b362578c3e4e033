"""A council person id is unique in its council whatever its case.

"WY-1" and "wy-1" were two people; now the second is refused. The case-sensitive constraint is
replaced by a unique index on the lower-cased id. If a database already holds two ids differing
only in case, this upgrade fails: merge or correct one of them first.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint("uq_people_council_person_id", type_="unique")
    op.create_index(
        "uq_people_council_person_id_any_case",
        "people",
        ["council_id", sa.text("lower(council_person_id)")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_people_council_person_id_any_case", table_name="people")
    with op.batch_alter_table("people") as batch:
        batch.create_unique_constraint("uq_people_council_person_id", ["council_id", "council_person_id"])
