"""Accounts: scrypt passwords, a password policy, sign-in throttling, roles and sessions.

* Passwords are stored as ``scrypt$n$r$p$salt$hash`` (standard-library scrypt, 16-byte salt).
  Signing in does the same scrypt work whether the user name exists or not (an unknown name is
  checked against a dummy hash of the same cost), so the answer time does not list the accounts.
* Policy (:func:`check_password`): at least :data:`MIN_PASSWORD_LENGTH` characters, not one of
  the common passwords of ``data/common_passwords.txt`` (also once trailing digits and signs are
  removed: ``sunshine2024!``), not the user name nor containing it.
* Throttling: after :data:`FREE_FAILURES` wrong passwords for one user name (known or not), that
  name is locked for 30 s, doubling with each further failure up to 15 min. The count is stored in
  ``login_attempts``, so it holds across processes and restarts; a good password resets it.
* Sessions: ``session_epoch`` rises on every change of role or password; the web application
  compares the stored user with the one it signed in (:func:`session_user`) on every run, so a
  deleted, demoted or re-passworded account loses its open sessions.
* The last officer can be neither deleted nor demoted. The open demo mode (every page visible
  without an account) exists only for a database that never had an account: the first account
  sets ``accounts_created`` in ``app_settings`` for good (:func:`open_demo_mode`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from symbiose.db.audit import append as record_audit
from symbiose.db.models import CompanyRow, LoginAttemptRow, SettingRow, UserRow
from symbiose.domain import Role
from symbiose.errors import NotFoundError, SymbioseError, ValidationError
from symbiose.i18n import _, fmt_list

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD_LENGTH = 12
FREE_FAILURES = 5
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(minutes=15)
ACCOUNTS_CREATED = "accounts_created"
USERNAME_LENGTH = 80


class AccountLockedError(SymbioseError, PermissionError):
    """Too many wrong passwords for a user name: wait until ``until``."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        seconds = max(1, int((until - datetime.now(UTC)).total_seconds() + 0.999))
        super().__init__(
            _("Too many failed sign-ins for this user name: try again in {s} s.").format(s=seconds)
        )


@dataclass(frozen=True, slots=True)
class User:
    """An account: officers curate, companies see their own flows, planners compare scenarios,
    researchers read the local resources catalogue."""

    id: int
    username: str
    role: Role
    company_id: str | None = None
    session_epoch: int = 0


# --------------------------------------------------------------------------------------------
# passwords


def hash_password(
    password: str,
    *,
    n: int = SCRYPT_N,
    r: int = SCRYPT_R,
    p: int = SCRYPT_P,
    salt: bytes | None = None,
) -> str:
    """``scrypt$n$r$p$salt_hex$hash_hex`` (standard-library scrypt, 16-byte random salt)."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=32
    )
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a :func:`hash_password` string (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_SCRYPT_MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash of the production cost (n=2^14, r=8, p=1) of a random password nobody knows, checked
# when the user name is unknown: the same scrypt work as a known name, from the first attempt of
# a process on (a literal, so that no process pays for making it). Whatever its password, an
# unknown name never signs in: the result of this check is ignored.
_DUMMY_HASH = (
    "scrypt$16384$8$1$b1be6bdde8a2cf54b690489f877a6b5e$b287ae01ea"
    "73bc873802a4aaba8625e3233f3f11b519478655f7a1ebd2d9ebaa"
)


def dummy_hash() -> str:
    """The hash checked when the user name is unknown (same work as a known one)."""
    return _DUMMY_HASH


@cache
def common_passwords() -> frozenset[str]:
    """The common-password list shipped in ``data/common_passwords.txt`` (lowercased)."""
    from symbiose.reference import data_dir

    path = data_dir() / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problems(password: str, username: str = "") -> list[str]:
    """Why ``password`` is refused (empty when it is accepted)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            _("the password needs at least {n} characters (it has {m})").format(
                n=MIN_PASSWORD_LENGTH, m=len(password)
            )
        )
    lowered = password.lower()
    base = re.sub(r"[\d\W_]+$", "", lowered)
    common = common_passwords()
    if lowered in common or base in common or (base and len(set(base)) == 1):
        problems.append(_("the password is one of the most common passwords; choose another"))
    name = username.strip().lower()
    if name and len(name) >= 3 and name in lowered:
        problems.append(_("the password must not contain the user name"))
    return problems


