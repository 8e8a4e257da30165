"""Notices of an interest withdrawn: a company that said it was interested in a pair may take it
back before the other side answers, and the other side is told (``notifications.kind``
``withdrawn``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = "kind IN ('interest', 'mutual', 'declined', 'stage')"
KINDS_AFTER = "kind IN ('interest', 'mutual', 'declined', 'stage', 'withdrawn')"


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notifications_kind"), type_="check")
        batch_op.create_check_constraint("kind", KINDS_AFTER)


def downgrade() -> None:
    # the older schema has no such notice: they go (each withdrawal stays in the audit log and the
    # synergy's stage history)
    op.execute(sa.text("DELETE FROM notifications WHERE kind = 'withdrawn'"))
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_notifications_kind"), type_="check")
        batch_op.create_check_constraint("kind", KINDS_BEFORE)
