"""`commons`: run, report, validate and list batch experiments; discover scenarios (`cli_discover`).
The console script enters through `sim.commands`, which adds the later layers' commands.

Exit codes (`EXIT_CODES`, docs/experiments.md): 0 success; 1 failure while running (file system,
cluster, an unexpected error); 2 bad input (experiment file, option, scheduler address, a results
folder that cannot be resumed or is in use); 130 interrupted by SIGINT (Ctrl-C); 143 stopped by
SIGTERM. Every error is one line on stderr; COMMONS_DEBUG=1 adds the traceback.

This module imports nothing heavy at the top, so that SIGINT during start-up is already handled.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from sim.experiment import interrupts  # signals only: light, and needed before anything else
from sim.experiment.cli_types import folder as _folder
from sim.experiment.cli_types import whole as _whole
from sim.experiment.errors import DEFAULT_CONNECT_TIMEOUT, MAX_CONNECT_TIMEOUT
from sim.experiment.limits import MAX_COUNT

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143
# This layer's commands. A command whose code sits in a later layer (`commons calibrate`, in
# sim.validation) is passed in by `sim.commands`, above every layer, as a module with NAME,
# add_parser and run: this module never imports upwards (docs/architecture.md).
COMMANDS = ("run", "report", "validate", "list", "discover")
EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_FAILURE: "failure while running (file system, cluster, unexpected error)",
    EXIT_BAD_INPUT: "bad input (experiment file, option, results folder in use or not resumable)",
    EXIT_INTERRUPTED: "interrupted by SIGINT (Ctrl-C); run the same command again to resume",
    EXIT_TERMINATED: "stopped by SIGTERM; run the same command again to resume",
}


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 on bad arguments in one line, as every other bad input does (the
    usage argparse would print first is one `--help` away)."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(extra: Sequence[ModuleType] = ()) -> argparse.ArgumentParser:
    """The parser of `commons`: this layer's commands and the `extra` command modules."""
    # Long but flat: one add_argument call per command-line option, in the order of --help.
    parser = _Parser(
        prog="commons",
        description="Batch experiments of the care-commons model: declared in TOML files "
        "(see docs/experiments.md), run locally or on a Dask cluster, resumable, with a report.",
        epilog="Exit codes: 0 success, 1 failure while running, 2 bad input, 130 interrupted "
        "(Ctrl-C), 143 terminated (SIGTERM); COMMONS_DEBUG=1 shows tracebacks.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    run = sub.add_parser(
        "run",
        help="run (or resume) an experiment and write its report",
        description="Run an experiment file into a results folder and write its report. Running "
        "the same command again after an interruption resumes: only missing chunks run.",
    )
    run.add_argument(
        "file", metavar="FILE", help="experiment file (TOML), or the name of a shipped experiment"
    )
    run.add_argument(
        "--out",
        metavar="DIR",
        type=_folder,
        help="results folder (default: results/<experiment name>)",
    )
    run.add_argument(
        "--replicates",
        metavar="N",
        type=_whole(1, MAX_COUNT),
        help="override the file's replicates (quick looks, tests)",
    )
    run.add_argument(
        "--place-file",
        metavar="FILE",
        help="run on this place file (docs/place_files.md) instead of the file's place_file",
    )
    run.add_argument(
        "--chunk-size",
        metavar="N",
        type=_whole(1, MAX_COUNT),
        help="override the file's runs per chunk (the unit of writing and resuming)",
    )
    run.add_argument(
        "--engine", choices=("local", "dask"), default="local", help="where to run (default local)"
    )
    run.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="address of the dask.distributed scheduler (with --engine dask)",
    )
    run.add_argument(
        "--connect-timeout",
        metavar="SECONDS",
        type=_whole(1, int(MAX_CONNECT_TIMEOUT)),
        help=f"whole seconds to wait for the scheduler to answer (with --engine dask; default "
        f"{DEFAULT_CONNECT_TIMEOUT:g})",
    )
    run.add_argument(
        "--threads",
        metavar="N",
        type=_whole(),
        help="numba threads for the local engine (default: all cores); results do not depend on it",
    )
    run.add_argument(
        "--force", action="store_true", help="delete existing results in DIR and start over"
    )
    run.add_argument(
        "--restart-stale",
        action="store_true",
        help="start over when DIR holds results of another version of the model or of FILE "
        "(instead of refusing to mix them); resume otherwise",
    )
    run.add_argument("--no-report", action="store_true", help="skip writing the report")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar or messages")

    rep = sub.add_parser(
        "report",
        help="rebuild the report of a results folder",
        description="Rebuild report.md, figures/ and tables/ from the Parquet files in DIR.",
    )
    rep.add_argument("dir", metavar="DIR", type=_folder, help="results folder")
    rep.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")

    val = sub.add_parser(
        "validate",
        help="check an experiment file without running it",
        description="Validate an experiment file; print its plan. Exit 2 with a message naming "
        "the file, key, value and what is allowed if it is invalid.",
    )
    val.add_argument("file", metavar="FILE", help="experiment file (TOML) or shipped name")
    val.add_argument("--replicates", metavar="N", type=_whole(1, MAX_COUNT), help="as for run")

    listing = sub.add_parser(
        "list",
        help="list presets, principles, parameters and shipped experiments",
        description="List rule-set presets, design principles with explanations, scenario "
        "parameters with defaults, ranges and priors, and the experiments shipped with the "
        "package (run one by name: commons run fortress_vs_shared).",
    )
    listing.add_argument(
        "--priors", action="store_true", help="list only the priors of the uncertain parameters"
    )
    from sim.experiment import cli_discover  # light: its heavy imports are inside its functions

    cli_discover.add_parser(sub)
    for module in extra:
        module.add_parser(sub)
    return parser