def check_password(password: str, username: str = "") -> None:
    """Raise :class:`ValidationError` listing why ``password`` is refused."""
    problems = password_problems(password, username)
    if problems:
        raise ValidationError(fmt_list(problems))


# --------------------------------------------------------------------------------------------
# settings


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(SettingRow, key)
    return None if row is None else row.value


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(SettingRow, key)
    if row is None:
        session.add(SettingRow(key=key, value=value))
    else:
        row.value = value
    session.flush()


def open_demo_mode(session: Session) -> bool:
    """True only for a database that never had an account (deleting every account does not
    reopen it)."""
    if get_setting(session, ACCOUNTS_CREATED) is not None:
        return False
    return not session.scalar(select(func.count()).select_from(UserRow))


# --------------------------------------------------------------------------------------------
# users


def _user(row: UserRow) -> User:
    return User(row.id, row.username, Role(row.role), row.company_id, row.session_epoch or 0)


def _role(role: Role | str) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise ValidationError(
            _("unknown role '{role}'; use one of {roles}").format(
                role=role, roles=", ".join(r.value for r in Role)
            )
        ) from None


def _row(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
    if row is None:
        raise NotFoundError(_("no user named '{name}'").format(name=username.strip()))
    return row


def get_user(session: Session, username: str) -> User:
    return _user(_row(session, username))


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    role: Role | str,
    company_id: str | None = None,
    actor: str = "system",
) -> User:
    """Create an account; a ``company`` account must name a stored company; the password must
    pass :func:`check_password`."""
    username = username.strip()
    if not username:
        raise ValidationError(_("a user name is required"))
    if len(username) > USERNAME_LENGTH:
        raise ValidationError(
            _("a user name has at most {n} characters").format(n=USERNAME_LENGTH)
        )
    role = _role(role)
    if role is Role.COMPANY and not company_id:
        raise ValidationError(
            _("user '{name}': a company account must name its company").format(name=username)
        )
    if company_id and session.get(CompanyRow, company_id) is None:
        raise NotFoundError(_("no company with id '{id}'").format(id=company_id))
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise ValidationError(_("the user name '{name}' is taken").format(name=username))
    check_password(password, username)
    row = UserRow(
        username=username,
        role=role.value,
        company_id=company_id or None,
        password_hash=hash_password(password),
        created_at=datetime.now(UTC),
        session_epoch=0,
    )
    session.add(row)
    session.flush()
    if get_setting(session, ACCOUNTS_CREATED) is None:  # the day the first account was made
        set_setting(session, ACCOUNTS_CREATED, datetime.now(UTC).date().isoformat())
    record_audit(
        session, actor, "create", "user", username, {"role": role.value, "company_id": company_id}
    )
    return _user(row)


def _officers(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(UserRow).where(UserRow.role == Role.OFFICER.value)
    ) or 0


def _refuse_losing_last_officer(session: Session, row: UserRow, what: str) -> None:
    if row.role == Role.OFFICER.value and _officers(session) <= 1:
        raise ValidationError(
            _("'{name}' is the last officer: {what} would leave nobody to curate the network; "
              "create another officer first").format(name=row.username, what=what)
        )  # fmt: skip


def delete_user(session: Session, username: str, *, actor: str) -> None:
    """Delete an account (its open sessions end on their next run). Refused for the last
    officer."""
    row = _row(session, username)
    _refuse_losing_last_officer(session, row, _("deleting it"))
    detail = {"role": row.role, "company_id": row.company_id}
    session.delete(row)
    session.flush()
    record_audit(session, actor, "delete", "user", row.username, detail)

def _end_web_sessions(session: Session, row: UserRow) -> None:
    """End the account's web sign-ins (tokens of :mod:`symbiose.db.login_sessions`)."""
    from symbiose.db.login_sessions import end_user_login_sessions

    end_user_login_sessions(session, row.username)


