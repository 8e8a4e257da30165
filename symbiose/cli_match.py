"""Command-line commands of the matcher and the planners' tools: match, compare, opportunities,
robustness, report. Registered on the ``symbiose`` group by :mod:`symbiose.cli`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from symbiose.cli_text import LocalisedCommand
from symbiose.domain import Network
from symbiose.i18n import N_, _
from symbiose.params import MatchParameters


def _database_url(ctx: click.Context) -> str | None:
    """The --database option (None: the environment's or the default, resolved only when a
    command opens the database, so that runs on a bundle never import SQLAlchemy)."""
    return getattr(ctx.find_root().obj, "given_url", None)


def load_base(base: str, database: str | None = None) -> Network:
    """The network a run starts from: 'demo', 'database' or a bundle path (folder or .xlsx)."""
    from symbiose.bundle import read_bundle
    from symbiose.reference import data_dir

    # a run reads no contact details: they are checked when imported into the database
    if base == "demo":
        return read_bundle(data_dir() / "demo", check_contacts=False)
    if base == "database":
        from symbiose.db import ensure_database, load_network, session_factory

        engine = ensure_database(database, create=False)  # a mistyped path is an error
        with session_factory(engine)() as session:
            return load_network(session)
    return read_bundle(base, check_contacts=False)


def _network_and_params(bundle: str | None, scenario: str | None, database: str | None):
    if scenario:
        from symbiose.scenarios import load_scenarios, resolve

        scenarios = load_scenarios(scenario)
        chosen = scenarios[0]
        base = load_base(bundle or chosen.base, database)
        network, params = resolve(chosen, base)
        return network, params, chosen.name
    base = load_base(bundle or "database", database)
    return base, MatchParameters(), "base"


@click.command(cls=LocalisedCommand, help=N_("Allocate streams to needs and suggest partners (database by default)."))
@click.option("--bundle", type=click.Path(exists=True), help=N_("Match a bundle (CSV folder or .xlsx) instead of the database."))
@click.option("--scenario", help=N_("Scenario file (TOML); FILE#VARIANT for one of its variants."))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help=N_("Write matches.csv, suggestions.csv, kpis.json here."))
@click.option("--top", "top_n", default=5, show_default=True, type=click.IntRange(1, 100), help=N_("Partners suggested per stream and per need."))
@click.option("--backend", type=click.Choice(["auto", "mincostflow", "rules", "lp"]), default="auto", show_default=True,
              help=N_("Solver: auto takes mincostflow (exact min-cost flow) without partner or lot rules, rules (heuristic then CP-SAT) with them; lp is the linear-programming check."))
@click.option("--machine-readable", "machine", is_flag=True,
              help=N_("Write the files in the programs' format (English column names, comma separator, decimal point), whatever the language."))
@click.pass_context
def match(ctx, bundle, scenario, out_dir, top_n, backend, machine):
    """Allocate streams to needs and suggest partners (database by default)."""
    from symbiose.matching import match_to_folder, run_match, summary_text

    database = _database_url(ctx)
    from symbiose.memory import release_memory

    step = terminal_steps()
    step(_("Reading the network"))
    network, params, _name = _network_and_params(bundle, scenario, database)
    release_memory()  # what reading the bundle freed
    # the suggestions' table (economics, reasons) is built only as suggestions.csv is written
    if not out_dir:
        click.echo(summary_text(run_match(network, params, top_n=top_n, backend=backend, reasons=False)))
        return
    result, paths = match_to_folder(network, params, out_dir, top_n=top_n, backend=backend, machine=machine,
                                    step=step)  # fmt: skip
    click.echo(summary_text(result))
    for path in paths:
        click.echo(_("wrote {path}").format(path=path))


def sweep_options(command):
    """--workers and --cluster: where the independent solves of a sweep run."""
    command = click.option(
        "--cluster", metavar=N_("ADDRESS"), default=None,
        help=N_("Dask scheduler (tcp://host:8786) to run the solves on; default $SYMBIOSE_CLUSTER, else this machine."),
    )(command)  # fmt: skip
    return click.option(
        "--workers", type=click.IntRange(1, 512), default=None,
        help=N_("Processes on this machine (default $SYMBIOSE_WORKERS, else one per core)."),
    )(command)  # fmt: skip


def terminal_steps() -> Callable[[str], None]:
    """A callback that shows each step of a long command on stderr with the seconds elapsed
    (``[12,4 s] Allocating...``), on a terminal only: files and pipes get the results alone."""
    if not sys.stderr.isatty():
        return lambda label: None
    import time

    from symbiose.i18n import fmt_decimal

    started = time.perf_counter()

    def show(label: str) -> None:
        elapsed = fmt_decimal(round(time.perf_counter() - started, 1), 1)
        click.echo(_("[{seconds} s] {step}…").format(seconds=elapsed, step=label), err=True)

    return show


@contextmanager
def terminal_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback drawing a bar on stderr (the results stay alone on stdout)."""
    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@click.command(cls=LocalisedCommand, help=N_("Run scenarios side by side (a file runs itself and its variants; FILE#VARIANT for one). The first scenario is the reference of the differences: name it first (a file named twice runs once)."))
@click.argument("scenarios", nargs=-1, required=True)
@click.option("--bundle", type=click.Path(exists=True), help=N_("Use this bundle as every scenario's base."))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help=N_("Write comparison.csv/json and synergy_changes.csv here."))
@click.option("--machine-readable", "machine", is_flag=True,
              help=N_("Write the files in the programs' format (English column names, comma separator, decimal point), whatever the language."))
