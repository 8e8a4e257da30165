"""The ``symbiose`` command line.

One database session per command, one transaction per change: an import either lands whole or
not at all. Errors the project raises on purpose (:class:`~symbiose.errors.SymbioseError`) are
printed on stderr and exit with status 1, without a traceback; usage errors exit with status 2.

    symbiose init                         create or migrate the database
    symbiose load-demo                    load the Haute-Saintonge demo network (idempotent)
    symbiose import reseau.xlsx --dry-run preview an import (created / updated / unchanged)
    symbiose import reseau.xlsx           import a bundle (CSV folder or workbook), asks first
    symbiose imports                      the recent imports, with their ids
    symbiose undo I20261201-093012-4f2a   put back what an import changed
    symbiose export sortie/               write the stored network as CSV files (or a .xlsx), in French
                                          by default (--language en: canonical English)
    symbiose templates modeles/           empty templates for officers (--language fr|en)
    symbiose list streams --format csv    list a table
    symbiose synergy-stage Y0003 abandoned --reason "trop loin"
    symbiose synergy-quantity Y0003 "1 234,5"   the agreed quantity per year, without a stage move
    symbiose synergy-history Y0003        who moved a synergy, when, from where to where, why
    symbiose user-add marie --role officer   accounts (user-role, user-password, user-delete...)
    symbiose audit verify                 check the audit log's hash chain
    symbiose serve --port 8501            the web application (Streamlit)

The database is ``--database URL``, else ``SYMBIOSE_DATABASE_URL``, else ``symbiose.db`` in the
current folder. Only ``init``, ``load-demo`` and ``serve`` create a SQLite file that does not
exist; the other commands say it does not exist. Changes are signed in the audit log by
``--user NAME`` (an account, password asked), else by the operating-system user (see
:mod:`symbiose.cli_trust`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from symbiose import __version__
from symbiose.cli_text import LocalisedGroup, confirm
from symbiose.domain import Network, Stage, format_ewc, format_months
from symbiose.errors import SymbioseError, ValidationError
from symbiose.i18n import N_, _, fmt_date, fmt_datetime, fmt_number, ngettext
from symbiose.labels import stage_label
from symbiose.units import from_base, from_cents

if TYPE_CHECKING:  # SQLAlchemy is imported only by commands that open the database
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

LIST_TABLES = ("companies", "streams", "needs", "synergies")
# table names as people read them (``_(name)`` at use)
TABLE_WORDS = (N_("companies"), N_("streams"), N_("needs"), N_("synergies"), N_("users"), N_("audit_log"),
               N_("geocode_cache"), N_("login_sessions"), N_("table"), N_("created"), N_("updated"),
               N_("unchanged"))  # fmt: skip


# --------------------------------------------------------------------------------------------
# plumbing shared by every command (also for commands defined in other modules)


class CommandFailed(click.ClickException):
    """A failure already explained in its message: printed on stderr as is, exit status 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


