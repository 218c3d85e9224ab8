#!/usr/bin/env python3
"""Fetch axe-core (the accessibility checker the browser tests inject into the page) from the npm
registry into the environment: ``<sys.prefix>/share/axe/axe-core@VERSION/axe.min.js``.

Run at set-up time (``make .venv`` and ``make test`` call it), never while the app runs; the app
itself does not load axe-core. Idempotent: a version already unpacked is skipped. Uses
``npm pack`` like ``scripts/setup_solara_assets.py`` (whose helpers it shares).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup_solara_assets import SetupError, install_package

AXE_CORE_VERSION = "4.10.3"  # pinned: a new axe-core may add rules and fail the check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dest",
        type=Path,
        default=Path(sys.prefix) / "share" / "axe",
        help="folder for axe-core@VERSION/ (default: %(default)s)",
    )
    parser.add_argument("--version", default=AXE_CORE_VERSION, help="axe-core version")
    args = parser.parse_args(argv)
    try:
        print(install_package(shutil.which("npm"), "axe-core", args.version, args.dest, False))
    except SetupError as exc:
        print(f"setup_axe_core: ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
