"""ORM tables (SQLAlchemy 2 typed declarative). Nothing outside :mod:`symbiose.db` imports them.

Columns follow the field names of :mod:`symbiose.domain`. Quantities are ``BigInteger`` base units
(kg, L, kWh: a thousandth of the declared unit), money ``BigInteger`` euro cents per declared unit;
months are the text of :func:`symbiose.domain.format_months` (``"11-3"``, ``""`` = all year);
accepted codes are compact codes joined by commas (``"0201,020704"``); enumerations are strings
guarded by CHECK constraints. Streams and needs are deleted with their company, synergies with
their stream or need (ON DELETE CASCADE).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from symbiose.domain import PhysicalState, Role, Route, Stage
from symbiose.units import Unit

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LENGTH = 64
ACTOR_LENGTH = 80


def _version_column() -> Mapped[int]:
    """Row version for optimistic concurrency (SQLAlchemy ``version_id_col``): every UPDATE says
    ``WHERE version = <the version read>`` and bumps it, so a save based on an old read fails."""
    return mapped_column(Integer, nullable=False, default=1, server_default="1")


def _updated_by_column() -> Mapped[str]:
    return mapped_column(String(ACTOR_LENGTH), default="", server_default="")


def _updated_at_column() -> Mapped[datetime | None]:
    return mapped_column(DateTime(timezone=True), nullable=True)


def _in(column: str, values: type) -> str:
    """SQL text of ``column IN ('a', 'b', ...)`` for a string enumeration."""
    return f"{column} IN ({', '.join(repr(str(v.value)) for v in values)})"  # type: ignore[attr-defined]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CompanyRow(Base):
    __tablename__ = "companies"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    commune: Mapped[str] = mapped_column(String(200), default="")
    insee_code: Mapped[str] = mapped_column(String(5), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    naf_code: Mapped[str] = mapped_column(String(10), default="")
    siret: Mapped[str] = mapped_column(String(14), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # bulk freight access beyond road, ';'-separated: "rail", "port", "rail;port" (migration 0006)
    freight_access: Mapped[str] = mapped_column(String(20), default="", server_default="")
    version: Mapped[int] = _version_column()
    updated_by: Mapped[str] = _updated_by_column()
    updated_at: Mapped[datetime | None] = _updated_at_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    streams: Mapped[list[StreamRow]] = relationship(
        back_populates="company", cascade="all, delete-orphan", passive_deletes=True
    )
    needs: Mapped[list[NeedRow]] = relationship(
        back_populates="company", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
    )


class StreamRow(Base):
    __tablename__ = "streams"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    quantity_base: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(8))
    ewc_code: Mapped[str] = mapped_column(String(6), default="", index=True)
    material: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    physical_state: Mapped[str] = mapped_column(String(16), default=PhysicalState.SOLID.value)
    months: Mapped[str] = mapped_column(String(40), default="")
    route: Mapped[str] = mapped_column(String(16), default=Route.OTHER.value)
    route_cost_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    # logistics (migration 0009): None keeps the defaults of symbiose.logistics
    bulk_density_t_per_m3: Mapped[float | None] = mapped_column(Float, nullable=True)
    storage_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)
    forms: Mapped[str] = mapped_column(String(200), default="", server_default="")
    standards: Mapped[str] = mapped_column(String(200), default="", server_default="")
    destination: Mapped[str] = mapped_column(String(200), default="", server_default="")
    destination_category: Mapped[str] = mapped_column(String(64), default="", server_default="")  # migration 0010
    version: Mapped[int] = _version_column()
    updated_by: Mapped[str] = _updated_by_column()
    updated_at: Mapped[datetime | None] = _updated_at_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    company: Mapped[CompanyRow] = relationship(back_populates="streams")
    synergies: Mapped[list[SynergyRow]] = relationship(
        back_populates="stream", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("quantity_base >= 0", name="quantity_non_negative"),
        CheckConstraint(_in("unit", Unit), name="unit"),
        CheckConstraint(_in("physical_state", PhysicalState), name="physical_state"),
        CheckConstraint(_in("route", Route), name="route"),
        CheckConstraint("ewc_code <> '' OR material <> ''", name="code_or_material"),
        CheckConstraint("bulk_density_t_per_m3 IS NULL OR bulk_density_t_per_m3 > 0", name="bulk_density"),
        CheckConstraint("storage_months IS NULL OR (storage_months >= 0 AND storage_months <= 11)",
                        name="storage_months"),
    )


class NeedRow(Base):
    __tablename__ = "needs"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    quantity_base: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(64), default="", index=True)
    accepted_codes: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    virgin_price_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    max_distance_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    months: Mapped[str] = mapped_column(String(40), default="")
    hazardous_permit: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    min_temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)  # migration 0009
    accepted_states: Mapped[str] = mapped_column(String(64), default="", server_default="")
    required_forms: Mapped[str] = mapped_column(String(200), default="", server_default="")
    refused_forms: Mapped[str] = mapped_column(String(200), default="", server_default="")
    required_standards: Mapped[str] = mapped_column(String(200), default="", server_default="")
    gate_fee_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    permit: Mapped[str] = mapped_column(String(200), default="", server_default="")
    max_temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)  # migration 0010
    approvals: Mapped[str] = mapped_column(String(200), default="", server_default="")  # migration 0010
    version: Mapped[int] = _version_column()
    updated_by: Mapped[str] = _updated_by_column()
    updated_at: Mapped[datetime | None] = _updated_at_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    company: Mapped[CompanyRow] = relationship(back_populates="needs")
    synergies: Mapped[list[SynergyRow]] = relationship(
        back_populates="need", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("quantity_base >= 0", name="quantity_non_negative"),
        CheckConstraint(_in("unit", Unit), name="unit"),
        CheckConstraint("max_distance_km IS NULL OR max_distance_km >= 0", name="max_distance"),
        CheckConstraint("category <> '' OR accepted_codes <> ''", name="category_or_codes"),
    )


class SynergyRow(Base):
    __tablename__ = "synergies"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    stream_id: Mapped[str] = mapped_column(ForeignKey("streams.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[str] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16), default=Stage.SUGGESTED.value)
    quantity_base: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    abandoned_reason: Mapped[str] = mapped_column(Text, default="")
    created_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = _version_column()
    updated_by: Mapped[str] = _updated_by_column()
    updated_at: Mapped[datetime | None] = _updated_at_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    stream: Mapped[StreamRow] = relationship(back_populates="synergies")
    need: Mapped[NeedRow] = relationship(back_populates="synergies")

    __table_args__ = (
        CheckConstraint(_in("stage", Stage), name="stage"),
        CheckConstraint("quantity_base IS NULL OR quantity_base >= 0", name="quantity"),
        CheckConstraint(
            "stage <> 'abandoned' OR abandoned_reason <> ''", name="abandoned_has_reason"
        ),
    )


class StageChangeRow(Base):
    """One move of a synergy through the pipeline: who, when, from which stage, to which, why."""

    __tablename__ = "synergy_stages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    synergy_id: Mapped[str] = mapped_column(
        ForeignKey("synergies.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    from_stage: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_stage: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    quantity_base: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        CheckConstraint(_in("to_stage", Stage), name="to_stage"),
        CheckConstraint(f"from_stage IS NULL OR {_in('from_stage', Stage)}", name="from_stage"),
    )


class IdCounterRow(Base):
    """The last number issued per kind of record (``synergy`` -> 14 for SY014).

    Issuing an id locks the kind's row until the transaction ends, so two users creating a
    record at the same moment get two ids, never the same one.
    """

    __tablename__ = "id_counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger, default=0)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    company_id: Mapped[str | None] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=True, index=True
    )
    password_hash: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # raised on every change of role or password: a signed-in session holding an older value
    # is signed out on its next run
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint(_in("role", Role), name="role"),
        CheckConstraint("role <> 'company' OR company_id IS NOT NULL", name="company_user"),
    )


class LoginSessionRow(Base):
    """A web sign-in: the SHA-256 of its random token, when it ends, and when it was ended."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(ID_LENGTH), default="", index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    # the hash chain (see symbiose.db.audit): unique, so two writers can never fork the chain
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    entry_hash: Mapped[str] = mapped_column(String(64))


