"""Storage: SQLAlchemy 2 models, Alembic migrations, and functions that return domain values.

Typical use (one session per command or user action, the caller owns the transaction)::

    from symbiose.db import ensure_database, session_factory, load_network, save_network

    engine = ensure_database()            # SYMBIOSE_DATABASE_URL or sqlite:///symbiose.db
    Session = session_factory(engine)
    with Session() as session, session.begin():
        summary = save_network(session, network, actor="officer1")   # all-or-nothing
    with Session() as session:
        network = load_network(session)

ORM classes stay in :mod:`symbiose.db.models`; nothing outside this package should import them.
"""

from symbiose.db.accounts import (
    AccountLockedError,
    User,
    authenticate,
    check_password,
    create_user,
    delete_user,
    get_user,
    hash_password,
    list_users,
    open_demo_mode,
    password_problems,
    session_user,
    set_password,
    set_role,
    verify_password,
)
from symbiose.db.audit import ChainReport, verify_chain
from symbiose.db.concurrency import (
    RecordState,
    changed_since_error,
    local_time,
    lock_for_write,
    next_id,
    record_state,
)
from symbiose.db.engine import (
    DEFAULT_DATABASE_URL,
    ENV_DATABASE_URL,
    current_revision,
    database_url,
    ensure_database,
    head_revision,
    make_engine,
    session_factory,
    upgrade,
)
from symbiose.db.legal_checks import LegalCheck, get_legal_check, save_legal_check
from symbiose.db.login_sessions import (
    end_login_session,
    end_user_login_sessions,
    login_session_user,
    start_login_session,
)
from symbiose.db.repository import (
    AuditEntry,
    GeocodeCache,
    ImportSummary,
    RecordSaved,
    StageChange,
    audit_entries,
    check_synergy_rules,
    company_ids,
    counts,
    create_synergy,
    delete_company,
    follow_pair,
    get_company,
    get_synergy,
    is_empty,
    load_demo,
    load_network,
    need_ids,
    next_synergy_id,
    read_bundle_for,
    record_audit,
    save_network,
    save_record,
    set_synergy_stage,
    stage_history,
    stream_ids,
)
from symbiose.db.samples import (
    RequestStatus,
    SampleRequest,
    create_sample_request,
    decide_sample_request,
    list_sample_requests,
)

__all__ = [
    "AccountLockedError",
    "end_login_session",
    "end_user_login_sessions",
    "login_session_user",
    "start_login_session",
    "changed_since_error",
    "local_time",
    "RecordSaved",
    "RecordState",
    "StageChange",
    "check_synergy_rules",
    "follow_pair",
    "lock_for_write",
    "next_id",
    "record_state",
    "save_record",
    "stage_history",
    "DEFAULT_DATABASE_URL",
    "ENV_DATABASE_URL",
    "AuditEntry",
    "GeocodeCache",
    "ImportSummary",
    "User",
    "audit_entries",
    "authenticate",
    "ChainReport",
    "check_password",
    "company_ids",
    "counts",
    "create_sample_request",
    "create_synergy",
    "create_user",
    "current_revision",
    "database_url",
    "decide_sample_request",
    "delete_company",
    "delete_user",
    "ensure_database",
    "get_company",
    "get_legal_check",
    "get_synergy",
    "get_user",
    "hash_password",
    "head_revision",
    "is_empty",
    "LegalCheck",
    "list_sample_requests",
    "list_users",
    "load_demo",
    "load_network",
    "make_engine",
    "need_ids",
    "next_synergy_id",
    "open_demo_mode",
    "password_problems",
    "read_bundle_for",
    "record_audit",
    "RequestStatus",
    "SampleRequest",
    "save_legal_check",
    "save_network",
    "session_factory",
    "session_user",
    "set_password",
    "set_role",
    "set_synergy_stage",
    "stream_ids",
    "upgrade",
    "verify_chain",
    "verify_password",
]
