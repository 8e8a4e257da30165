"""Freight access of companies; finer resource vocabulary (heat grades, feed by livestock).

Adds ``companies.freight_access`` (``rail``, ``port``, ``rail;port``: bulk modes the site can
use beyond road) and renames stored category ids that were split: ``heat`` becomes
``heat_hot_water`` and ``animal_feed`` becomes ``animal_feed_ruminant`` (the aliases of
``data/category_aliases.csv``; an officer re-grades a steam need or a pig farm's feed by hand).
The downgrade merges the grades back into the old ids.

Revision ID: 0006
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMED = {"heat": "heat_hot_water", "animal_feed": "animal_feed_ruminant"}
MERGED_BACK = {
    "heat_steam": "heat", "heat_hot_water": "heat", "heat_low_temperature": "heat",
    "animal_feed_ruminant": "animal_feed", "animal_feed_monogastric": "animal_feed",
}  # fmt: skip


def _rename(mapping: dict[str, str]) -> None:
    for old, new in mapping.items():
        op.execute(sa.text("UPDATE needs SET category = :new WHERE category = :old").bindparams(old=old, new=new))
        op.execute(sa.text("UPDATE streams SET material = :new WHERE material = :old").bindparams(old=old, new=new))


def upgrade() -> None:
    with op.batch_alter_table("companies") as batch:
        batch.add_column(sa.Column("freight_access", sa.String(length=20), nullable=False, server_default=""))
    _rename(RENAMED)


def downgrade() -> None:
    _rename(MERGED_BACK)
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("freight_access")
