"""Files Symbiose writes: spreadsheet cells that cannot run, folders that appear whole.

**Formula injection** (OWASP "CSV Injection"): a text cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is taken as a formula by Excel and LibreOffice
(``=HYPERLINK(...)``, ``=cmd|...``). Every CSV and Excel file Symbiose writes passes its text
cells through :func:`escape_cell`, which puts an apostrophe in front (Excel shows the text as
typed). Numbers are numbers, not text, and stay as they are (``-12.5`` is not escaped). Text that
already starts with an apostrophe gets a second one, so that :func:`unescape_cell`, applied by
the importer, gives back exactly the text that was stored:

>>> escape_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> escape_cell("+33 5 46 48 00 00"), escape_cell("Scierie")
("'+33 5 46 48 00 00", 'Scierie')
>>> all(unescape_cell(escape_cell(t)) == t for t in ["=1+1", "'=x", "''", "'a", "-", "a"])
True

**Atomic folders**: :func:`atomic_folder` writes a result folder next to the target and renames
it into place at the end, so that a command killed midway leaves the previous folder whole
(never a new ``matches.csv`` beside an old ``kpis.json``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

_writing_in: ContextVar[Path | None] = ContextVar("symbiose_atomic_folder", default=None)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"


def escape_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, _ESCAPE)):
        if value.startswith(_ESCAPE) and not value[1:2].startswith((*FORMULA_STARTS, _ESCAPE)):
            return value if value[1:2] else _ESCAPE + value  # "'abc" stays; "'" becomes "''"
        return _ESCAPE + value
    return value


def unescape_cell(text: str) -> str:
    """The text :func:`escape_cell` escaped (an apostrophe before a formula sign removed)."""
    if text.startswith(_ESCAPE) and text[1:2] and text[1:2] in (*FORMULA_STARTS, _ESCAPE):
        return text[1:]
    return text


def _remove_abandoned(target: Path) -> None:
    """Remove the temporary folders of writers of ``target`` that were killed (dead process)."""
    if os.name != "posix":  # os.kill(pid, 0) only tests a process on POSIX systems
        return
    for stale in target.parent.glob(f".{target.name}.tmp-*-*"):
        pid = stale.name.removeprefix(f".{target.name}.tmp-").split("-")[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            continue


def moved(paths: list[Path], work: Path, target: Path) -> list[Path]:
    """Paths written in ``work`` as they are after the rename to ``target``."""
    return [target / Path(p).relative_to(work) for p in paths]


def escape_frame(frame):
    """A copy of a pandas DataFrame whose text cells (and column names) are escaped.

    Vectorised: only the cells that start with a formula sign or an apostrophe go through
    :func:`escape_cell`; categorical columns have their categories escaped.
    """
    import pandas as pd

    starts = (*FORMULA_STARTS, _ESCAPE)
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = series.cat.categories
            if categories.dtype == object or str(categories.dtype).startswith("str"):
                escaped = [escape_cell(c) for c in categories]
                if escaped != list(categories):
                    out[column] = series.cat.rename_categories(escaped)
        elif series.dtype == object or str(series.dtype).startswith("str"):
            mask = _starting(series, starts)
            if mask.any():
                out[column] = series.astype(object).where(~mask, series[mask].map(escape_cell))
    out.columns = [escape_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _starting(series, starts: tuple[str, ...]):
    """Per cell of a text column, whether it starts with one of ``starts``; a column held in
    Arrow is read from the first byte of each cell."""
    import pyarrow as pa

    from symbiose.arrowtext import rows_starting

    if getattr(series.dtype, "storage", None) == "pyarrow" and all(len(s) == 1 and s.isascii() for s in starts):
        return rows_starting(pa.array(series.array), "".join(starts))
    return series.str.startswith(starts).fillna(False).astype(bool).to_numpy()


@contextlib.contextmanager
def atomic_folder(target: str | Path, *, replaced: Collection[str] = ()) -> Iterator[Path]:
    """Yield a temporary sibling folder to write in; on success it replaces ``target``.

    Files of an existing ``target`` that the block did not write are kept (copied into the new
    folder before the swap), except those named in ``replaced`` (what the files written stand
    for: a bundle in the other language). On an error, or if the process is killed, ``target``
    is left as it was and the temporary folder (``.<name>.tmp-*``) is removed or left aside.
    """
    target = Path(target)
    outer = _writing_in.get()
    if outer is not None and target.resolve() == outer.resolve():
        yield target  # already inside the temporary folder of an outer block (a report)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a folder")
    _remove_abandoned(target)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    token = _writing_in.set(work)
    try:
        try:
            yield work
        finally:
            _writing_in.reset(token)
        if target.is_dir():
            for old in target.iterdir():
                new = work / old.name
                if not new.exists() and old.name not in replaced:
                    if old.is_dir():
                        shutil.copytree(old, new)
                    else:
                        shutil.copy2(old, new)
            aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, aside / target.name)
            os.replace(work, target)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
