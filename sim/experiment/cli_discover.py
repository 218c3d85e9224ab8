"""`commons discover`: scenario discovery from the command line.

Runs a Latin hypercube over the priors and funding pressure (`sim.analysis.discovery`), a
treatment and a reference at every point, and writes into `--out`:

- `discovery.md`: the conditions in words, each PRIM box with its peeling trajectory, the CART
  rules, per outcome;
- `discovery.parquet` and `discovery.csv`: the design and, per point and outcome, the mean paired
  difference, the advantage and the case ("wins", "fails", "neither");
- `discovery.png`: each PRIM peeling trajectory (coverage against density), the chosen box marked.

Every option is checked before anything runs; bad input is one line and exit 2, and nothing is
written. Files are written atomically (`sim.experiment.store`), after the analysis is complete.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

FILES = ("discovery.md", "discovery.parquet", "discovery.csv", "discovery.png")
DEFAULT_OUTCOMES = ("population_health", "system_deficit")
# The defaults of `sim.analysis.discovery`, repeated so that building the parser imports nothing
# heavy (tests/test_discovery.py checks they agree).
TREATMENT, REFERENCE, PRESSURE_RANGE = "shared_governance", "fortress", (-0.02, 0.06)


def add_parser(sub, positive_int) -> None:
    """Add the `discover` command to the `commons` subparsers."""
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
    p.add_argument("--out", metavar="FOLDER", default="results/discover", help="output folder")
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
    check_int(args.points, "--points", disc.MIN_POINTS)
    points = disc.design(
        args.points, check_seed(args.seed, "--seed"), pressure_range=args.budget_growth
    )
    lower = {o: direction(o) == "lower is better" for o in outcomes}
    return {"outcomes": outcomes, "options": options, "points": points, "lower": lower, "out": out}


def command(args) -> int:
    """Run `commons discover`; returns 0 (failures raise, for `cli._failure` to report)."""
    import warnings

    from sim.experiment.extras import require

    with warnings.catch_warnings():  # the workbench warns that ipyparallel is not installed
        warnings.simplefilter("ignore")
        require("ema_workbench.analysis.prim", "interop", "commons discover (PRIM)")
        require("sklearn.tree", "interop", "commons discover (CART)")
    from sim.analysis import discovery as disc

    plan = _checked(args)
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
    write(plan["out"], frame, found, _setup(args, points))
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


def write(out: Path, frame, found, setup: str) -> None:
    """Write the four files of `commons discover` into `out`, each atomically."""
    from sim.experiment.store import (
        atomic_savefig,
        atomic_write_bytes,
        atomic_write_csv,
        atomic_write_parquet,
    )

    table = frame.copy()
    for d in found:
        table[f"{d.outcome}_advantage"] = d.frame["advantage"].to_numpy()
        table[f"{d.outcome}_case"] = d.frame["case"].to_numpy()
    text = ["# Scenario discovery", "", setup, ""]
    text += [f"![PRIM peeling trajectories]({FILES[3]})", ""]
    for d in found:
        text += [d.markdown(2), ""]
    figure = trajectory_figure(found)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_parquet(out / FILES[1], table)
    atomic_write_csv(out / FILES[2], table)
    atomic_savefig(figure, out / FILES[3])
    atomic_write_bytes(out / FILES[0], "\n".join(text).encode("utf-8"))


def trajectory_figure(found):
    """Coverage against density along each PRIM peeling trajectory, the chosen box ringed."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 3.4 * len(found)))
    axes = fig.subplots(len(found), 2, squeeze=False)
    for row, d in zip(axes, found, strict=True):
        for ax, case in zip(row, ("fails", "wins"), strict=True):
            box = d.boxes.get(case)
            what = "does worse" if case == "fails" else "wins"
            ax.set_title(f"{d.outcome}: {d.treatment} {what}", fontsize=9)
            ax.set_xlabel("coverage")
            ax.set_ylabel("density")
            ax.set_xlim(0, 1.02)
            ax.set_ylim(0, 1.02)
            if box is None:
                ax.text(0.5, 0.5, "no box", ha="center", va="center")
                continue
            t = box.trajectory
            dots = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=14)
            chosen = t.loc[box.index]
            ax.scatter(
                [chosen["coverage"]],
                [chosen["density"]],
                s=120,
                facecolors="none",
                edgecolors="red",
            )
            fig.colorbar(dots, ax=ax, label="restricted inputs")
    fig.tight_layout()
    return fig