def _cmd_run(args) -> int:
    from sim.experiment.report import build_report
    from sim.experiment.runner import run_experiment
    from sim.experiment.spec import load_experiment

    exp = load_experiment(
        args.file,
        replicates=args.replicates,
        chunk_size=args.chunk_size,
        place_file=args.place_file,
    )
    from sim.experiment.engines import make_engine
    from sim.experiment.manifest import check_resumable_before_lock, check_target_before_lock

    connect = args.connect_timeout
    make_engine(args.engine, args.scheduler, args.threads, connect)  # bad options: before output
    out = Path(args.out) if args.out else Path("results") / exp.name
    check_target_before_lock(out)  # a stray folder: before any output; a held one: the lock says
    # A refused resume (another experiment's results, a changed file): the line alone, no plan.
    check_resumable_before_lock(exp, out, args.force, args.restart_stale)
    if not args.quiet:
        print(exp.describe(), file=sys.stderr)
        print(f"results: {out}", file=sys.stderr)
    run_experiment(
        exp,
        out,
        engine=args.engine,
        scheduler=args.scheduler,
        threads=args.threads,
        connect_timeout=connect,
        force=args.force,
        quiet=args.quiet,
        restart_stale=args.restart_stale,
    )
    if not args.no_report:
        build_report(out, quiet=args.quiet)
    if not args.quiet:
        if not args.no_report:
            from sim.experiment.report_uncertainty import print_uncertainty

            print_comparison(out)
            print_uncertainty(out, HEADLINE_OUTCOMES)
        print(f"done: {out}/report.md" if not args.no_report else f"done: {out}", file=sys.stderr)
    return EXIT_OK


HEADLINE_OUTCOMES = (
    "population_health",
    "system_deficit",
    "unmet_need",
    "acute_share_change",
    "mean_cooperation",
    "mean_trust",
)


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def print_comparison(folder: Path, outcomes=HEADLINE_OUTCOMES) -> None:
    """Print the report's comparison (mean and CI per rule set, at the experiment's confidence
    level) as a table on stdout."""
    from sim.experiment.results import outcome_table

    found = outcome_table(folder, "comparison.csv", outcomes)
    if found is None:
        return
    table, shown = found
    rules = list(dict.fromkeys(table["rules"]))
    cells = {
        (row.rules, row.outcome): f"{_num(row.mean)} [{_num(row.ci_low)}, {_num(row.ci_high)}]"
        for row in table.itertuples()
    }
    from sim.analysis.tables import fmt_level, text_grid

    ci = f"{fmt_level(float(table['level'].iloc[0]))} bootstrap CI" if "level" in table else "CI"
    print(f"\nMean over replicates [{ci}] (full tables in report.md):")
    print(text_grid(rules, shown, cells))
    print()


def _cmd_report(args) -> int:
    from sim.experiment.report import build_report
    from sim.experiment.spec import ExperimentError

    folder = Path(args.dir)
    if not (folder / "manifest.json").is_file():
        raise ExperimentError(f"{folder}: not a results folder (no manifest.json)")
    path = build_report(folder, quiet=True)
    if not args.quiet:
        print(path)
    return EXIT_OK


def _cmd_validate(args) -> int:
    from sim.experiment.spec import load_experiment

    exp = load_experiment(args.file, replicates=args.replicates)
    print(f"{args.file}: valid")
    print(exp.describe())
    return EXIT_OK