def set_role(
    session: Session, username: str, role: Role | str, *, company_id: str | None = None, actor: str
) -> User:
    """Change an account's role (its open sessions end). Demoting the last officer is refused."""
    row = _row(session, username)
    new = _role(role)
    if new.value == row.role and (company_id or row.company_id) == row.company_id:
        return _user(row)
    if new is not Role.OFFICER:
        _refuse_losing_last_officer(session, row, _("demoting it"))
    company_id = company_id or (row.company_id if new is Role.COMPANY else None)
    if new is Role.COMPANY and not company_id:
        raise ValidationError(
            _("user '{name}': a company account must name its company").format(name=row.username)
        )
    if company_id and session.get(CompanyRow, company_id) is None:
        raise NotFoundError(_("no company with id '{id}'").format(id=company_id))
    detail = {"from": row.role, "to": new.value, "company_id": company_id}
    row.role = new.value
    row.company_id = company_id
    row.session_epoch = (row.session_epoch or 0) + 1
    _end_web_sessions(session, row)
    session.flush()
    record_audit(session, actor, "role", "user", row.username, detail)
    return _user(row)


def set_password(session: Session, username: str, password: str, *, actor: str = "system") -> None:
    """Change a password (policy checked); the account's open sessions end."""
    row = _row(session, username)
    check_password(password, row.username)
    row.password_hash = hash_password(password)
    row.session_epoch = (row.session_epoch or 0) + 1
    _end_web_sessions(session, row)
    session.flush()
    record_audit(session, actor, "password", "user", row.username)


def list_users(session: Session) -> list[User]:
    return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]


def session_user(session: Session, signed_in: User) -> User | None:
    """The stored account behind a signed-in session, or None when the session is no longer
    valid (account deleted, or its role or password changed since: ``session_epoch``)."""
    row = session.get(UserRow, signed_in.id)
    if row is None or row.username != signed_in.username:
        return None
    current = _user(row)
    if current.session_epoch != signed_in.session_epoch or current.role is not signed_in.role:
        return None
    return current


# --------------------------------------------------------------------------------------------
# signing in


def _attempt_key(username: str) -> str:
    return username.strip().lower()[:USERNAME_LENGTH]


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def lock_duration(failures: int) -> timedelta:
    """How long a user name is locked after ``failures`` consecutive wrong passwords."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_LOCK * 2 ** (failures - FREE_FAILURES), LONGEST_LOCK)


def _record_failure(session: Session, key: str, now: datetime) -> None:
    """Count one failure for ``key`` atomically (concurrent processes lose none) and lock the
    name when the count calls for it."""
    dialect = session.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    where = LoginAttemptRow.username == key
    # the first write takes the write lock (SQLite) or the row lock (PostgreSQL) until commit
    session.execute(
        upsert(LoginAttemptRow)
        .values(username=key, failures=0, last_failure_at=now)
        .on_conflict_do_nothing()
    )
    session.execute(
        update(LoginAttemptRow)
        .where(where)
        .values(failures=LoginAttemptRow.failures + 1, last_failure_at=now)
        .execution_options(synchronize_session=False)
    )
    failures = session.scalar(select(LoginAttemptRow.failures).where(where)) or 0
    duration = lock_duration(failures)
    session.execute(
        update(LoginAttemptRow)
        .where(where)
        .values(locked_until=now + duration if duration else None)
        .execution_options(synchronize_session=False)
    )


def authenticate(
    session: Session, username: str, password: str, *, now: datetime | None = None
) -> User | None:
    """The user if the password is right, else None. The caller commits (failures are stored).

    Exactly one scrypt computation of the production cost happens whether the name exists, the
    password is wrong or the name is locked. A locked name raises :class:`AccountLockedError`
    without checking the password.
    """
    now = now or datetime.now(UTC)
    key = _attempt_key(username)
    attempt = session.get(LoginAttemptRow, key)
    locked_until = _aware(attempt.locked_until) if attempt is not None else None
    if locked_until is not None and locked_until > now:
        verify_password(password, dummy_hash())
        raise AccountLockedError(locked_until)
    row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
    if row is None:
        verify_password(password, dummy_hash())
        ok = False
    else:
        ok = verify_password(password, row.password_hash)
    if not ok:
        _record_failure(session, key, now)
        return None
    if attempt is not None:  # a good password resets the count
        session.execute(
            delete(LoginAttemptRow)
            .where(LoginAttemptRow.username == key)
            .execution_options(synchronize_session=False)
        )
        session.expunge(attempt)
    return _user(row)
