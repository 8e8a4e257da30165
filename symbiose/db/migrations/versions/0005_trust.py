"""Trust: hash-chained append-only audit log, account hardening, legal checklist, sample requests.

* ``audit_log`` gains ``prev_hash`` (unique) and ``entry_hash``; the chain is computed for the rows
  already there, in id order; triggers refuse UPDATE and DELETE on it (SQLite and PostgreSQL,
  and TRUNCATE on PostgreSQL).
* ``users`` gains ``session_epoch``; the role ``researcher`` is allowed.
* New tables: ``app_settings`` (``accounts_created`` set when accounts already exist, the
  ``audit_chain`` lock row), ``login_attempts``, ``synergy_legal_checks``, ``sample_requests``.

The hash function is copied here (not imported) so that this migration keeps computing the
chain of revision 0005 whatever the code becomes; it must equal
:func:`symbiose.db.audit.entry_hash`.

Revision ID: 0005
Revises: 0002 (written against 0001; re-chained after the integrity migration)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
OLD_ROLES = "role IN ('officer', 'company', 'planner')"
NEW_ROLES = "role IN ('officer', 'company', 'planner', 'researcher')"


def _entry_hash(prev_hash, occurred_at, actor, action, entity, entity_id, detail) -> str:
    if isinstance(occurred_at, str):  # SQLite through a raw connection
        occurred_at = datetime.fromisoformat(occurred_at)
    moment = (
        occurred_at.replace(tzinfo=UTC)
        if occurred_at.tzinfo is None
        else occurred_at.astimezone(UTC)
    )
    payload = {
        "prev_hash": prev_hash,
        "occurred_at": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _audit_triggers(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted'); END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION symbiose_audit_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP; END; "
        "$$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION symbiose_audit_append_only()",
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION symbiose_audit_append_only()",
    ]


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name

    settings = op.create_table(
        "app_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_settings")),
    )
    op.create_table(
        "login_attempts",
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_login_attempts")),
    )
    op.create_table(
        "synergy_legal_checks",
        sa.Column("synergy_id", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=16), nullable=False),
        sa.Column("checks", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.CheckConstraint(
            "path IN ('waste', 'by_product', 'end_of_waste')",
            name=op.f("ck_synergy_legal_checks_path"),
        ),
        sa.ForeignKeyConstraint(
            ["synergy_id"],
            ["synergies.id"],
            name=op.f("fk_synergy_legal_checks_synergy_id_synergies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("synergy_id", name=op.f("pk_synergy_legal_checks")),
    )
    op.create_table(
        "sample_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("item_key", sa.String(length=200), nullable=False),
        sa.Column("item_label", sa.Text(), nullable=False),
        sa.Column("requester", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('new', 'introduced', 'declined')", name=op.f("ck_sample_requests_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_requests")),
    )
    with op.batch_alter_table("sample_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sample_requests_created_at"), ["created_at"], unique=False
        )

    # users: the researcher role and the session epoch
    with op.batch_alter_table("users", schema=None, recreate="auto") as batch_op:
        batch_op.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.drop_constraint(batch_op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_users_role"), sa.text(NEW_ROLES))

    # audit_log: the hash chain over the rows already there
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("entry_hash", sa.String(length=64), nullable=False, server_default="")
        )
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.Integer),
        sa.column("occurred_at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.String),
        sa.column("detail", sa.Text),
        sa.column("prev_hash", sa.String),
        sa.column("entry_hash", sa.String),
    )
    prev = GENESIS_HASH
    rows = bind.execute(
        sa.select(
            audit.c.id,
            audit.c.occurred_at,
            audit.c.actor,
            audit.c.action,
            audit.c.entity,
            audit.c.entity_id,
            audit.c.detail,
        ).order_by(audit.c.id)
    ).all()
    for row_id, occurred_at, actor, action, entity, entity_id, detail in rows:
        digest = _entry_hash(prev, occurred_at, actor, action, entity, entity_id, detail)
        bind.execute(
            audit.update()
            .where(audit.c.id == row_id)
            .values(prev_hash=prev, entry_hash=digest)
        )
        prev = digest
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_prev_hash"), ["prev_hash"], unique=True)
    for statement in _audit_triggers(dialect):
        op.execute(statement)

    users = bind.execute(sa.text("SELECT COUNT(*) FROM users")).scalar_one()
    seeds = [{"key": "audit_chain", "value": ""}]
    if users:
        seeds.append({"key": "accounts_created", "value": datetime.now(UTC).date().isoformat()})
    op.bulk_insert(settings, seeds)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS symbiose_audit_append_only()")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_prev_hash"))
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
    op.execute(sa.text("DELETE FROM users WHERE role = 'researcher'"))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_users_role"), sa.text(OLD_ROLES))
        batch_op.drop_column("session_epoch")
    with op.batch_alter_table("sample_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_requests_created_at"))
    op.drop_table("sample_requests")
    op.drop_table("synergy_legal_checks")
    op.drop_table("login_attempts")
    op.drop_table("app_settings")