class SettingRow(Base):
    """Key-value settings of the database itself (``accounts_created``, the audit-chain lock)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class LoginAttemptRow(Base):
    """Failed sign-ins per user name (known or not, so that a lockout reveals no account)."""

    __tablename__ = "login_attempts"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LegalCheckRow(Base):
    """The legal path an officer chose for a synergy and the checklist kept with it."""

    __tablename__ = "synergy_legal_checks"

    synergy_id: Mapped[str] = mapped_column(
        ForeignKey("synergies.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(String(16))
    checks: Mapped[str] = mapped_column(Text, default="{}")  # item id -> true/false, JSON
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(80))

    __table_args__ = (
        CheckConstraint("path IN ('waste', 'by_product', 'end_of_waste')", name="path"),
    )


class SampleRequestRow(Base):
    """A request for a sample of a catalogue resource, for the officer to decide on."""

    __tablename__ = "sample_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    item_key: Mapped[str] = mapped_column(String(200))
    item_label: Mapped[str] = mapped_column(Text, default="")
    requester: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(320))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="new")
    decided_by: Mapped[str] = mapped_column(String(80), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("status IN ('new', 'introduced', 'declined')", name="status"),
    )


class GeocodeRow(Base):
    __tablename__ = "geocode_cache"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query: Mapped[str] = mapped_column(String(500), unique=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: What a notice can be about: an interest, a mutual interest, a decline, a stage change made by
#: an officer, an interest withdrawn before the other side answered (migration 0011).
NOTIFICATION_KINDS = ("interest", "mutual", "declined", "stage", "withdrawn")


class NotificationRow(Base):
    """One in-app notice for a company (``company_id``) or for every account of a role (``role``).

    ``kind`` says what happened (:data:`NOTIFICATION_KINDS`); ``detail`` holds the message's values
    as JSON (translated when shown, never a partner's name before mutual interest); ``read_at`` is
    set when the recipient marks it read.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    company_id: Mapped[str | None] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=True, index=True
    )
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    synergy_id: Mapped[str] = mapped_column(String(ID_LENGTH), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        CheckConstraint("company_id IS NOT NULL OR role IS NOT NULL", name="recipient"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in NOTIFICATION_KINDS)})", name="kind"),
    )
