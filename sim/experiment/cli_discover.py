"""`commons discover`: scenario discovery from the command line.

Runs a Latin hypercube over the priors and funding pressure (`sim.analysis.discovery`), a
treatment and a reference at every point, and writes into `--out`:

- `discovery.md`: the conditions in words, each PRIM box with its peeling trajectory, the CART
  rules, per outcome;
- `discovery.parquet` and `discovery.csv`: the design and, per point and outcome, the mean paired
  difference, the advantage and the case ("wins", "fails", "neither");
- `discovery.png`: each PRIM peeling trajectory (coverage against density), the chosen box marked.

Every option is checked before anything runs; bad input is one line and exit 2, and nothing is
written. The command holds `--out`'s lock while it runs (a second command into the same folder is
refused, exit 2). The files are written after the analysis is complete, as one set
(`sim.experiment.file_set.write_file_set`, which `commons calibrate` uses too): an earlier set in
`--out` is replaced whole or not at all, and `discovery.sha256` (written last) lists the set's
files with their sha256.
"""

from __future__ import annotations

import errno
import os
import shlex
import sys
from pathlib import Path

from sim.experiment.cli_types import folder, whole
from sim.experiment.limits import MAX_COUNT, MAX_MONTHS

FILES = ("discovery.md", "discovery.parquet", "discovery.csv", "discovery.png")
MANIFEST = "discovery.sha256"  # the complete set's files and their sha256 (`sha256sum -c`)
# Months and replicates take an experiment file's ranges (sim.experiment.limits); --points is
# capped by the largest design an experiment may have (sim.experiment.designs.MAX_POINTS).
DEFAULT_OUTCOMES = ("population_health", "system_deficit")
# The defaults of `sim.analysis.discovery`, repeated so that building the parser imports nothing
# heavy (tests/test_discovery.py checks they agree).
TREATMENT, REFERENCE, PRESSURE_RANGE = "shared_governance", "fortress", (-0.02, 0.06)


