"""Initial schema: companies, streams, needs, synergies, users, audit_log, geocode_cache.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 07:09:30.693168
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "companies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("commune", sa.String(length=200), nullable=False),
        sa.Column("insee_code", sa.String(length=5), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=False),
        sa.Column("naf_code", sa.String(length=10), nullable=False),
        sa.Column("siret", sa.String(length=14), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name=op.f("ck_companies_latitude_range")),
        sa.CheckConstraint(
            "longitude BETWEEN -180 AND 180", name=op.f("ck_companies_longitude_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
    )
    op.create_table(
        "geocode_cache",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_geocode_cache")),
        sa.UniqueConstraint("query", name=op.f("uq_geocode_cache_query")),
    )
    op.create_table(
        "needs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("quantity_base", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("accepted_codes", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("virgin_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("max_distance_km", sa.Float(), nullable=True),
        sa.Column("months", sa.String(length=40), nullable=False),
        sa.Column("hazardous_permit", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "category <> '' OR accepted_codes <> ''", name=op.f("ck_needs_category_or_codes")
        ),
        sa.CheckConstraint("unit IN ('t', 'm3', 'MWh')", name=op.f("ck_needs_unit")),
        sa.CheckConstraint(
            "max_distance_km IS NULL OR max_distance_km >= 0", name=op.f("ck_needs_max_distance")
        ),
        sa.CheckConstraint("quantity_base >= 0", name=op.f("ck_needs_quantity_non_negative")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_needs_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
    )
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_needs_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_needs_company_id"), ["company_id"], unique=False)

    op.create_table(
        "streams",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("quantity_base", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("ewc_code", sa.String(length=6), nullable=False),
        sa.Column("material", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("physical_state", sa.String(length=16), nullable=False),
        sa.Column("months", sa.String(length=40), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("route_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "ewc_code <> '' OR material <> ''", name=op.f("ck_streams_code_or_material")
        ),
        sa.CheckConstraint(
            "physical_state IN ('solid', 'pasty', 'liquid', 'gas', 'energy')",
            name=op.f("ck_streams_physical_state"),
        ),
        sa.CheckConstraint(
            "route IN ('landfill', 'incineration', 'recovery', 'storage', 'other')",
            name=op.f("ck_streams_route"),
        ),
        sa.CheckConstraint("unit IN ('t', 'm3', 'MWh')", name=op.f("ck_streams_unit")),
        sa.CheckConstraint("quantity_base >= 0", name=op.f("ck_streams_quantity_non_negative")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_streams_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streams")),
    )
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_streams_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_streams_ewc_code"), ["ewc_code"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=True),
        sa.Column("password_hash", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role <> 'company' OR company_id IS NOT NULL", name=op.f("ck_users_company_user")
        ),
        sa.CheckConstraint("role IN ('officer', 'company', 'planner')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_users_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_company_id"), ["company_id"], unique=False)

    op.create_table(
        "synergies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("stream_id", sa.String(length=64), nullable=False),
        sa.Column("need_id", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("quantity_base", sa.BigInteger(), nullable=True),
        sa.Column("abandoned_reason", sa.Text(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "stage <> 'abandoned' OR abandoned_reason <> ''",
            name=op.f("ck_synergies_abandoned_has_reason"),
        ),
        sa.CheckConstraint(
            "stage IN ('suggested', 'contacted', 'in_discussion', 'implemented', 'abandoned')",
            name=op.f("ck_synergies_stage"),
        ),
        sa.CheckConstraint(
            "quantity_base IS NULL OR quantity_base >= 0", name=op.f("ck_synergies_quantity")
        ),
        sa.ForeignKeyConstraint(
            ["need_id"], ["needs.id"], name=op.f("fk_synergies_need_id_needs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stream_id"],
            ["streams.id"],
            name=op.f("fk_synergies_stream_id_streams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synergies")),
    )
    with op.batch_alter_table("synergies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_synergies_need_id"), ["need_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_synergies_stream_id"), ["stream_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("synergies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_synergies_stream_id"))
        batch_op.drop_index(batch_op.f("ix_synergies_need_id"))

    op.drop_table("synergies")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_company_id"))

    op.drop_table("users")
    with op.batch_alter_table("streams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_streams_ewc_code"))
        batch_op.drop_index(batch_op.f("ix_streams_company_id"))

    op.drop_table("streams")
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_needs_company_id"))
        batch_op.drop_index(batch_op.f("ix_needs_category"))

    op.drop_table("needs")
    op.drop_table("geocode_cache")
    op.drop_table("companies")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_entity_id"))

    op.drop_table("audit_log")
