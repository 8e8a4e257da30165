"""Row versions, who changed a record last, id counters and the stage history of synergies.

* ``version`` on companies, streams, needs and synergies (SQLAlchemy ``version_id_col``): a save
  based on an old read is refused instead of overwriting someone else's change;
  ``updated_by`` / ``updated_at`` say who made the last change and when.
* ``id_counters``: the last number issued per kind of record, locked while an id is issued.
* ``synergy_stages``: every move of a synergy through the pipeline (who, when, from, to, why);
  existing synergies get one row, their current stage, dated from their creation.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("companies", "streams", "needs", "synergies")
COUNTERS = ("company", "stream", "need", "synergy")
STAGES = "'suggested', 'contacted', 'in_discussion', 'implemented', 'abandoned'"


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="1", nullable=False)
            )
            batch_op.add_column(
                sa.Column("updated_by", sa.String(length=80), server_default="", nullable=False)
            )
            batch_op.add_column(
                sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True)
            )

    counters = op.create_table(
        "id_counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_id_counters")),
    )
    # the rows exist before anyone issues an id: issuing one only ever locks and updates a row
    op.bulk_insert(counters, [{"name": name, "last_value": 0} for name in COUNTERS])

    stages = op.create_table(
        "synergy_stages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("synergy_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("from_stage", sa.String(length=16), nullable=True),
        sa.Column("to_stage", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("quantity_base", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            f"from_stage IS NULL OR from_stage IN ({STAGES})",
            name=op.f("ck_synergy_stages_from_stage"),
        ),
        sa.CheckConstraint(f"to_stage IN ({STAGES})", name=op.f("ck_synergy_stages_to_stage")),
        sa.ForeignKeyConstraint(
            ["synergy_id"],
            ["synergies.id"],
            name=op.f("fk_synergy_stages_synergy_id_synergies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synergy_stages")),
    )
    with op.batch_alter_table("synergy_stages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_synergy_stages_synergy_id"), ["synergy_id"], unique=False
        )

    # existing synergies: their history starts with the stage they are at
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, stage, abandoned_reason, quantity_base, created_on FROM synergies"
        )
    ).fetchall()
    now = datetime.now(UTC)
    op.bulk_insert(
        stages,
        [
            {
                "synergy_id": r.id,
                "occurred_at": _as_datetime(r.created_on) or now,
                "actor": "",
                "from_stage": None,
                "to_stage": r.stage,
                "reason": r.abandoned_reason or "",
                "quantity_base": r.quantity_base,
            }
            for r in rows
        ],
    )


def _as_datetime(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns dates as text through a plain SELECT
        value = datetime.fromisoformat(value).date()
    return datetime.combine(value, time(0, 0), tzinfo=UTC)


def downgrade() -> None:
    with op.batch_alter_table("synergy_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_synergy_stages_synergy_id"))
    op.drop_table("synergy_stages")
    op.drop_table("id_counters")
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
            batch_op.drop_column("updated_by")
            batch_op.drop_column("version")
