"""`commons`: run, report, validate and list batch experiments.

Exit codes: 0 success, 2 bad input (invalid experiment file or option, results folder that cannot
be resumed), 1 failure while running, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 on bad arguments with the usage (as argparse does), kept explicit."""

    def error(self, message):  # pragma: no cover - argparse behaviour
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    """An option's integer >= 1 (argparse names the option in its message)."""
    from sim.core.checks import check_int
    from sim.core.params import ParameterError

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    try:
        return check_int(value, "value", 1)
    except ParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    # Long but flat: one add_argument call per command-line option, in the order of --help.
    parser = _Parser(
        prog="commons",
        description="Batch experiments of the care-commons model: declared in TOML files "
        "(see docs/experiments.md), run locally or on a Dask cluster, resumable, with a report.",
        epilog="Exit codes: 0 success, 2 bad input, 1 failure.",
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
        help="results folder (default: results/<experiment name>)",
    )
    run.add_argument(
        "--replicates",
        metavar="N",
        type=_positive_int,
        help="override the file's replicates (quick looks, tests)",
    )
    run.add_argument(
        "--chunk-size",
        metavar="N",
        type=_positive_int,
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
        "--threads",
        metavar="N",
        type=_positive_int,
        help="numba threads for the local engine (default: all cores); results do not depend on it",
    )
    run.add_argument(
        "--force", action="store_true", help="delete existing results in DIR and start over"
    )
    run.add_argument("--no-report", action="store_true", help="skip writing the report")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar or messages")

    rep = sub.add_parser(
        "report",
        help="rebuild the report of a results folder",
        description="Rebuild report.md, figures/ and tables/ from the Parquet files in DIR.",
    )
    rep.add_argument("dir", metavar="DIR", help="results folder")
    rep.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")

    val = sub.add_parser(
        "validate",
        help="check an experiment file without running it",
        description="Validate an experiment file; print its plan. Exit 2 with a message naming "
        "the file, key, value and what is allowed if it is invalid.",
    )
    val.add_argument("file", metavar="FILE", help="experiment file (TOML) or shipped name")
    val.add_argument("--replicates", metavar="N", type=_positive_int, help="as for run")

    sub.add_parser(
        "list",
        help="list presets, principles, parameters and shipped experiments",
        description="List rule-set presets, design principles with explanations, scenario "
        "parameters with defaults and ranges, and the experiments shipped with the package "
        "(run one by name: commons run fortress_vs_shared).",
    )
    return parser


def _cmd_run(args) -> int:
    from sim.experiment.report import build_report
    from sim.experiment.runner import run_experiment
    from sim.experiment.spec import load_experiment

    exp = load_experiment(args.file, replicates=args.replicates, chunk_size=args.chunk_size)
    if args.engine == "dask" and not args.scheduler:
        from sim.experiment.spec import ExperimentError

        raise ExperimentError("--engine dask needs --scheduler tcp://HOST:PORT")
    if args.scheduler and args.engine != "dask":
        from sim.experiment.spec import ExperimentError

        raise ExperimentError("--scheduler is only used with --engine dask")
    out = Path(args.out) if args.out else Path("results") / exp.name
    if not args.quiet:
        print(exp.describe(), file=sys.stderr)
        print(f"results: {out}", file=sys.stderr)
    run_experiment(
        exp,
        out,
        engine=args.engine,
        scheduler=args.scheduler,
        threads=args.threads,
        force=args.force,
        quiet=args.quiet,
    )
    if not args.no_report:
        build_report(out, quiet=args.quiet)
    if not args.quiet:
        if not args.no_report:
            print_comparison(out)
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
    import pandas as pd

    path = Path(folder) / "tables" / "comparison.csv"
    if not path.exists():
        return
    table = pd.read_csv(path)
    table = table[table["outcome"].isin(outcomes)]
    if table.empty:
        return
    shown = [o for o in outcomes if o in set(table["outcome"])]
    rules = list(dict.fromkeys(table["rules"]))
    cells = {
        (row.rules, row.outcome): f"{_num(row.mean)} [{_num(row.ci_low)}, {_num(row.ci_high)}]"
        for row in table.itertuples()
    }
    widths = [max(len(o), *(len(cells.get((r, o), "")) for r in rules)) for o in shown]
    first = max(len("rule set"), *(len(r) for r in rules))
    from sim.analysis.tables import fmt_level

    ci = f"{fmt_level(float(table['level'].iloc[0]))} bootstrap CI" if "level" in table else "CI"
    print(f"\nMean over replicates [{ci}] (full tables in report.md):")
    print(
        "  ".join(
            ["rule set".ljust(first)] + [o.ljust(w) for o, w in zip(shown, widths, strict=True)]
        )
    )
    for r in rules:
        row = [cells.get((r, o), "").ljust(w) for o, w in zip(shown, widths, strict=True)]
        print("  ".join([r.ljust(first), *row]).rstrip())
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
    from sim.core.params import PARAMETERS, SCENARIO_DEFAULTS
    from sim.core.rules import PRESETS, PRINCIPLES
    from sim.experiment.spec import load_experiment, shipped_experiments

    print("Rule-set presets:")
    for name, rs in PRESETS.items():
        on = [p for p, v in rs.principles_on().items() if v]
        print(f"  {name:22s} principles on: {', '.join(on) if on else 'none'}")
    print("\nDesign principles (ablate with without = [...] or an [ablation] table):")
    for name, spec in PRINCIPLES.items():
        print(f"  {name:24s} levers: {', '.join(spec['levers'])}")
        print(f"  {'':24s} {spec['explain']}")
    print("\nScenario parameters (name, default, allowed, scenarios: description):")
    for p in PARAMETERS:
        extra = {s: d[p.name] for s, d in SCENARIO_DEFAULTS.items() if p.name in d}
        default = f"{p.default:g}" + (
            " (" + ", ".join(f"{s}: {v:g}" for s, v in extra.items()) + ")" if extra else ""
        )
        print(f"  {p.name:24s} {default:14s} {p.allowed():26s} {','.join(p.scenarios)}: {p.doc}")
    print("\nShipped experiments:")
    for path in shipped_experiments():
        try:
            exp = load_experiment(path)
            print(f"  {path.name:34s} {exp.n_runs:>8d} runs  {exp.description.strip()[:70]}")
        except Exception as exc:  # listing must not fail on one bad file
            print(f"  {path.name:34s} INVALID: {exc}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from sim.core.params import ParameterError
    from sim.experiment.extras import MissingExtra
    from sim.experiment.spec import ExperimentError

    handlers = {
        "run": _cmd_run,
        "report": _cmd_report,
        "validate": _cmd_validate,
        "list": _cmd_list,
    }
    try:
        return handlers[args.command](args)
    except (ExperimentError, ParameterError) as exc:
        print(f"commons {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MissingExtra as exc:
        print(f"commons {args.command}: failed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(
            f"commons {args.command}: interrupted; run the same command again to resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except Exception as exc:  # the CLI reports every failure as exit 1
        if not getattr(args, "quiet", False):
            traceback.print_exc()
        print(f"commons {args.command}: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