@sweep_options
@click.pass_context
def compare(ctx, scenarios, bundle, out_dir, machine, workers, cluster):
    """Run scenarios side by side (a file runs itself and its variants; FILE#VARIANT for one)."""
    from symbiose.compare import compare_scenarios, format_table

    database = _database_url(ctx)
    with terminal_progress(_("Running the scenarios")) as progress:
        comparison = compare_scenarios(list(scenarios), lambda base: load_base(bundle or base, database),
                                       workers=workers, progress=progress, cluster=cluster)  # fmt: skip
    click.echo(format_table(comparison))
    if out_dir:
        for path in comparison.write(out_dir, machine=machine):
            click.echo(_("wrote {path}").format(path=path))


@click.command(cls=LocalisedCommand, help=N_("Wastes with no local outlet and where a new processor would capture them."))
@click.option("--bundle", type=click.Path(exists=True), help=N_("Use a bundle instead of the database."))
@click.option("--scenario", help=N_("Scenario to start from."))
@click.option("--radius", "radius_km", default=30.0, show_default=True, help=N_("Road radius a new processor would serve (km)."))
@click.option("--min-tonnes", default=100.0, show_default=True, help=N_("Smallest unserved tonnage worth a processor."))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help=N_("Write opportunities.csv and one scenario file per opportunity."))
@click.option("--machine-readable", "machine", is_flag=True,
              help=N_("Write the files in the programs' format (English column names, comma separator, decimal point), whatever the language."))
@click.pass_context
def opportunities(ctx, bundle, scenario, radius_km, min_tonnes, out_dir, machine):
    """Wastes with no local outlet and where a new processor would capture them."""
    from symbiose.matching import run_match
    from symbiose.opportunity import find_opportunities, format_opportunities, write_opportunities

    database = _database_url(ctx)
    network, params, _name = _network_and_params(bundle, scenario, database)
    result = run_match(network, params, with_suggestions=False)  # not shown
    found = find_opportunities(result, radius_km=radius_km, min_tonnes=min_tonnes)
    click.echo(format_opportunities(found))
    if out_dir:
        base = bundle or (scenario and "demo") or "database"
        for path in write_opportunities(found, out_dir, base=str(Path(base).resolve()) if bundle else base,
                                        machine=machine):  # fmt: skip
            click.echo(_("wrote {path}").format(path=path))


@click.command(cls=LocalisedCommand, help=N_("Which synergies survive quantity changes and a partner leaving."))
@click.option("--bundle", type=click.Path(exists=True), help=N_("Use a bundle instead of the database."))
@click.option("--scenario", help=N_("Scenario to test."))
@click.option("--draws", default=30, show_default=True, type=click.IntRange(1, 1000), help=N_("How many random draws of the quantities."))
@click.option("--variation", default=0.3, show_default=True, type=click.FloatRange(0, 0.95), help=N_("Quantities vary uniformly by +/- this share."))
@click.option("--seed", default=1, show_default=True, help=N_("Seed of the draws: the same seed gives the same draws."))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help=N_("Write robustness.csv here."))
@click.option("--machine-readable", "machine", is_flag=True,
              help=N_("Write the files in the programs' format (English column names, comma separator, decimal point), whatever the language."))
@sweep_options
@click.pass_context
def robustness(ctx, bundle, scenario, draws, variation, seed, out_dir, machine, workers, cluster):
    """Which synergies survive quantity changes and a partner leaving."""
    from symbiose.robustness import robustness as run_robustness

    database = _database_url(ctx)
    network, params, _name = _network_and_params(bundle, scenario, database)
    with terminal_progress(_("Solving the varied networks")) as progress:
        table = run_robustness(network, params, draws=draws, variation=variation, seed=seed,
                               workers=workers, progress=progress, cluster=cluster)  # fmt: skip
    from symbiose.cli import echo_frame

    echo_frame(table)
    if out_dir:
        from symbiose.result_files import write_result_csv
        from symbiose.safe_output import atomic_folder

        with atomic_folder(out_dir) as out:
            write_result_csv(table, out / "robustness.csv", machine=machine)
        click.echo(_("wrote {path}").format(path=Path(out_dir) / "robustness.csv"))


@click.command(cls=LocalisedCommand, help=N_("A shareable impact report (HTML, printable) with exports (CSV, Excel, GeoJSON)."))
@click.option("--bundle", type=click.Path(exists=True), help=N_("Use a bundle instead of the database."))
@click.option("--scenario", "scenario_files", multiple=True, help=N_("Scenario files to compare in the report (repeatable)."))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help=N_("Folder of the report and its exports."))
@click.option("--edition", type=click.Choice(["public", "officer"]), default="public", show_default=True,
              help=N_("public: indicators and anonymised flows, no company data (safe to share); officer: the "
                      "confidential report with company sheets, map and every export."))
@click.pass_context
def report(ctx, bundle, scenario_files, out_dir, edition):
    """A shareable impact report (HTML, printable) with exports (CSV, Excel, GeoJSON)."""
    from symbiose.report import build_report

    database = _database_url(ctx)
    network = load_base(bundle or "database", database)
    paths = build_report(network, out_dir, scenario_files=list(scenario_files),
                         load_base=lambda base: load_base(bundle or base, database), edition=edition)  # fmt: skip
    for path in paths:
        click.echo(_("wrote {path}").format(path=path))


COMMANDS = [match, compare, opportunities, robustness, report]


def dump_json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=float)
