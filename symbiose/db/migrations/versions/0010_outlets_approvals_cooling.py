"""Today's use of a stream (destination category: a pair to that same use is not new value);
a need's maximum temperature (cooling water) and the intake approvals it holds (animal
by-products to composting or biogas). All optional: NULL or '' keeps the former behaviour.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination_category", sa.String(length=64), nullable=False, server_default=""))
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_temperature_c", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("approvals", sa.String(length=200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_column("approvals")
        batch_op.drop_column("max_temperature_c")
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.drop_column("destination_category")