def _explain(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        from symbiose.limits import limits

        count = getattr(exc, "total", len(exc.problems))
        shown = limits().max_problems_shown
        lines = [ngettext("Error: {n} problem found; nothing was changed:",
                          "Error: {n} problems found; nothing was changed:", count).format(n=fmt_number(count))]
        printed = exc.problems[:shown]
        lines += [f"  - {problem}" for problem in printed]
        if count > len(printed):
            lines.append("  " + _("... and {n} more").format(n=fmt_number(count - len(printed))))
        return "\n".join(lines)
    return _("Error: {error}").format(error=exc)


class SymbioseGroup(LocalisedGroup):
    """Turns project errors and database failures into a message and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SymbioseError as exc:
            raise CommandFailed(_explain(exc)) from exc
        except Exception as exc:
            # a database failure can only come from SQLAlchemy once a command imported it
            sa_exc = sys.modules.get("sqlalchemy.exc")
            if sa_exc is None or not isinstance(exc, sa_exc.SQLAlchemyError):
                raise
            if isinstance(exc, sa_exc.DBAPIError):
                url = ctx.obj.display_url if isinstance(ctx.obj, CliState) else _("the database")
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                raise CommandFailed(_("Error: the database {url} failed: {reason}").format(url=url, reason=reason)) from exc
            raise CommandFailed(_("Error: database error: {error}").format(error=exc)) from exc


@dataclass
class CliState:
    """What the group passes to its commands: the database URL and a lazily built engine."""

    given_url: str | None = None  # --database; else the environment's or the default, when asked
    account: str | None = None  # ``--user``: the account that signs the changes
    signed_in: str | None = None  # set once its password was checked
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        if self.given_url is None:
            from symbiose.db import database_url

            self.given_url = database_url()
        return self.given_url

    @property
    def display_url(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)

    create: bool = False  # only init, load-demo and serve create a new SQLite file

    def engine(self) -> Engine:
        """The engine on a database migrated to the latest revision (created if ``create``)."""
        if self._engine is None:
            from symbiose.db import ensure_database

            self._engine = ensure_database(self.url, create=self.create)
        return self._engine

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def state(ctx: click.Context | None = None) -> CliState:
    """The group's state: the root context's object (not looked up by class, since under
    ``python -m symbiose.cli`` this module is loaded twice, as ``__main__`` and by name)."""
    ctx = ctx or click.get_current_context()
    return ctx.find_root().obj


@contextmanager
def session_scope(ctx: click.Context | None = None, *, write: bool = False) -> Iterator[Session]:
    """A session on the command's database; with ``write=True`` one transaction, committed at
    the end and rolled back on any error."""
    from symbiose.db import session_factory
    from symbiose.db.engine import lock_for_writing

    with session_factory(state(ctx).engine())() as session:
        if write:
            with session.begin():
                lock_for_writing(session)
                yield session
        else:
            yield session


def read_network(ctx: click.Context | None = None) -> Network:
    """The stored network (for commands such as ``match`` or ``report``)."""
    from symbiose.db import load_network

    with session_scope(ctx) as session:
        return load_network(session)


def echo_frame(frame, fmt: str = "table", *, empty: str | None = None) -> None:
    """Print a pandas DataFrame as a readable table or as CSV on stdout (``;`` and decimal
    commas in French, for a French spreadsheet)."""
    from symbiose.i18n import csv_options

    if fmt == "csv":
        options = csv_options()
        frame = dates_as_text(frame, readable=False)
        click.echo(frame.to_csv(index=False, sep=options["sep"], decimal=options["decimal"]), nl=False)
    elif frame.empty:
        click.echo(empty or _("(nothing)"))
    else:
        click.echo(readable_frame(dates_as_text(frame, readable=True)).to_string(index=False, na_rep=""))


def dates_as_text(frame, *, readable: bool):
    """The dates and times of a table as text: as people read them (``27/11/2026``,
    ``27/11/2026 14:05`` in the network's time zone: :func:`~symbiose.i18n.fmt_date`), or for a
    program (``2026-11-27``, ``2026-11-27 14:05``). Other columns are left as they are."""
    from datetime import date, datetime

    from symbiose.i18n import fmt_date, fmt_datetime, local_time

    def text(value):
        if isinstance(value, datetime):
            return fmt_datetime(value) if readable else local_time(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return fmt_date(value) if readable else value.isoformat()
        return "" if value is None or value != value else value  # None, NaT: no date

    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if values.dtype.kind == "M" or (values.dtype == object and any(isinstance(v, date) for v in values)):
            shown[column] = [text(v) for v in values]
    return shown


# headers of the tables printed on the terminal that are not columns of the import format
COLUMN_WORDS = {
    "synergy_id": N_("synergy"), "stream_id": N_("stream"), "need_id": N_("need"), "when": N_("when"),
    "who": N_("who"), "from": N_("from"), "to": N_("to"), "reason": N_("reason"),
    "supplier_id": N_("supplier"), "receiver_id": N_("receiver"), "route_cost_eur": N_("route cost (EUR/unit)"),
    "virgin_price_eur": N_("virgin price (EUR/unit)"),
    "quantity_stability_pct": N_("kept when quantities vary (%)"),
    "exit_stability_pct": N_("kept when a partner leaves (%)"), "exits_tested": N_("departures tested"),
    "mean_quantity_in_draws": N_("mean quantity in the draws"),
}  # fmt: skip


def readable_frame(frame):
    """A table as its reader's language writes it: French headers (the import templates' words),
    stages and routes in words, decimal commas and grouped thousands (``17 276,938``), oui/non. English
    tables are printed as they are."""
    from symbiose.i18n import fmt_decimal, get_language
    from symbiose.labels import route_label

    if get_language() == "en":
        return frame
    from symbiose.bundle import TABLES

    headers = {c.name: c.french for columns in TABLES.values() for c in columns}
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if column in ("stage", "from", "to"):
            shown[column] = [stage_label(v) if v else "" for v in values]
        elif column == "route":
            shown[column] = [route_label(v) if v else "" for v in values]
        elif values.dtype.kind == "f":
            shown[column] = ["" if v != v else fmt_decimal(v, 6) for v in values]
        elif values.dtype.kind == "b":
            shown[column] = [_("yes") if v else _("no") for v in values]
    return shown.rename(columns=lambda c: _(COLUMN_WORDS[c]) if c in COLUMN_WORDS else headers.get(c, _(c)))


def _echo_summary(summary) -> None:
    click.echo(f"{_('Table'):<12} {_('Created'):>8} {_('Updated'):>8} {_('Unchanged'):>10}")
    for table, created, updated, unchanged in summary.rows():
        click.echo(f"{_(table):<12} {created:>8} {updated:>8} {unchanged:>10}")
    if not summary.changed:
        click.echo(_("Nothing changed."))


# --------------------------------------------------------------------------------------------
# the group


@click.group(cls=SymbioseGroup, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("Symbiose: industrial-symbiosis matchmaking (waste-to-feedstock) for a territory. "
                    "Messages are in French unless SYMBIOSE_LANGUAGE=en."))
@click.option(
    "--database",
    "database",
    metavar=N_("URL"),
    default=None,
    help=N_("Database URL (default: $SYMBIOSE_DATABASE_URL, else sqlite:///symbiose.db). "
           "PostgreSQL: postgresql+psycopg://user@host:5432/name"),
)
@click.option(
    "--user",
    "account",
    metavar=N_("NAME"),
    default=None,
    help=N_("Sign the changes with this account (its password is asked, or read from "
            "$SYMBIOSE_PASSWORD); default: the operating-system user."),
)
@click.version_option(__version__, prog_name="symbiose", help=N_("Show the version and exit."))
@click.pass_context
def main(ctx: click.Context, database: str | None, account: str | None) -> None:
    """Symbiose: industrial-symbiosis matchmaking (waste-to-feedstock) for a territory."""
    ctx.obj = CliState(database, account=account)
    ctx.call_on_close(ctx.obj.dispose)


@main.command(help=N_("Create the database, or migrate it to the latest schema."))
def init() -> None:
    """Create the database, or migrate it to the latest schema."""
    from symbiose.db import counts, current_revision

    st = state()
    st.create = True
    engine = st.engine()
    with session_scope() as session:
        rows = counts(session)
    click.echo(_("Database ready: {url} (schema revision {revision})").format(
        url=st.display_url, revision=current_revision(engine)))
    click.echo(", ".join(f"{n} {_(table)}" for table, n in rows.items()))


@main.command("load-demo", help=N_("Load the demo network of the Haute-Saintonge (loading it again changes nothing)."))
def load_demo_command() -> None:
    """Load the demo network of the Haute-Saintonge (loading it again changes nothing)."""
    from symbiose.cli_trust import actor
    from symbiose.db import load_demo

    state().create = True
    who = actor()
    with session_scope(write=True) as session:
        summary = load_demo(session, actor=who)
    click.echo(_("Demo network loaded into {url}").format(url=state().display_url))
    _echo_summary(summary)


PREVIEW_RECORDS = 200


def echo_plan(plan, *, limit: int = PREVIEW_RECORDS) -> None:
    """Print an import preview: counts per table, then each created or updated record."""
    for notice in plan.notices:
        click.echo(notice)
    from symbiose.db.imports import COUNT_HEADERS, entity, shown_field

    table, created, updated, unchanged = (_(h) for h in COUNT_HEADERS)
    click.echo(f"{table:<12} {created:>8} {updated:>8} {unchanged:>10}")
    for table, created, updated, unchanged in plan.count_rows():
        click.echo(f"{table:<12} {created:>8} {updated:>8} {unchanged:>10}")
    changed = [r for r in plan.records if r.action != "unchanged"]
    for record in changed[:limit]:
        if record.action == "created":
            click.echo("  + " + _("{entity} {id} created ({company})").format(
                entity=entity(record.table), id=record.id, company=record.company))
            continue
        click.echo("  ~ " + _("{entity} {id} updated ({company}):").format(
            entity=entity(record.table), id=record.id, company=record.company))
        empty = _("(empty)")
        for column, old, new in record.fields:
            column, old, new = shown_field(record.table, column, old, new)
            click.echo(f"      {column}: {old or empty} -> {new or empty}")
    if len(changed) > limit:
        click.echo("  " + _("... and {n} more").format(n=fmt_number(len(changed) - limit)))
    for warning in plan.warnings:
        click.secho(_("WARNING: {message}").format(message=warning), err=True, fg="red", bold=True)


@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help=N_("Show what would change, write nothing."))
@click.option("--yes", "-y", is_flag=True, help=N_("Do not ask for confirmation."))
def import_command(path: Path, dry_run: bool, yes: bool) -> None:
    """Import a network bundle: a folder of CSV files, one CSV file or an .xlsx workbook.

    Records are created or updated by id, never duplicated; records not in the files are kept,
    and a column absent from a file, or an empty cell, leaves the stored values alone. The preview (created,
    updated field by field, unchanged) is printed first; the import then asks for confirmation
    on a terminal. Without a terminal (a script), give --yes, or nothing is written. Any problem
    in the file is listed, and nothing is written. 'symbiose undo IMPORT_ID' takes it back.
    """
    from symbiose.cli_trust import actor
    from symbiose.db.imports import apply_import, created_text, plan_import

    who = actor()  # before any transaction: signing in with --user writes its own
    with session_scope() as session:
        plan = plan_import(session, path)
    click.echo(_("Preview of {path} ({database}):").format(path=path, database=state().display_url))
    echo_plan(plan)
    if not plan.changed:
        click.echo(_("Nothing changed."))
        return
    if dry_run:
        click.echo(_("Dry run: nothing was written."))
        return
    if not yes:
        if not sys.stdin.isatty():
            raise CommandFailed(_(
                "Error: not imported: confirm with --yes (no terminal to ask on), or preview "
                "with --dry-run"
            ))  # fmt: skip
        question = _("Write these changes?") if not plan.warnings else _(
            "Write these changes, despite the warnings above?")
        if not confirm(question, default=False):
            raise CommandFailed(_("Not imported: nothing was written."))
    with session_scope(write=True) as session:
        result = apply_import(session, path, actor=who, expected=plan)
    click.echo(_("Imported {path}: {counts} (import {id}; 'symbiose undo {id}' takes it back)").format(
        path=path, counts=created_text(result.created, result.updated), id=result.import_id))


@main.command("undo")
@click.argument("import_id")
def undo_command(import_id: str) -> None:
    """Put back the values from before import IMPORT_ID (its created records are deleted).

    Refused, with the records named, when a record that import wrote changed since.
    """
    from symbiose.cli_trust import actor
    from symbiose.db.imports import undo_import, undone_text

    who = actor()
    with session_scope(write=True) as session:
        done = undo_import(session, import_id, actor=who)
    click.echo(_("Import {id} undone: {counts}.").format(id=import_id, counts=undone_text(**done)))


@main.command("imports")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help=N_("How many imports, newest first."))
def imports_command(limit: int) -> None:
    """List the recent imports (id, when, who, file, records created and updated)."""
    from symbiose.db.imports import recent_imports

    with session_scope() as session:
        found = recent_imports(session, limit)
    if not found:
        click.echo(_("(no imports)"))
    for item in found:
        undone = " " + _("(undone)") if item.undone else ""
        click.echo(f"{item.import_id}  {fmt_datetime(item.occurred_at)}  {item.actor}  "
                   f"{item.name}  +{item.created} ~{item.updated}{undone}")


@main.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--language", type=click.Choice(["fr", "en"]), default=None,
              help=N_("fr: French files, sheets, headers and words, ';' and decimal commas (Excel in France); "
                      "en: the canonical English form. Default: the language of the messages."))  # fmt: skip
def export_command(path: Path, language: str | None) -> None:
    """Write the stored network to PATH: a folder of CSV files, or a workbook if PATH ends .xlsx."""
    from symbiose.bundle import write_bundle
    from symbiose.i18n import get_language

    network = read_network()
    # French: entreprises.csv, flux.csv... as an officer's spreadsheet reads them; both import back unchanged
    for written in write_bundle(network, path, french=(language or get_language()) == "fr"):
        click.echo(str(written))


@main.command(help=N_("Write empty import templates (one example row each) into DIRECTORY (or a .xlsx file)."))
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--language",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help=N_("fr: French headers, ';' and decimal commas (Excel in France); en: canonical."),
)
def templates(directory: Path, language: str) -> None:
    """Write empty import templates (one example row each) into DIRECTORY (or a .xlsx file)."""
    from symbiose.bundle import write_templates

    for written in write_templates(directory, language=language):
        click.echo(str(written))


def network_frame(network: Network, table: str):
    """A readable DataFrame of one table: quantities in their declared unit, money in euros."""
    import pandas as pd

    if table == "companies":
        records = [
            {
                "id": c.id,
                "name": c.name,
                "commune": c.commune,
                "naf_code": c.naf_code,
                "latitude": c.latitude,
                "longitude": c.longitude,
            }
            for c in network.companies
        ]
        columns = ["id", "name", "commune", "naf_code", "latitude", "longitude"]
    elif table == "streams":
        records = [
            {
                "id": s.id,
                "company_id": s.company_id,
                "ewc_code": format_ewc(s.ewc_code) if s.ewc_code else "",
                "material": s.material,
                "quantity": from_base(s.quantity_base, s.unit),
                "unit": str(s.unit),
                "months": format_months(s.months) or _("all year"),
                "route": str(s.route),
                "route_cost_eur": from_cents(s.route_cost_cents),
                "description": s.description,
            }
            for s in network.streams
        ]
        columns = [
            "id",
            "company_id",
            "ewc_code",
            "material",
            "quantity",
            "unit",
            "months",
            "route",
            "route_cost_eur",
            "description",
        ]
    elif table == "needs":
        records = [
            {
                "id": n.id,
                "company_id": n.company_id,
                "category": n.category,
                "accepted_codes": ",".join(n.accepted_codes),
                "quantity": from_base(n.quantity_base, n.unit),
                "unit": str(n.unit),
                "virgin_price_eur": from_cents(n.virgin_price_cents),
                "max_distance_km": n.max_distance_km,
                "months": format_months(n.months) or _("all year"),
                "hazardous_permit": n.hazardous_permit,
                "description": n.description,
            }
            for n in network.needs
        ]
        columns = [
            "id",
            "company_id",
            "category",
            "accepted_codes",
            "quantity",
            "unit",
            "virgin_price_eur",
            "max_distance_km",
            "months",
            "hazardous_permit",
            "description",
        ]
    elif table == "synergies":
        units = {s.id: s.unit for s in network.streams}
        records = [
            {
                "id": y.id,
                "stream_id": y.stream_id,
                "need_id": y.need_id,
                "stage": str(y.stage),
                "quantity": None
                if y.quantity_base is None or y.stream_id not in units
                else from_base(y.quantity_base, units[y.stream_id]),
                "unit": str(units.get(y.stream_id, "")),
                "abandoned_reason": y.abandoned_reason,
                "created_on": y.created_on,
                "updated_on": y.updated_on,
            }
            for y in network.synergies
        ]
        columns = [
            "id",
            "stream_id",
            "need_id",
            "stage",
            "quantity",
            "unit",
            "abandoned_reason",
            "created_on",
            "updated_on",
        ]
    else:
        raise ValueError(f"unknown table '{table}'")
    return pd.DataFrame.from_records(records, columns=columns)


FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv"]),
    default="table",
    show_default=True,
    help=N_("A readable table, or CSV for a spreadsheet."),
)


@main.command("list", help=N_("List the stored companies, streams, needs or synergies."))
@click.argument("table", type=click.Choice(LIST_TABLES))
@FORMAT_OPTION
def list_command(table: str, fmt: str) -> None:
    """List the stored companies, streams, needs or synergies.

    --format csv prints the table in the import format (the file of 'symbiose export'): it
    imports back unchanged, and a copy with only some columns changes only those columns.
    """
    if fmt == "csv":
        from symbiose.bundle import table_csv
        from symbiose.i18n import get_language

        click.echo(table_csv(read_network(), table, french=get_language() == "fr"), nl=False)
        return
    echo_frame(network_frame(read_network(), table), fmt, empty=_("(no {table})").format(table=_(table)))


class StageType(click.ParamType):
    """A synergy stage given by its code (``contacted``) or its French name (« contactée »,
    « en discussion », « mise en œuvre »), as the import reads it."""

    name = "stage"

    def get_metavar(self, param, ctx) -> str:
        return "[" + "|".join(s.value for s in Stage) + "]"

    def convert(self, value, param, ctx) -> str:
        from symbiose.bundle import stage_from_text

        if isinstance(value, Stage):
            return value.value
        stage = stage_from_text(value)
        if stage is None:
            self.fail(_("'{value}' is not a stage; write one of {codes} or its French name ({names})").format(
                value=value, codes=", ".join(s.value for s in Stage),
                names=", ".join(stage_label(s) for s in Stage)), param, ctx)  # fmt: skip
        return stage.value


@main.command("synergy-stage", help=N_(
    "Move synergy SYNERGY_ID to STAGE (written in its stage history and the audit log). Forward moves need "
    "nothing more; abandoning needs --reason; going back needs --back and --reason; leaving abandoned needs "
    "--reopen and --reason."))
@click.argument("synergy_id")
@click.argument("stage", type=StageType(), metavar="STAGE")
@click.option("--reason", default="", help=N_("Why: required to abandon, go back or reopen."))
@click.option("--back", is_flag=True, help=N_("Confirm a move back to an earlier stage (with --reason)."))
@click.option("--reopen", is_flag=True, help=N_("Reopen an abandoned synergy (with --reason)."))
@click.option("--quantity", default=None, help=N_("The agreed quantity per year, in the stream's unit."))
def synergy_stage(synergy_id: str, stage: str, reason: str, back: bool, reopen: bool,
                  quantity: str | None) -> None:  # fmt: skip
    """Move synergy SYNERGY_ID to STAGE (written in its stage history and the audit log).

    Forward moves (suggested -> contacted -> in_discussion -> implemented) need nothing more;
    abandoning needs --reason; going back needs --back and --reason; leaving abandoned needs
    --reopen and --reason.
    """
    from symbiose.cli_trust import actor
    from symbiose.db import get_synergy, set_synergy_stage
    from symbiose.db.notifications import contact_email, notify_pair, stage_detail
    from symbiose.i18n import _
    from symbiose.notify import SmtpSettings, send_notices

    quantity_base = None if quantity is None else _quantity_base(quantity, "--quantity")
    who = actor()
    with session_scope(write=True) as session:
        old = get_synergy(session, synergy_id).stage
        synergy = set_synergy_stage(session, synergy_id, stage, reason=reason, actor=who,
                                    back=back, reopen=reopen, quantity_base=quantity_base)  # fmt: skip
        notices = [] if str(old) == str(synergy.stage) else notify_pair(
            session, "stage", synergy.id, synergy.stream_id, synergy.need_id, sides=["supplier", "receiver"],
            detail=stage_detail(old, synergy.stage, reason or ""))  # fmt: skip
        emails = {n.company_id: contact_email(session, n.company_id) for n in notices if n.company_id}
    click.echo(_("Synergy {id}: {stage} (updated {date})").format(
        id=synergy.id, stage=stage_label(synergy.stage), date=fmt_date(synergy.updated_on)))  # fmt: skip
    for problem in send_notices(SmtpSettings.from_env(), notices, lambda c: emails.get(c, "")):
        click.echo(_("E-mail not sent: {problems}").format(problems=problem), err=True)


def _quantity_base(text: str, param_hint: str) -> int:
    """A yearly quantity typed in the stream's unit (``1 234,5`` or ``1234.5``), in base units."""
    from symbiose.units import parse_decimal, to_base

    try:
        return to_base(parse_decimal(text), "t")
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=param_hint) from None