def _cmd_list(args) -> int:
    from sim.experiment.cli_list import command

    try:
        return command(args)
    except BrokenPipeError:  # the reader went away (`commons list | head`): not a failure
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush
        return EXIT_OK


def _cmd_discover(args) -> int:
    from sim.experiment.cli_discover import command

    return command(args)


def main(argv: list[str] | None = None, extra: Sequence[ModuleType] = ()) -> int:
    """The `commons` command with this layer's commands and the `extra` command modules (each with
    NAME, add_parser and run; `sim.commands.main` passes every later layer's). Returns its exit
    code (see `EXIT_CODES`); never raises."""
    with interrupts.handling():  # from here on, SIGINT and SIGTERM end the command cleanly
        return _main(argv, extra)


def _main(argv: list[str] | None, extra: Sequence[ModuleType]) -> int:
    words = sys.argv[1:] if argv is None else argv
    later = {module.NAME: module for module in extra}
    known = (*COMMANDS, *later)
    command = f"commons {words[0]}" if words and words[0] in known else "commons"
    try:
        args = build_parser(extra).parse_args(argv)
        command = f"commons {args.command}"
        handlers = {
            "run": _cmd_run,
            "report": _cmd_report,
            "validate": _cmd_validate,
            "list": _cmd_list,
            "discover": _cmd_discover,
        }
        if args.command in later:
            return later[args.command].run(args)
        return handlers[args.command](args)
    except SystemExit as exc:  # argparse: --help (0) or a bad option (2)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        return _interrupted(command, exc)
    except BaseException as exc:  # every other failure: one line, never a traceback
        if interrupts.received() is not None:  # the stop, surfacing as another error
            return _interrupted(command, interrupts.Interrupted(interrupts.received()))
        return _failure(command, exc)


def _interrupted(command: str, exc: KeyboardInterrupt) -> int:
    code = getattr(exc, "exit_code", EXIT_INTERRUPTED)
    how = "SIGTERM" if code == EXIT_TERMINATED else "SIGINT (Ctrl-C)"
    again = (
        "run the same command again to resume (complete chunks are kept)"
        if command == "commons run"
        else "run the same command again"
    )
    print(f"{command}: interrupted by {how}; {again}", file=sys.stderr)
    return code


def _failure(command: str, exc: BaseException) -> int:
    """Print one line for `exc` and return its exit code (COMMONS_DEBUG=1 adds the traceback)."""
    from sim.core.params import ParameterError
    from sim.experiment.errors import ClusterError
    from sim.experiment.extras import MissingExtra
    from sim.experiment.spec import ExperimentError

    if os.environ.get("COMMONS_DEBUG"):
        traceback.print_exception(exc)
    if isinstance(exc, ExperimentError | ParameterError):
        print(f"{command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(exc, OSError):
        print(f"{command}: failed: {os_message(exc, command)}", file=sys.stderr)
        return EXIT_FAILURE
    if isinstance(exc, ClusterError | MissingExtra):
        print(f"{command}: failed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"{command}: failed: {type(exc).__name__}: {exc} (an unexpected error; COMMONS_DEBUG=1 "
        "shows where; please report it)",
        file=sys.stderr,
    )
    return EXIT_FAILURE


_SPACE = "free some space, then run the same command again to resume"
_WRITE = "choose a folder you can write with --out, or change its permissions"
_OS_ADVICE = {
    errno.ENOSPC: _SPACE,
    errno.EDQUOT: _SPACE,
    errno.EACCES: _WRITE,
    errno.EPERM: _WRITE,
    errno.EROFS: "the file system is read-only: choose another folder with --out",
}
# `commons report` writes into the results folder itself: it has no --out.
_REPORT_ADVICE = {
    errno.EACCES: "the results folder must be writable: change its permissions, or copy it "
    "somewhere writable and run commons report there",
    errno.EPERM: "the results folder must be writable: change its permissions, or copy it "
    "somewhere writable and run commons report there",
    errno.EROFS: "the results folder is on a read-only file system: copy it somewhere writable "
    "and run commons report there",
}


def os_message(exc: OSError, command: str = "commons run") -> str:
    """One line for an operating-system error: what failed, on which file, and what to do."""
    what = exc.strerror or type(exc).__name__
    where = f" ({exc.filename})" if exc.filename else ""
    advice = (_REPORT_ADVICE if command == "commons report" else {}).get(exc.errno) or (
        _OS_ADVICE.get(exc.errno, "check the disk and the folder, then run the command again")
    )
    return f"{what}{where}; {advice}"
