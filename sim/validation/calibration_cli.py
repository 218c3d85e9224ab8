"""`commons calibrate`: fit chosen parameters to the NHS targets and write the calibration's
files. `sim.commands` passes this module to `sim.experiment.cli` (which sits in a layer below
and may not import it) as a command: NAME, add_parser and run.

This module imports nothing heavy at the top; the model and optuna load when the command runs.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

NAME = "calibrate"
HELP = "fit parameters to published NHS figures and check them out of sample"


def add_parser(sub) -> None:
    """Add the `calibrate` command to the subparsers of `commons`."""
    from sim.experiment.cli_types import folder as _folder
    from sim.experiment.cli_types import whole as _whole
    from sim.validation.calibration_targets import DEFAULT_CHECK_ON, DEFAULT_FIT_ON

    cal = sub.add_parser(
        NAME,
        help=HELP,
        description="Fit chosen parameters to published NHS figures (fortress rules, the "
        "default place world from April 2010, scaled to England) with optuna, check the fit on "
        "targets it was not fitted to, and write calibration.md, figures, the trials table and "
        "a priors block (docs/calibration.md). Bad input exits 2.",
    )
    cal.add_argument(
        "--parameters",
        metavar="NAME[=LOW:HIGH],...",
        help="parameters to fit, with optional search ranges (default: spillover, "
        "health_need_elasticity, discharge_delay, tariff_efficiency, induced_demand)",
    )
    cal.add_argument(
        "--fit-on",
        metavar="TARGET,...",
        help=f"targets fitted to (default: {', '.join(DEFAULT_FIT_ON)})",
    )
    cal.add_argument(
        "--check-on",
        metavar="TARGET,...",
        help=f"targets checked out of sample (default: {', '.join(DEFAULT_CHECK_ON)}; "
        "'none' for none)",
    )
    cal.add_argument(
        "--trials", metavar="N", type=_whole(), default=100, help="default 100, at most 10,000"
    )
    cal.add_argument(
        "--replicates", metavar="N", type=_whole(), default=4, help="runs per trial, default 4"
    )
    cal.add_argument(
        "--seed", metavar="N", type=int, default=1, help="seed of runs and sampler (0 to 2**63-1)"
    )
    cal.add_argument(
        "--out",
        metavar="DIR",
        type=_folder,
        default="results/calibration",
        help="folder for the files",
    )
    cal.add_argument("--list-targets", action="store_true", help="list the targets and stop")
    cal.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")


def _names(text: str | None, what: str) -> list[str] | None:
    if text is None:
        return None
    from sim.core.params import ParameterError

    names = [n.strip() for n in text.split(",")]
    if names == ["none"] and what == "--check-on":
        return []
    if not any(names):
        raise ParameterError(f"{what}={text!r} names nothing; allowed: comma-separated names")
    if not all(names):
        raise ParameterError(
            f"{what}={text!r} has an empty name; allowed: comma-separated names, none empty"
        )
    return names


def parse_parameters(text: str | None):
    """`NAME[=LOW:HIGH],...` as {name: (low, high) or None}; None when not given."""
    from sim.core.params import ParameterError

    if text is None:
        return None
    out: dict[str, tuple[float, float] | None] = {}
    for item in _names(text, "--parameters"):
        name, _, span = item.partition("=")
        if name in out:
            raise ParameterError(
                f"--parameters {text!r} names {name!r} twice; allowed: each parameter once"
            )
        if not span:
            out[name] = None
            continue
        lo, sep, hi = span.partition(":")
        try:
            if not sep:
                raise ValueError
            out[name] = (float(lo), float(hi))
        except ValueError:
            raise ParameterError(
                f"--parameters {item!r}: the range is not LOW:HIGH; allowed: e.g. spillover=0.3:1.4"
            ) from None
    return out


def run(args) -> int:
    """Run `commons calibrate`: exit code 0, or 1 after one line for a failure of the file system
    (the earlier files kept); bad input raises ParameterError (exit 2)."""
    from sim.experiment.cli_discover import os_failure

    try:
        return _run(args)
    except OSError as exc:
        return os_failure(f"commons {NAME}", exc, args.out)


def _run(args) -> int:
    from sim.core.checks import check_int, check_seed
    from sim.core.params import ParameterError
    from sim.validation import calibration as cal
    from sim.validation.calibration_targets import DEFAULT_CHECK_ON, DEFAULT_FIT_ON, TARGETS

    if args.list_targets:
        for t in TARGETS:
            print(f"{t.name:20s} {t.value:g} {t.unit} ({t.status}): {t.label}")
        return 0
    check_int(args.trials, "--trials", 2, cal.MAX_TRIALS)
    check_int(args.replicates, "--replicates", 1, cal.MAX_REPLICATES)
    cal.check_runs(args.trials, args.replicates, ("--trials", "--replicates"))
    check_seed(args.seed, "--seed")
    params = parse_parameters(args.parameters)
    space = cal.resolve_parameters(
        cal.DEFAULT_PARAMETERS if params is None else params, "--parameters"
    )
    fit = cal.resolve_targets(_names(args.fit_on, "--fit-on") or DEFAULT_FIT_ON, "--fit-on")
    check_names = _names(args.check_on, "--check-on")
    if check_names is None:  # the default checks, less any target now fitted
        check_names = [n for n in DEFAULT_CHECK_ON if n not in {t.name for t in fit}]
    check = cal.resolve_targets(check_names, "--check-on")
    cal.check_split(fit, check)  # before the lock makes the folder: bad input writes nothing
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {out} exists and is not a folder; allowed: a folder")
    from sim.experiment.extras import require
    from sim.experiment.file_set import command_folder
    from sim.validation.calibration_report import MANIFEST

    require("optuna", "calibration", f"commons {NAME}")  # before the folder is made
    with command_folder(out, f"commons {NAME}", MANIFEST):  # one command at a time writes it
        return _calibrate(args, cal, space, fit, check, out)


def _calibrate(args, cal, space, fit, check, out) -> int:
    from sim.experiment.cli_discover import stop_if_interrupted

    result = cal.calibrate(
        space,
        fit_on=fit,
        check_on=check,
        trials=args.trials,
        replicates=args.replicates,
        seed=args.seed,
        progress=not args.quiet,
        checkpoint=stop_if_interrupted,
    )
    from sim.validation.calibration_report import write_calibration

    command = "commons " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    stop_if_interrupted()
    command = command if sys.argv[1:2] == ["calibrate"] else ""
    write_calibration(result, out, command, check=stop_if_interrupted)
    if not args.quiet:
        print(
            f"best loss {result.best_loss:.3g} at "
            + ", ".join(f"{k}={v:.4g}" for k, v in result.best.items())
        )
        cols = ["target", "role", "published", "model", "z"]
        print(result.fitted[cols].to_string(index=False, float_format=lambda v: f"{v:.3g}"))
        print(f"done: {out}/calibration.md", file=sys.stderr)
    return 0
