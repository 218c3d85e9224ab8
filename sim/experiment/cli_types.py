"""The argparse types of `commons`' options: a whole number in a range, a folder's path. Each
refuses in one line naming the value and what is allowed (argparse adds the option)."""

from __future__ import annotations

import argparse
import contextlib


def whole(low: int = 1, high: int | None = None):
    """An argparse type: a whole number in [low, high] (argparse names the option)."""
    allowed = f"a whole number >= {low}" if high is None else f"a whole number from {low} to {high}"

    def parse(text: str) -> int:
        from sim.core.checks import ParameterError, check_int

        with contextlib.suppress(ValueError, ParameterError):  # not an integer, or out of range
            return check_int(int(text), "value", low, high)  # the project's one integer check
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: {allowed}")

    return parse


def folder(text: str) -> str:
    """An argparse type: a folder's path, not empty (an empty one would name the working folder,
    or stand for the default, unnoticed)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; allowed: a folder's path")
    return text
