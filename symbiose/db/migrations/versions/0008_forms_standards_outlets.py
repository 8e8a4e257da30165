"""Physical states, forms and product standards of streams and needs; current destination of a
stream; gate fee and permit of a treatment outlet.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STREAM_COLUMNS = ("forms", "standards", "destination")
NEED_TEXT = (("accepted_states", 64), ("required_forms", 200), ("refused_forms", 200),
             ("required_standards", 200), ("permit", 200))  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("streams", schema=None) as batch_op:
        for name in STREAM_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=200), nullable=False, server_default=""))
    with op.batch_alter_table("needs", schema=None) as batch_op:
        for name, length in NEED_TEXT:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("gate_fee_cents", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_column("gate_fee_cents")
        for name, _length in reversed(NEED_TEXT):
            batch_op.drop_column(name)
    with op.batch_alter_table("streams", schema=None) as batch_op:
        for name in reversed(STREAM_COLUMNS):
            batch_op.drop_column(name)
