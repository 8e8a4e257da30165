"""Web sign-ins that survive a reload (login_sessions); land spreading as a stream route.

Revision ID: 0007
Revises: 0002
Create Date: 2026-12-01 09:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROUTES_BEFORE = "route IN ('landfill', 'incineration', 'recovery', 'storage', 'other')"
ROUTES_AFTER = "route IN ('landfill', 'incineration', 'recovery', 'land_spreading', 'storage', 'other')"


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users"),
                                ondelete="CASCADE"),  # fmt: skip
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_login_sessions")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_streams_route"), type_="check")
        batch_op.create_check_constraint("route", ROUTES_AFTER)


def downgrade() -> None:
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_streams_route"), type_="check")
        batch_op.create_check_constraint("route", ROUTES_BEFORE)
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))
    op.drop_table("login_sessions")
