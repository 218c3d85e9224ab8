"""Integer, seed and nesting checks: one helper each, for every layer that takes them from a user.

`check_int(value, name, low, high)` accepts a Python or NumPy integer (not a bool, not a float,
not even 12.0) in [low, high]; `check_seed(value, name)` is `check_int` over the one range every
seed and run key has: [0, MAX_SEED], the non-negative 64-bit integers (the kernel stores seeds and
run keys as int64). Both raise `ParameterError` with one line naming the key, the value and what is
allowed, and return a plain `int`.

`too_deep_line(text)` and `too_deep_key(data)` bound the nesting of a user's TOML file (an
experiment file, a place file) to `MAX_DEPTH` levels, before and after parsing; `too_deep_text`
and `too_deep_data` say what is wrong in the words both files' errors use. `printable(text)`
keeps a user's text on one line of a message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from sim.core.params import ParameterError

MAX_SEED = 2**63 - 1  # seeds and run keys are stored as int64; every entry point takes this range


def _allowed(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"an integer in [{low}, {high}]"
    if low is not None:
        return f"an integer >= {low}"
    if high is not None:
        return f"an integer <= {high}"
    return "an integer"


def _show(value: object) -> str:
    text = repr(value.item() if isinstance(value, np.generic) else value)  # -4, not np.int64(-4)
    return text if len(text) <= 80 else text[:77] + "..."


def check_int(value, name: str, low: int | None = None, high: int | None = None) -> int:
    """`value` as an int if it is an integer (Python or NumPy, not bool) in [low, high].

    A bound of None is open. Floats are refused even when whole (12.0): a count or a seed given as
    a float has usually lost precision or meaning on the way.
    """
    allowed = _allowed(low, high)
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise ParameterError(
            f"{name}={_show(value)} has type {type(value).__name__}; allowed: {allowed}"
        )
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise ParameterError(f"{name}={_show(value)} is out of range; allowed: {allowed}")
    return number


def check_seed(value, name: str = "seed") -> int:
    """A seed or run key: an integer in [0, MAX_SEED] (the same range everywhere)."""
    return check_int(value, name, 0, MAX_SEED)


def fresh_seed() -> int:
    """A random seed, for when the user gives none (recorded in `model.seed`)."""
    return int(np.random.SeedSequence().entropy % (MAX_SEED + 1))


# Arrays and tables in a user's TOML file (an experiment or a place file) nest at most this deep
# (the deepest key either format uses, an experiment's design.parameters.NAME.low, is 4).
MAX_DEPTH = 16
# Strings, comments and the brackets that open or close arrays and inline tables.
_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""(?!")|\'\'\'.*?\'\'\'(?!\')|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\''
    r"|#[^\n]*|[\[\]{}]",
    re.DOTALL,
)


def too_deep_line(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The line of TOML `text` where arrays or inline tables first nest more than `limit` deep,
    or None. Counted before parsing: tomllib parses them by recursion, which a deep enough file
    exhausts."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return text.count("\n", 0, match.start()) + 1
        elif token in ("]", "}"):
            depth = max(0, depth - 1)
    return None


def too_deep_key(data: dict, limit: int = MAX_DEPTH) -> tuple[list[str | int], int] | None:
    """The first key of parsed TOML `data` nested more than `limit` tables and arrays deep (its
    path, table keys and array indices, and its depth), or None. Iterative, so no depth (a table
    header `[a.a.a...]` of a thousand keys parses fine) can exhaust the stack."""
    stack: list[tuple[list[str | int], object]] = [([], data)]
    while stack:
        path, value = stack.pop()
        if len(path) > limit:
            return path, len(path)
        if isinstance(value, dict):
            stack += [([*path, k], v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [([*path, i], v) for i, v in enumerate(value)]
    return None


def too_deep_text(text: str) -> str | None:
    """Why TOML `text` nests too deeply to parse (`too_deep_line`), as a message's words; None
    when it does not."""
    line = too_deep_line(text)
    if line is None:
        return None
    return (
        f"line {line}: arrays or inline tables nested too deeply (more than {MAX_DEPTH} levels); "
        f"allowed: at most {MAX_DEPTH} levels"
    )


def too_deep_data(data: dict, shown: Callable[[list[str | int]], str]) -> str | None:
    """Why parsed TOML `data` nests too deeply (`too_deep_key`), as a message's words, naming the
    key as `shown(path)` gives it; None when it does not."""
    deep = too_deep_key(data)
    if deep is None:
        return None
    path, depth = deep
    return (
        f"{shown(path)} is nested too deeply ({depth} levels of tables and arrays); "
        f"allowed: at most {MAX_DEPTH} levels"
    )


def printable(text: str) -> str:
    """`text` with control characters escaped, so a message stays one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
