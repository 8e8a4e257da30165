"""The command line's words in the user's language: Symbiose's help texts and Click's own.

* Help texts (a command's docstring or ``help=``, an option's ``help=``) are English message ids,
  translated when they are shown: ``symbiose match --help`` reads in the language of the moment
  (``SYMBIOSE_LANGUAGE``, French by default). Commands and groups are built with
  :class:`LocalisedCommand` and :class:`LocalisedGroup` for that.
* Click writes its own words ("Usage:", "Options", "Show this message and exit.", its usage
  errors) through gettext functions that each of its modules binds at import
  (``from gettext import gettext as _``). Gettext is how Click expects to be translated;
  :func:`speak_the_user_language` points those functions at Symbiose's catalogues (the messages
  are in ``symbiose/locale/fr/cli.po``), which needs no compiled ``.mo`` file.
"""

from __future__ import annotations

import copy
import inspect
import re
import sys

import click

from symbiose.i18n import N_, get_language, gettext, ngettext

# Click's modules that write words a user reads (Click 8), each with its own gettext functions
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "utils", "termui")
# the placeholders Click writes for its value types (``--top INTEGER RANGE``), read in the help
REQUIRED = N_("required")  # Click's bracket for a required option ([required])
TYPE_PLACEHOLDERS = (N_("TEXT"), N_("INTEGER"), N_("INTEGER RANGE"), N_("FLOAT"), N_("FLOAT RANGE"), N_("BOOLEAN"))


def speak_the_user_language() -> None:
    """Click's own words through Symbiose's catalogues, in the current language when written."""
    for name in CLICK_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


def help_id(text: str) -> str:
    """The message id of a help text: as Click shows it (docstring indentation removed, cut at a
    form feed)."""
    return inspect.cleandoc(text).partition("\f")[0]


def _shown(item, ctx: click.Context | None = None):
    """A copy of a command or parameter with its help texts (and, for an option, the placeholder
    of its value type) in the current language."""
    shown = copy.copy(item)
    for attribute in ("help", "short_help"):
        text = getattr(item, attribute, None)
        if text:
            setattr(shown, attribute, gettext(help_id(text)))
    if isinstance(item, click.Option) and item.metavar is not None:
        shown.metavar = gettext(item.metavar)  # a placeholder the command names (URL, NAME...)
    elif ctx is not None and isinstance(item, click.Option) and not item.is_flag:
        placeholder = item.make_metavar(ctx)
        if placeholder in TYPE_PLACEHOLDERS:
            shown.metavar = gettext(placeholder)
    return shown


def prompt_text(text: str) -> str:
    """A question's text for Click, which adds ": " after it: French puts a space before the
    colon (« Mot de passe : »)."""
    return text + " " if get_language() == "fr" else text


YES = frozenset({"o", "oui", "y", "yes"})  # French or English answers, whatever the language
NO = frozenset({"n", "non", "no"})


def confirm(question: str, *, default: bool = False, abort: bool = False, err: bool = False) -> bool:
    """``click.confirm`` in the user's language: ``[o/N]`` and "oui" in French (Click's own asks
    ``[y/N]`` and takes only y or yes). ``abort``: a no ends the command (``click.Abort``)."""
    choices = gettext("Y/n") if default else gettext("y/N")
    while True:
        answer = click.prompt(f"{question} [{choices}]", default="", show_default=False, err=err,
                              prompt_suffix=" ").strip().lower()  # fmt: skip
        if not answer or answer in YES or answer in NO:
            break
        click.echo(gettext("Error: invalid input"), err=err)
    agreed = default if not answer else answer in YES
    if abort and not agreed:
        raise click.Abort()
    return agreed


class _Formatter(click.HelpFormatter):
    def write_heading(self, heading: str) -> None:
        # "Options :" in French typography (a space before the colon)
        self.write(f"{'':>{self.current_indent}}{gettext('{heading}:').format(heading=heading)}\n")


class _Context(click.Context):
    formatter_class = _Formatter


def _french_extra(row: tuple[str, str]) -> tuple[str, str]:
    """An option's help row with Click's bracket (``[par défaut : 0.3; 0<=x<=0.95]``) in French
    typography and numbers (``[par défaut : 0,3 ; 0<=x<=0,95]``); English rows as they are."""
    names, text = row
    head, bracket, extra = text.rpartition("[")
    if get_language() != "fr" or not bracket or not extra.endswith("]"):
        return row
    # a decimal number only: an address (127.0.0.1) or a version keeps its dots
    extra = re.sub(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])", r"\1,\2", extra.replace("; ", " ; "))
    extra = re.sub(r"\brequired\b", gettext(REQUIRED), extra)  # Click's own word, not in its catalogue
    return names, head + bracket + extra


class _Localised:
    """Help texts translated when shown (see the module's docstring)."""

    context_class = _Context

    def get_short_help_str(self, limit: int = 45) -> str:
        return super(_Localised, _shown(self)).get_short_help_str(limit)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super(_Localised, _shown(self)).format_help_text(ctx, formatter)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [_french_extra(row) for param in self.get_params(ctx) if not isinstance(param, click.Argument)
                and (row := _shown(param, ctx).get_help_record(ctx)) is not None]  # fmt: skip
        if rows:
            with formatter.section(gettext("Options")):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class LocalisedCommand(_Localised, click.Command):
    """A command whose help reads in the current language."""


class LocalisedGroup(_Localised, click.Group):
    """A group whose help, and whose commands' and subgroups' help, read in the current language."""

    command_class = LocalisedCommand
    group_class = type  # subgroups are of this group's class

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [gettext(piece) if piece == self.subcommand_metavar else piece
                for piece in super().collect_usage_pieces(ctx)]  # fmt: skip


speak_the_user_language()
