"""Web sign-ins that survive a reload, a bookmark and a second tab, and end on sign-out.

A sign-in issues a random token (32 bytes, URL-safe) that the browser keeps in the page address
(``?session=...``). The database stores only the token's SHA-256, the account, and when the
sign-in expires (:data:`LIFETIME`, 12 hours by default) or was ended: someone who reads the
database cannot sign in with what it holds, a token nobody issued is unknown, and signing out
(or deleting the account) ends the sign-in on the server, whatever copy of the address remains.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from symbiose.db.accounts import User, _user
from symbiose.db.models import LoginSessionRow, UserRow

LIFETIME = timedelta(hours=12)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def start_login_session(session: Session, user: User, *, lifetime: timedelta = LIFETIME,
                        now: datetime | None = None) -> str:  # fmt: skip
    """Issue a token for ``user``; returns it (only its hash is stored)."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    session.add(LoginSessionRow(token_hash=_hash(token), user_id=user.id, created_at=now,
                                expires_at=now + lifetime, revoked_at=None))  # fmt: skip
    # expired sign-ins are of no use: forget them as new ones come
    session.execute(delete(LoginSessionRow).where(LoginSessionRow.expires_at < now - lifetime))
    session.flush()
    return token


def login_session_user(session: Session, token: str | None, *, now: datetime | None = None) -> User | None:
    """The account of a live token, else None (unknown, expired or ended)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = now or datetime.now(UTC)
    row = session.get(LoginSessionRow, _hash(token))
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return None
    user = session.get(UserRow, row.user_id)
    return _user(user) if user is not None else None


def end_login_session(session: Session, token: str | None, *, now: datetime | None = None) -> bool:
    """End a sign-in (sign-out); returns whether a live one was ended."""
    if not token:
        return False
    result = session.execute(
        update(LoginSessionRow)
        .where(LoginSessionRow.token_hash == _hash(token), LoginSessionRow.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )
    session.flush()
    return bool(result.rowcount)


def end_user_login_sessions(session: Session, username: str, *, now: datetime | None = None) -> int:
    """End every sign-in of an account (after a password change, say); returns how many."""
    user_id = session.scalar(select(UserRow.id).where(UserRow.username == username))
    if user_id is None:
        return 0
    result = session.execute(
        update(LoginSessionRow)
        .where(LoginSessionRow.user_id == user_id, LoginSessionRow.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )
    session.flush()
    return int(result.rowcount)
