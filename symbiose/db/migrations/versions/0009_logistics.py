"""Logistics and seasons: bulk density, storage months and temperature of streams, minimum
temperature of needs (all optional: NULL keeps the defaults of symbiose.logistics).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bulk_density_t_per_m3", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("storage_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("temperature_c", sa.Float(), nullable=True))
        batch_op.create_check_constraint("bulk_density", "bulk_density_t_per_m3 IS NULL OR bulk_density_t_per_m3 > 0")
        batch_op.create_check_constraint(
            "storage_months", "storage_months IS NULL OR (storage_months >= 0 AND storage_months <= 11)"
        )
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_temperature_c", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_column("min_temperature_c")
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_streams_storage_months"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_streams_bulk_density"), type_="check")
        batch_op.drop_column("temperature_c")
        batch_op.drop_column("storage_months")
        batch_op.drop_column("bulk_density_t_per_m3")
