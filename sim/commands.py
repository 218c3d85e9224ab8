"""The `commons` command whole: the experiment layer's commands and those of the layers above it.

`sim.experiment.cli` holds the command line (run, report, validate, list, discover) and may not
import a later layer; this module, beside the package's facade above every layer, hands it the
later layers' command modules (each with NAME, add_parser and run). The console script
(`sim.console`) and anyone driving the CLI from Python call `main` here.
"""

from __future__ import annotations

from sim.experiment import cli
from sim.validation import calibration_cli  # light: the model and optuna load when it runs

# Command modules of layers above the experiment layer, in the order of `commons --help`.
LATER = (calibration_cli,)


def main(argv: list[str] | None = None) -> int:
    """Run `commons` with `argv` (default: the process's arguments); returns the exit code."""
    return cli.main(argv, extra=LATER)


if (
    __name__ == "__main__"
):  # python -m sim.commands, as the console script without its early signals
    raise SystemExit(main())
