"""Commands for accounts and the audit log (registered by :mod:`symbiose.cli`).

    symbiose user-add marie --role officer          create an account (password asked twice)
    symbiose user-role marie planner                change a role (open sessions end)
    symbiose user-password marie                    change a password (open sessions end)
    symbiose user-delete marie                      delete an account (not the last officer)
    symbiose user-list                              the accounts
    symbiose audit verify                           check the audit log's hash chain
    symbiose audit show --limit 20                  the newest audit entries
    symbiose catalogue ressources.xlsx              the anonymous local resources catalogue

Who made a change is never typed in: it is the account given with ``symbiose --user NAME``
(its password is asked, or read from ``SYMBIOSE_PASSWORD``), else the operating-system user
(``os:marie``), as :func:`actor` says.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import click

from symbiose.cli_text import LocalisedCommand, LocalisedGroup, confirm, prompt_text
from symbiose.domain import Role
from symbiose.i18n import N_, _
from symbiose.labels import role_label

PASSWORD_ENV = "SYMBIOSE_PASSWORD"


def actor(ctx: click.Context | None = None) -> str:
    """The name written in the audit log for the current command.

    With ``symbiose --user NAME``: that account, once its password is right (asked on the
    terminal, or ``SYMBIOSE_PASSWORD``); failures count toward the account's lockout. Without:
    the operating-system user, as ``os:<login>``.
    """
    from symbiose.cli import CommandFailed, session_scope, state

    st = state(ctx)
    if st.account is None:
        try:
            login = getpass.getuser()
        except (KeyError, OSError):  # no name for the uid (some containers)
            login = f"uid{os.getuid()}"
        return f"os:{login}"[:80]
    if st.signed_in is None:
        from symbiose.db import authenticate

        password = os.environ.get(PASSWORD_ENV) or click.prompt(
            prompt_text(_("Password of {name}").format(name=st.account)), hide_input=True, err=True
        )
        with session_scope(ctx, write=True) as session:
            user = authenticate(session, st.account, password)
        if user is None:
            raise CommandFailed(_("Error: unknown user name or wrong password; nothing was changed."))
        st.signed_in = user.username
    return st.signed_in


@click.command("user-add", cls=LocalisedCommand)
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True,
              help=N_("officer: every page and change; company: its own flows and partners; planner: scenarios and indicators; researcher: the anonymous catalogue only."))
@click.option("--company", "company_id", default=None, help=N_("Company id (for a company account)."))
@click.password_option(prompt=prompt_text(_("Password")), help=N_("Password (asked twice when not given)."))
def user_add(username: str, role: str, company_id: str | None, password: str) -> None:
    """Create a user account (password stored as a salted scrypt hash).

    The password needs at least 12 characters, must not be a common password nor contain the
    user name.
    """
    from symbiose.cli import session_scope
    from symbiose.db import create_user

    who = actor()
    with session_scope(write=True) as session:
        user = create_user(session, username, password, role=role, company_id=company_id, actor=who)
    if user.company_id:
        click.echo(
            _("User {name} created ({role}, company {company}).").format(
                name=user.username, role=role_label(user.role), company=user.company_id
            )
        )
    else:
        click.echo(_("User {name} created ({role}).").format(name=user.username, role=role_label(user.role)))


@click.command("user-role", cls=LocalisedCommand)
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.option("--company", "company_id", default=None, help=N_("Company id (for a company account)."))
def user_role(username: str, role: str, company_id: str | None) -> None:
    """Give USERNAME another ROLE; the account's open sessions end at once."""
    from symbiose.cli import session_scope
    from symbiose.db import set_role

    who = actor()
    with session_scope(write=True) as session:
        user = set_role(session, username, role, company_id=company_id, actor=who)
    click.echo(_("User {name} is now {role}.").format(name=user.username, role=role_label(user.role)))


@click.command("user-password", cls=LocalisedCommand)
@click.argument("username")
@click.password_option(prompt=prompt_text(_("New password")), help=N_("New password (asked twice when not given)."))
def user_password(username: str, password: str) -> None:
    """Change the password of USERNAME; the account's open sessions end at once."""
    from symbiose.cli import session_scope
    from symbiose.db import set_password

    who = actor()
    with session_scope(write=True) as session:
        set_password(session, username, password, actor=who)
    click.echo(_("Password of {name} changed.").format(name=username.strip()))