@main.command("synergy-quantity", help=N_(
    "Set the recorded (agreed) quantity per year of synergy SYNERGY_ID to QUANTITY, in the stream's unit "
    "(1 234,5 or 1234.5), without moving its stage (written in its stage history and the audit log)."))
@click.argument("synergy_id")
@click.argument("quantity")
@click.option("--reason", default="", help=N_("Why the quantity changes (optional)."))
def synergy_quantity(synergy_id: str, quantity: str, reason: str) -> None:
    """Set the recorded (agreed) quantity per year of synergy SYNERGY_ID to QUANTITY, in the
    stream's unit (1 234,5 or 1234.5), without moving its stage."""
    from symbiose.cli_trust import actor
    from symbiose.db import get_synergy, set_synergy_quantity
    from symbiose.db.models import StreamRow
    from symbiose.i18n import _
    from symbiose.labels import yearly_quantity

    quantity_base = _quantity_base(quantity, "QUANTITY")
    who = actor()
    with session_scope(write=True) as session:
        old = get_synergy(session, synergy_id).quantity_base
        synergy = set_synergy_quantity(session, synergy_id, quantity_base, actor=who, reason=reason)
        unit = session.get(StreamRow, synergy.stream_id).unit
    new = yearly_quantity(synergy.quantity_base, unit)
    if old == synergy.quantity_base:
        click.echo(_("Synergy {id} already records {quantity}; nothing changed").format(id=synergy.id, quantity=new))
        return
    # the old quantity without its unit, which the new one names: « 50 → 42,5 t/an »
    click.echo(_("Synergy {id}: recorded quantity {old} → {new} (stage {stage}, unchanged)").format(
        id=synergy.id, old=yearly_quantity(old, unit).split("\u00a0")[0], new=new,
        stage=stage_label(synergy.stage)))  # fmt: skip


