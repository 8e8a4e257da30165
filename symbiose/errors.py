"""One root exception for the project, combined with built-in ones.

Every message says what was wrong, where, and what would fix it. Import errors carry the
whole list of problems found (file, row, column), so that an officer can fix a spreadsheet
in one pass instead of one error at a time.
"""

from __future__ import annotations

from dataclasses import dataclass


class SymbioseError(Exception):
    """Root of every error the project raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the spreadsheet row number as a user sees it (the header is row 1, the first
    data row is row 2); ``None`` when the problem concerns the whole file.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        from symbiose.i18n import _

        if self.file == "input" and self.row is None and not self.column:
            return self.message  # a value given on the command line or in a form: nowhere to name
        where = self.file
        if self.row is not None:
            where = _("{where}, row {row}").format(where=where, row=self.row)
        if self.column:
            where = _("{where}, column '{column}'").format(where=where, column=self.column)
        return _("{where}: {message}").format(where=where, message=self.message)


class ValidationError(SymbioseError, ValueError):
    """Input that cannot be accepted; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem] | Problem | str, *, limit: int | None = None):
        from symbiose.limits import limits

        if isinstance(problems, str):
            problems = [Problem("input", None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        total = len(problems)  # a ProblemLog keeps the first ones and counts them all
        self.problems: list[Problem] = list(problems)
        self.total = max(total, len(self.problems))
        limit = limits().max_problems_shown if limit is None else limit
        from symbiose.i18n import fmt_number, ngettext

        shown = [f"  - {p}" for p in self.problems[:limit]]
        if self.total > len(shown):
            more = self.total - len(shown)
            shown.append("  " + ngettext("... and {n} more problem", "... and {n} more problems", more).format(
                n=fmt_number(more)))  # fmt: skip
        count = self.total
        head = ngettext("{n} problem found; nothing was changed:", "{n} problems found; nothing was changed:",
                        count).format(n=fmt_number(count))  # fmt: skip
        super().__init__("\n".join([head, *shown]))


class ImportValidationError(ValidationError):
    """A network bundle (CSV folder or workbook) that cannot be imported."""


class ScenarioError(SymbioseError, ValueError):
    """A scenario file with a mistake: names the file and key, and what is expected."""


class GeocodingError(SymbioseError, ValueError):
    """A place that cannot be located, or coordinates that cannot be right."""


class InfeasibleError(SymbioseError, RuntimeError):
    """An optimisation problem with no solution under the rules asked for."""


class SolverError(SymbioseError, RuntimeError):
    """The solver did not return a usable status."""


class NotFoundError(SymbioseError, LookupError):
    """A record asked for by id that does not exist."""


class DatabaseError(SymbioseError, RuntimeError):
    """A database that cannot be used as it is: missing file, schema of a newer version."""


class ConcurrentEditError(SymbioseError, RuntimeError):
    """A save based on an old read: someone changed the record since it was opened.

    The message says who changed it and when; nothing of the refused save was written.
    """


class RangeError(SolverError, ValueError):
    """A number outside what the solver's integer arithmetic can hold exactly."""