def add_parser(sub) -> None:
    """Add the `discover` command to the `commons` subparsers."""
    positive_int = whole()
    p = sub.add_parser(
        "discover",
        help="scenario discovery: where a rule set wins or fails (PRIM and CART)",
        description="Run a Latin hypercube over the priors and budget growth, a treatment and a "
        "reference rule set at every point (paired replicates), and find where the treatment "
        "wins or fails on each outcome: PRIM boxes and a CART tree, stated in words. Writes "
        "discovery.md, discovery.parquet, discovery.csv and discovery.png into --out.",
    )
    p.add_argument("--treatment", default=TREATMENT, help="rule-set preset (default %(default)s)")
    p.add_argument("--reference", default=REFERENCE, help="rule-set preset (default %(default)s)")
    p.add_argument(
        "--outcome",
        action="append",
        metavar="NAME",
        help="run summary to compare; repeat for several (default: "
        + " and ".join(DEFAULT_OUTCOMES)
        + ")",
    )
    p.add_argument("--points", type=positive_int, default=200, metavar="N", help="design points")
    p.add_argument("--replicates", type=positive_int, default=3, metavar="N", help="per point")
    p.add_argument("--months", type=positive_int, default=120, metavar="N", help="per run")
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="seed of the design; point i runs with base seed N + i (default 0)",
    )
    p.add_argument(
        "--common-seeds",
        action="store_true",
        help="run every point with base seed N (the same replicates everywhere; faster)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        action="append",
        metavar="X",
        help="the treatment wins where its advantage exceeds X, fails where it is below -X, in "
        "the outcome's units; one for every outcome or one per --outcome (default 0)",
    )
    p.add_argument(
        "--budget-growth",
        type=float,
        nargs=2,
        default=PRESSURE_RANGE,
        metavar=("LOW", "HIGH"),
        help="range of budget_growth in the design (default %(default)s)",
    )
    _add_rule_options(p, positive_int)
    p.add_argument("--threads", type=positive_int, metavar="N", help="numba threads")
    p.add_argument(
        "--out", metavar="FOLDER", type=folder, default="results/discover", help="output folder"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or messages")


def _add_rule_options(p, positive_int) -> None:
    """The options of the rule induction: PRIM's box rule and inputs, CART's depth."""
    p.add_argument("--min-density", type=float, default=0.8, metavar="D", help="box rule level")
    p.add_argument("--max-depth", type=positive_int, default=3, metavar="N", help="CART depth")
    p.add_argument(
        "--prim-inputs",
        type=positive_int,
        default=8,  # sim.analysis.discovery.PRIM_INPUTS (checked by the tests)
        metavar="N",
        help="inputs PRIM may restrict, the N with the highest feature scores for each case",
    )


def _checked(args) -> dict:
    """Every option checked before anything runs; a ParameterError names the first bad one."""
    from sim.analysis import discovery as disc
    from sim.core.checks import check_int, check_seed
    from sim.core.params import ParameterError
    from sim.core.rules import PRESETS
    from sim.experiment.outcomes import NEITHER, direction

    for key in ("treatment", "reference"):
        value = getattr(args, key)
        if value not in PRESETS:
            raise ParameterError(f"--{key}={value!r}; allowed: {', '.join(PRESETS)}")
    if args.treatment == args.reference:
        raise ParameterError(f"--reference={args.reference!r} is the treatment; allowed: another")
    outcomes = disc.check_outcomes(args.outcome or DEFAULT_OUTCOMES)
    for o in outcomes:
        if o in NEITHER:
            raise ParameterError(
                f"--outcome={o!r} is neither better higher nor lower ({NEITHER[o]})"
            )
    thresholds = args.threshold or [0.0]
    if len(thresholds) not in (1, len(outcomes)):
        raise ParameterError(
            f"--threshold given {len(thresholds)} times; allowed: once, or once per --outcome "
            f"({len(outcomes)})"
        )
    thresholds = thresholds * len(outcomes) if len(thresholds) == 1 else thresholds
    options = [
        disc.check_options(t, args.min_density, 0.05, 0.05, 0.05, args.max_depth)
        for t in thresholds
    ]
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out={args.out!r} is a file; allowed: a folder")
    _check_counts(args)
    seed = check_seed(args.seed, "--seed")
    check_int(args.prim_inputs, "--prim-inputs", 1, len(disc.design_inputs()))
    points = disc.design(args.points, seed, pressure_range=args.budget_growth)
    lower = {o: direction(o) == "lower is better" for o in outcomes}
    return {"outcomes": outcomes, "options": options, "points": points, "lower": lower, "out": out}


def _check_counts(args) -> None:
    """--points, --replicates and --months inside the ranges an experiment file has, and no more
    runs than an experiment may make (`sim.experiment.limits.MAX_RUNS`), before anything is made."""
    from sim.analysis.discovery import MIN_POINTS
    from sim.core.checks import check_int
    from sim.core.params import ParameterError
    from sim.experiment.designs import MAX_POINTS
    from sim.experiment.limits import MAX_RUNS

    points = check_int(args.points, "--points", MIN_POINTS, MAX_POINTS)
    replicates = check_int(args.replicates, "--replicates", 1, MAX_COUNT)
    check_int(args.months, "--months", 1, MAX_MONTHS)
    if args.threads is not None:  # as run_many checks it, but before the folder is made
        import numba

        check_int(args.threads, "--threads", 1, numba.config.NUMBA_NUM_THREADS)
    if 2 * points * replicates > MAX_RUNS:
        raise ParameterError(
            f"--points {points} x --replicates {replicates} x 2 rule sets = "
            f"{2 * points * replicates:,} runs; allowed: at most {MAX_RUNS:,} runs"
        )


def command(args) -> int:
    """Run `commons discover`; returns 0, or 1 after one line for a failure of the file system
    (other failures raise, for `cli._failure` to report)."""
    try:
        return _command(args)
    except OSError as exc:
        return os_failure("commons discover", exc, args.out)


def stop_if_interrupted() -> None:
    """Raise the stop (`Interrupted`) that a library swallowed, if one arrived: a KeyboardInterrupt
    raised inside a callback is dropped by Python. For commands, which run inside
    `interrupts.handling()`, between steps and before a set of files replaces the last."""
    from sim.experiment import interrupts

    signum = interrupts.received()
    if signum is not None:
        raise interrupts.Interrupted(signum)


def os_failure(command: str, exc: OSError, out: str | Path = "") -> int:
    """One line for a failure of the file system in a command that writes a set of files into
    folder `out` (nothing to resume: the earlier set is kept, the command runs again whole);
    returns exit code 1."""
    import traceback

    from sim.experiment import interrupts

    if interrupts.received() is not None:  # a stop surfacing as an OSError: the stop it was
        raise interrupts.Interrupted(interrupts.received()) from exc
    from sim.experiment.file_set import SetIncomplete

    if os.environ.get("COMMONS_DEBUG"):
        traceback.print_exception(exc)
    where = f" ({exc.filename})" if exc.filename else f" (writing into {out})" if out else ""
    advice = _OS_ADVICE.get(exc.errno, "check the disk and the folder, then run the command again")
    if isinstance(exc, SetIncomplete):
        advice = _INCOMPLETE
    print(f"{command}: failed: {exc.strerror or exc}{where}; {advice}", file=sys.stderr)
    return 1  # EXIT_FAILURE (sim.experiment.cli, which imports this module)


_INCOMPLETE = (
    "the earlier set now reads as incomplete (its manifest was removed, and some of its files may "
    "have been replaced): fix the cause, then run the same command again"
)
_SPACE = "nothing was replaced: free some space, then run the same command again"
_WRITE = "nothing was replaced: choose a folder you can write with --out, or change its permissions"
_OS_ADVICE = {
    errno.ENOSPC: _SPACE,
    errno.EDQUOT: _SPACE,
    errno.EACCES: _WRITE,
    errno.EPERM: _WRITE,
    errno.EROFS: "the file system is read-only: choose another folder with --out",
}


def _command(args) -> int:
    import warnings

    from sim.experiment.extras import require

    with warnings.catch_warnings():  # the workbench warns that ipyparallel is not installed
        warnings.simplefilter("ignore")
        require("ema_workbench.analysis.prim", "interop", "commons discover (PRIM)")
        require("sklearn.tree", "interop", "commons discover (CART)")
    from sim.analysis import discovery as disc
    from sim.experiment.file_set import command_folder

    plan = _checked(args)
    with command_folder(plan["out"], "commons discover", MANIFEST):
        return _discover(args, plan, disc)


def _discover(args, plan, disc) -> int:
    points = plan["points"]
    if not args.quiet:
        print(
            f"{len(points)} design points x {args.replicates} replicates x 2 rule sets, "
            f"{args.months} months; inputs: {', '.join(points.columns)}",
            file=sys.stderr,
        )
    frame = disc.run_pairs(
        points,
        args.treatment,
        args.reference,
        plan["outcomes"],
        replicates=args.replicates,
        months=args.months,
        seed=args.seed,
        common_seeds=args.common_seeds,
        threads=args.threads,
        progress=not args.quiet,
    )
    found = [
        disc.analyse(
            frame,
            o,
            lower_is_better=plan["lower"][o],
            inputs=list(points.columns),
            treatment=args.treatment,
            reference=args.reference,
            prim_inputs=args.prim_inputs,
            **options,
        )
        for o, options in zip(plan["outcomes"], plan["options"], strict=True)
    ]
    stop_if_interrupted()
    write(plan["out"], frame, found, _setup(args, points), check=stop_if_interrupted)
    if not args.quiet:
        for d in found:
            print(f"\n{d.outcome}:\n{d.text}", file=sys.stderr)
        print(f"\ndone: {plan['out'] / 'discovery.md'}", file=sys.stderr)
    return 0


def _setup(args, points) -> str:
    """The paragraph of discovery.md that says how it was made."""
    from sim.core.priors import resolve
    from sim.experiment.manifest import model_hash

    priors = {p.name: p for p in resolve(True)}
    ranges = [
        f"{c} {priors[c].describe()}" if c in priors else f"{c} uniform{tuple(args.budget_growth)}"
        for c in points.columns
    ]
    words = ["commons", "discover", *sys.argv[2:]] if sys.argv[1:2] == ["discover"] else None
    line = shlex.join(words) if words else "commons discover (from Python)"
    seeds = (
        f"base seed {args.seed} at every point"
        if args.common_seeds
        else f"point i with base seed {args.seed} + i"
    )
    return (
        f"Generated by `{line}` (model source hash {model_hash()}). {len(points)} design "
        f"points, a Latin hypercube (seed {args.seed}) over {'; '.join(ranges)}. At each point "
        f"{args.treatment} and {args.reference} ran {args.replicates} paired replicates of "
        f"{args.months} months (common random numbers within a point; {seeds}); the outcome of "
        "a point is the mean paired difference, treatment minus reference. PRIM: the EMA "
        "workbench (Friedman and Fisher 1999; Bryant and Lempert 2010); CART: scikit-learn."
    )


def write(out: Path, frame, found, setup: str, check=None) -> None:
    """Write the four files of `commons discover` into `out`, as one set (`write_file_set`)."""
    from sim.analysis.discovery_figure import png_bytes, trajectory_figure
    from sim.experiment.store import parquet_bytes

    table = frame.copy()
    for d in found:
        table[f"{d.outcome}_advantage"] = d.frame["advantage"].to_numpy()
        table[f"{d.outcome}_case"] = d.frame["case"].to_numpy()
    text = ["# Scenario discovery", "", setup, ""]
    text += [f"![PRIM peeling trajectories]({FILES[3]})", ""]
    for d in found:
        text += [d.markdown(2), ""]
    files = {
        FILES[1]: parquet_bytes(table),
        FILES[2]: table.to_csv(index=False).encode("utf-8"),
        FILES[3]: png_bytes(trajectory_figure(found)),
        FILES[0]: "\n".join(text).encode("utf-8"),  # the report last
    }
    from sim.experiment.file_set import write_file_set

    write_file_set(out, files, MANIFEST, check=check)