@main.command("synergy-history", help=N_(
    "The stage history of synergy SYNERGY_ID (of every synergy when omitted): who moved it, when, from which "
    "stage to which, and why."))
@click.argument("synergy_id", required=False)
@FORMAT_OPTION
def synergy_history(synergy_id: str | None, fmt: str) -> None:
    """The stage history of synergy SYNERGY_ID (of every synergy when omitted): who moved it,
    when, from which stage to which, and why."""
    from symbiose.db import stage_history
    from symbiose.i18n import _

    with session_scope() as session:
        frame = history_frame(stage_history(session, synergy_id))
    echo_frame(frame, fmt, empty=_("(no stage change)"))


def history_frame(changes):
    """A stage history as a DataFrame (times in the network's time zone, SYMBIOSE_TIMEZONE)."""
    import pandas as pd

    from symbiose.units import BASE_PER_UNIT

    return pd.DataFrame.from_records(
        [
            {
                "synergy_id": c.synergy_id,
                "when": c.occurred_at,
                "who": c.actor,
                "from": "" if c.from_stage is None else str(c.from_stage),
                "to": str(c.to_stage),
                "reason": c.reason,
                "quantity": None if c.quantity_base is None else c.quantity_base / BASE_PER_UNIT,
            }
            for c in changes
        ],
        columns=["synergy_id", "when", "who", "from", "to", "reason", "quantity"],
    )