@click.command("user-delete", cls=LocalisedCommand)
@click.argument("username")
@click.option("--yes", is_flag=True, help=N_("Do not ask for confirmation."))
def user_delete(username: str, yes: bool) -> None:
    """Delete the account USERNAME (refused for the last officer)."""
    from symbiose.cli import session_scope
    from symbiose.db import delete_user

    if not yes:
        confirm(_("Delete the account {name}?").format(name=username), abort=True, err=True)
    who = actor()
    with session_scope(write=True) as session:
        delete_user(session, username, actor=who)
    click.echo(_("User {name} deleted.").format(name=username.strip()))


@click.command("user-list", cls=LocalisedCommand)
def user_list() -> None:
    """List the accounts (user name, role, company)."""
    import pandas as pd

    from symbiose.cli import echo_frame, session_scope
    from symbiose.db import list_users
    from symbiose.labels import role_label

    with session_scope() as session:
        users = list_users(session)
    frame = pd.DataFrame(
        [(u.username, role_label(u.role), u.company_id or "") for u in users],
        columns=[_("user"), _("role"), _("company")],
    )
    echo_frame(frame, empty=_("(no account)"))


@click.group("audit", cls=LocalisedGroup)
def audit() -> None:
    """The audit log: every change, append-only and hash-chained."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the audit log; name the first broken entry (exit status 1)."""
    from symbiose.cli import CommandFailed, session_scope
    from symbiose.db import verify_chain

    with session_scope() as session:
        report = verify_chain(session)
    if not report.ok:
        raise CommandFailed(_("Error: {problem}").format(problem=report.describe()))
    click.echo(report.describe())
    click.echo(
        _("Note the head hash with today's date: an intact log that no longer ends with it has "
          "lost its newest entries.")
    )  # fmt: skip


@audit.command("show")
@click.option("--limit", type=int, default=20, show_default=True, help=N_("How many entries."))
@click.option("--entity", default=None, help=N_("Only this kind of entity (synergy, user...)."))
def audit_show(limit: int, entity: str | None) -> None:
    """The newest audit entries."""
    import pandas as pd

    from symbiose.cli import echo_frame, session_scope
    from symbiose.db import audit_entries
    from symbiose.db.audit_text import entry_texts
    from symbiose.i18n import fmt_datetime

    with session_scope() as session:
        entries = audit_entries(session, entity=entity, limit=limit)
        words = entry_texts(session, entries)  # actions, records and values as the forms name them
    frame = pd.DataFrame(
        [
            (e.id, fmt_datetime(e.occurred_at), e.actor, action, kind, e.entity_id, _short(detail))
            for e, (action, kind, detail) in zip(entries, words, strict=True)
        ],
        columns=[_("entry"), _("when"), _("who"), _("action"), _("entity"), _("entity id"), _("detail")],
    )  # fmt: skip
    echo_frame(frame, empty=_("(no entry)"))


def _short(text: str, width: int = 160) -> str:
    """A detail cut to ``width`` characters for a terminal line (the journal of the pipeline page
    shows it whole)."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


@click.command("catalogue", cls=LocalisedCommand)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--k", "k", type=click.IntRange(min=1), default=None,
              help=N_("Fewest producers a zone shown must hold (default: $SYMBIOSE_BLIND_K, else 3)."))  # fmt: skip
def catalogue_command(path, k: int | None) -> None:
    """Write the local resources catalogue (anonymous: no company, quantity bands) to PATH:
    a CSV file (French: ';', BOM) or, if PATH ends .xlsx, a workbook."""
    from symbiose.catalogue import (
        anonymity_k,
        build_catalogue,
        public_frame,
        to_csv,
        to_xlsx,
        withheld_text,
    )
    from symbiose.cli import read_network
    from symbiose.i18n import ngettext

    catalogue = build_catalogue(read_network(), k=k or anonymity_k())
    frame = public_frame(catalogue)
    data = to_xlsx(frame) if path.suffix.lower() == ".xlsx" else to_csv(frame)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")  # a reader never sees half a file
    partial.write_bytes(data)
    os.replace(partial, path)
    click.echo(ngettext("{n} resource written to {path}.", "{n} resources written to {path}.",
                        len(frame)).format(n=len(frame), path=path))  # fmt: skip
    if catalogue.withheld:
        click.echo(withheld_text(catalogue.withheld))


COMMANDS = (user_add, user_role, user_password, user_delete, user_list, audit, catalogue_command)
