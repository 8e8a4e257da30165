"""The French user guides (docs/fr) cannot silently rot.

Each guide exists and points to its English original (and back); every relative link resolves to
a file of the repository; every command of a ```bash block names a real ``symbiose`` subcommand
(and options that command has); every French header shown as ``frenchheader`` (``canonical``) is
an alias of that column in :data:`symbiose.bundle.TABLES`.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from symbiose.bundle import TABLES
from symbiose.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GUIDES = {  # French guide -> its English original
    "IMPORT.md": "IMPORT.md",
    "FORMAT_DONNEES.md": "DATA_FORMAT.md",
    "APPLICATION.md": "APP.md",
}
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.M | re.S)
GLOBAL_OPTIONS_WITH_VALUE = {p for o in main.params if not o.is_flag for p in o.opts}


def _french(name: str) -> str:
    return (DOCS / "fr" / name).read_text("utf-8")


def _relative_links(path: Path) -> list[str]:
    targets = [t for t in LINK.findall(path.read_text("utf-8"))]
    return [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:|#", t) and t.split("#")[0]]


@pytest.mark.parametrize("name", GUIDES)
def test_french_guide_exists_and_points_both_ways(name):
    french, english = DOCS / "fr" / name, DOCS / GUIDES[name]
    assert french.is_file()
    # the line under the title of each names the other
    assert f"(../{GUIDES[name]})" in french.read_text("utf-8").splitlines()[2]
    assert f"(fr/{name})" in english.read_text("utf-8").splitlines()[2]


@pytest.mark.parametrize(
    "path",
    [DOCS / "fr" / n for n in GUIDES] + [DOCS / e for e in GUIDES.values()] + [ROOT / "README.md"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_relative_links_resolve(path):
    links = _relative_links(path)
    assert links, f"{path.name} links to nothing"
    missing = [t for t in links if not (path.parent / t).exists()]
    assert not missing, f"{path.relative_to(ROOT)}: links to missing files {missing}"
    if path.name == "README.md":
        assert {"docs/fr/IMPORT.md", "docs/fr/FORMAT_DONNEES.md", "docs/fr/APPLICATION.md"} <= set(links)


def _symbiose_commands(text: str) -> list[list[str]]:
    """The argument lists after ``symbiose`` in the ```bash blocks of a guide."""
    found = []
    for block in BASH_BLOCK.findall(text):
        for line in block.splitlines():
            tokens = shlex.split(line, comments=True)
            for i, token in enumerate(tokens):
                if token == "symbiose":
                    rest = tokens[i + 1 :]
                    stop = next((j for j, t in enumerate(rest) if t in {"&&", "||", "|", ";", ">"}), len(rest))
                    found.append(rest[:stop])
    return found


def _check_command(args: list[str]) -> str | None:
    """Why ``symbiose ARGS`` is not a real command line, or None."""
    while args and args[0].startswith("-"):  # global options
        args = args[2:] if args[0] in GLOBAL_OPTIONS_WITH_VALUE else args[1:]
    if not args:
        return "no subcommand"
    command: click.Command = main
    while isinstance(command, click.Group):
        if not args or args[0] not in command.commands:
            return f"'{args[0] if args else ''}' is not a subcommand of {command.name}"
        command, args = command.commands[args[0]], args[1:]
    options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help", "-h"}
    unknown = [a.split("=")[0] for a in args if a.startswith("-") and a.split("=")[0] not in options]
    return f"{command.name} has no option {unknown}" if unknown else None


def test_every_bash_command_of_the_french_guides_is_a_real_subcommand():
    commands = {name: _symbiose_commands(_french(name)) for name in GUIDES}
    # the import guide shows import, imports, undo, templates; the application guide serve
    assert {c[0] for c in commands["IMPORT.md"]} >= {"import", "imports", "undo", "templates"}
    assert {c[0] for c in commands["APPLICATION.md"]} == {"serve"}
    problems = [
        f"{name}: symbiose {' '.join(args)}: {why}"
        for name, lines in commands.items()
        for args in lines
        if (why := _check_command(args))
    ]
    assert not problems, "\n".join(problems)


def test_the_command_check_catches_a_wrong_command():
    assert _check_command(["importer", "x.csv"]) == "'importer' is not a subcommand of main"
    assert _check_command(["import", "x.csv", "--dry"]) == "import has no option ['--dry']"
    assert _check_command(["audit", "verifier"]) == "'verifier' is not a subcommand of audit"
    assert _check_command(["--database", "sqlite:///x.db", "audit", "verify"]) is None


def test_french_headers_shown_are_the_code_s():
    aliases = {c.name: (c.french, {c.name, *c.aliases}) for cols in TABLES.values() for c in cols}
    pair = re.compile(r"`([a-z_0-9]+)` \(`([a-z_0-9]+)`")
    checked = set()
    for name in ("FORMAT_DONNEES.md", "IMPORT.md"):
        for line in _french(name).splitlines():
            for number, (french, canonical) in enumerate(pair.findall(line)):
                if canonical not in aliases:
                    continue  # a vocabulary word such as `solide` (`solid`)
                template, accepted = aliases[canonical]
                assert french in accepted, f"{name}: `{french}` is not an alias of {canonical}"
                if name == "FORMAT_DONNEES.md" and number == 0 and line.startswith("| `"):
                    assert french == template, f"{name}: {canonical}'s template header is {template}"
                checked.add(canonical)
    # every column of every table appears at least once with its French header
    assert checked == set(aliases)


def test_the_english_import_guide_lists_every_french_header_the_reader_accepts():
    # the alias table of docs/IMPORT.md was missing half the columns; it now follows TABLES
    from symbiose.bundle import TABLES

    guide = (ROOT / "docs" / "IMPORT.md").read_text(encoding="utf-8")
    missing = [f"{table}.{c.name}: {a}" for table, columns in TABLES.items() for c in columns
               for a in c.aliases if a != c.name and f"`{a}`" not in guide]  # fmt: skip
    assert not missing, missing