def absolute_sqlite_url(url: str) -> str:
    """A relative SQLite path made absolute (the app runs in another folder); others unchanged.

    >>> absolute_sqlite_url("postgresql+psycopg://u@h/db")
    'postgresql+psycopg://u@h/db'
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return url
    if database.startswith("file:") or Path(database).is_absolute():
        return url
    absolute = parsed.set(database=str(Path(database).expanduser().resolve()))
    return absolute.render_as_string(hide_password=False)


def repository_root() -> Path:
    return Path(__file__).resolve().parent.parent


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@main.command(context_settings={"ignore_unknown_options": True}, help=N_(
    "Run the web application (streamlit run app.py); extra arguments go to Streamlit. It listens on "
    "127.0.0.1 (this computer only) unless --host says otherwise; with no account every page is open, "
    "so a network address also needs --demo. An empty database receives the demo network."))
@click.option("--port", type=int, default=8501, show_default=True, help=N_("Port to listen on."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=N_("Address to listen on; 0.0.0.0 opens the application to the network."))  # fmt: skip
@click.option("--demo", "open_demo", is_flag=True,
              help=N_("Allow open demo mode (no account: every page to everyone) on a non-loopback address."))  # fmt: skip
@click.option(
    "--no-demo", is_flag=True, help=N_("Do not load the demo network into an empty database.")
)
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
def serve(port: int, host: str, open_demo: bool, no_demo: bool, streamlit_args: tuple[str, ...]) -> None:
    """Run the web application (streamlit run app.py); extra arguments go to Streamlit.

    The database is created if needed and, when it holds no company, the demo network is loaded.
    The application listens on 127.0.0.1 (this computer only) unless --host says otherwise; with
    no account in the database every page is open, so a non-loopback address also needs --demo.
    Streamlit's developer menu and Deploy button are hidden.
    """
    from symbiose.db import counts, is_empty, load_demo

    app = repository_root() / "app.py"
    if not app.is_file():
        raise CommandFailed(_("Error: {app} not found; 'symbiose serve' runs from a source checkout").format(app=app))
    st = state()
    st.create = True
    with session_scope(write=True) as session:
        if not no_demo and is_empty(session):
            summary = load_demo(session, actor="serve")
            click.echo(_("Empty database: demo network loaded ({n} companies)").format(
                n=summary.created["companies"]))
        accounts = counts(session)["users"]
    st.dispose()
    if not _is_loopback(host) and not accounts and not open_demo:
        raise CommandFailed(_(
            "Error: no account exists, so every page and every cost would be open to anyone who reaches "
            "{host}:{port}. Create accounts first (symbiose user-add), or pass --demo to serve the open demo "
            "on this address anyway.").format(host=host, port=port))
    env = {**os.environ, "SYMBIOSE_DATABASE_URL": absolute_sqlite_url(st.url)}
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
               "--server.address", host]  # fmt: skip
    if not any("gatherUsageStats" in arg for arg in streamlit_args):
        command.append("--browser.gatherUsageStats=false")  # offline by default
    if not any("toolbarMode" in arg for arg in streamlit_args):
        command.append("--client.toolbarMode=viewer")  # no developer menu, no Deploy button
    if not any("maxUploadSize" in arg for arg in streamlit_args):
        # the uploader states the import's own limit, not Streamlit's 200 MB
        from symbiose.limits import limits

        command.append(f"--server.maxUploadSize={max(1, limits().max_file_bytes // (1024 * 1024))}")
    command += streamlit_args
    shown = f"[{host}]" if ":" in host else host
    click.echo(_("Serving {url} on http://{host}:{port}").format(url=st.display_url, host=shown, port=port), err=True)
    if os.name == "posix":
        # become the server: a signal sent to `symbiose serve` (a service manager stopping it, a
        # test ending it) reaches Streamlit itself instead of leaving it running without a parent
        sys.stdout.flush()
        sys.stderr.flush()
        os.chdir(repository_root())
        os.execve(sys.executable, command, env)
    try:
        completed = subprocess.run(command, cwd=repository_root(), env=env, check=False)
    except KeyboardInterrupt:
        return
    if completed.returncode:
        raise click.exceptions.Exit(completed.returncode)


# --------------------------------------------------------------------------------------------
# Commands defined in other modules are click commands (``@click.command(cls=LocalisedCommand)``), registered
# here. They may use ``state()``, ``session_scope``, ``read_network`` and ``echo_frame`` from this
# module (import them inside the function to avoid an import cycle); ``ctx.find_root().obj.url``
# is the database URL chosen by ``--database`` or the environment.

from symbiose.cli_match import compare, match, opportunities, report, robustness  # noqa: E402
from symbiose.cli_trust import COMMANDS as TRUST_COMMANDS  # noqa: E402

for _command in (match, compare, opportunities, robustness, report, *TRUST_COMMANDS):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
