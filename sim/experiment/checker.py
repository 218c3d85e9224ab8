"""Reading and checking an experiment file: every problem is one `ExperimentError` line naming
the file, the key, the value and what is allowed.

`decode` and `read_toml` turn the file's bytes into a dict safely (UTF-8 with or without a
byte-order mark; nesting counted before tomllib's recursive parser sees it; over-long integers
refused), `Checker.tree` checks the whole dict before any key is read (depth, 64-bit integers,
finite floats), and the other `Checker` methods check one value each."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import reprlib
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sim.core.checks import (
    MAX_DEPTH,
    check_int,
    check_seed,
    too_deep_data,
    too_deep_text,
)
from sim.core.params import ParameterError, parameter, parameters_for

# TOML integers are 64-bit (toml.io: a value outside the range must be an error).
INT64 = (-(2**63), 2**63 - 1)
# Experiment names: they name the results folder (results/<name>) on Linux, macOS and Windows.
MAX_NAME = 64
NAME_RULE = f"1 to {MAX_NAME} ASCII letters, digits, _ and -, starting with a letter or digit"
_NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{MAX_NAME - 1}}}")
# Windows reserves these device names (in any case) for every folder.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10))}
# Rule-set names: shown in Markdown tables, headings and figure legends.
RULE_NAME_RULE = (
    f"1 to {MAX_NAME} ASCII letters, digits, _, -, + and ., starting with a letter or digit"
)
_RULE_NAME = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.+-]{{0,{MAX_NAME - 1}}}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class ExperimentError(ValueError):
    """An experiment file (or an option given with it) is invalid. The message names the file,
    the key, the value and what is allowed."""


class Checker:
    """Checks values read from one file (`where`), raising `ExperimentError` on the first problem."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, key: str, value: object, allowed: str, problem: str = "is not allowed"):
        raise ExperimentError(f"{self.where}: {key}={show(value)} {problem}; allowed: {allowed}")

    def keys(self, table: dict, allowed: set[str] | dict, prefix: str) -> None:
        for key in table:
            if key not in allowed:
                self.fail(
                    label(prefix, key),
                    table[key],
                    "keys " + ", ".join(sorted(allowed)),
                    "is not a known key",
                )

    def parameter_keys(self, table: dict, scenario: str, prefix: str, numbers: bool = True) -> None:
        """Every key of `table` must be a parameter of the scenario (with a number, if `numbers`)."""
        allowed = {p.name for p in parameters_for(scenario)}
        for key, value in table.items():
            if key not in allowed:
                self.fail(
                    label(prefix, key),
                    value,
                    f"parameters of scenario {scenario!r}: " + ", ".join(sorted(allowed)),
                    "is not a known key",
                )
            p = parameter(key)
            if numbers and (isinstance(value, bool) or not isinstance(value, int | float)):
                self.fail(label(prefix, key), value, p.allowed(), f"has type {tname(value)}")
            whole = isinstance(value, float) and value.is_integer()
            if numbers and p.kind is int and whole and not is_rereading():
                # A whole float (3.0) is not an integer in a file (TOML tells them apart).
                self.integer(value, label(prefix, key), int(p.low), int(p.high))

    def tree(self, data: dict) -> None:
        """Checks of the whole file before any key is read: nesting at most `MAX_DEPTH` deep
        (`sim.core.checks.too_deep_key`, shared with place files), integers within 64 bits (as
        TOML requires), no NaN or infinite floats, and every key printable. Iterative, so no
        depth of nesting can exhaust the stack."""
        deep = too_deep_data(data, _key_of)
        if deep is not None:
            raise ExperimentError(f"{self.where}: {deep}")
        stack: list[tuple[str, object]] = [("", data)]
        while stack:
            key, value = stack.pop()
            if isinstance(value, dict):
                stack += [(label(key, k), v) for k, v in value.items()]
            elif isinstance(value, list):
                stack += [(f"{key}[{i}]", v) for i, v in enumerate(value)]
            elif isinstance(value, bool):
                continue
            elif isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
                if key in ("seed", "design.seed"):  # the seed's own range, as everywhere else
                    try:
                        check_seed(value, key)
                    except ParameterError as exc:
                        raise ExperimentError(f"{self.where}: {exc}") from None
                self.fail(key, value, "integers in [-2**63, 2**63 - 1] (TOML)", "is too large")
            elif isinstance(value, float) and not math.isfinite(value):
                self.fail(key, value, "a finite number", "is not finite")

    def name(self, value: object, key: str) -> str:
        """The experiment's name, safe as a folder name on Linux, macOS and Windows."""
        name = self.string(value, key)
        if not _NAME.fullmatch(name):
            problem = f"has {len(name)} characters" if len(name) > MAX_NAME else "is not allowed"
            self.fail(key, name, NAME_RULE + " (it names the results folder)", problem)
        if name.upper() in _RESERVED:
            self.fail(
                key,
                name,
                f"{NAME_RULE}, other than the names Windows reserves (CON, PRN, AUX, NUL, "
                "COM1-9, LPT1-9)",
                "is reserved by Windows",
            )
        return name

    def rule_name(self, value: object, key: str) -> str:
        """A rule set's given name (shown in tables, headings and legends)."""
        name = self.string(value, key)
        if not _RULE_NAME.fullmatch(name):
            problem = f"has {len(name)} characters" if len(name) > MAX_NAME else "is not allowed"
            self.fail(key, name, RULE_NAME_RULE, problem)
        return name

    def table(self, value: object, key: str) -> dict:
        if not isinstance(value, dict):
            self.fail(key, value, "a table", f"has type {tname(value)}")
        return value

    def string(self, value: object, key: str, choices=None) -> str:
        if not isinstance(value, str):
            allowed = "one of " + ", ".join(choices) if choices else "a string"
            self.fail(key, value, allowed, f"has type {tname(value)}")
        if choices is not None and value not in choices:
            self.fail(key, value, "one of " + ", ".join(choices))
        return value

    def integer(self, value: object, key: str, low: int | None, high: int | None = None) -> int:
        try:
            return check_int(value, key, low, high)
        except ParameterError as exc:
            self._int_error(key, value, exc)

    def seed(self, value: object, key: str) -> int:
        """A seed: the one range of `sim.core.checks.check_seed`, as for `CareSystem`."""
        try:
            return check_seed(value, key)
        except ParameterError as exc:
            self._int_error(key, value, exc)

    def _int_error(self, key: str, value: object, exc: ParameterError):
        """`check_int`'s message, with the value's TOML type (`boolean`, not Python's `bool`)."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, value, str(exc).split("; allowed: ", 1)[-1], f"has type {tname(value)}")
        self.param_error("", exc)

    def number(self, value: object, key: str, low: float, high: float) -> float:
        allowed = f"a number in [{low:g}, {high:g}]"
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, value, allowed, f"has type {tname(value)}")
        if not (math.isfinite(value) and low <= value <= high):
            self.fail(key, value, allowed, "is out of range")
        return float(value)

    def boolean(self, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, value, "true or false", f"has type {tname(value)}")
        return value

    def names(self, value: object, key: str, choices) -> tuple[str, ...]:
        allowed = "a list of: " + ", ".join(choices)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.fail(key, value, allowed, "is not a non-empty list")
        for item in value:
            if not isinstance(item, str) or item not in choices:
                self.fail(key, item, allowed, "is not allowed")
        return tuple(value)

    def param_error(self, key_prefix: str, exc: ParameterError):
        raise ExperimentError(f"{self.where}: {key_prefix}{exc}") from None


def tname(value: object) -> str:
    """The TOML name of a value's type."""
    return {
        str: "string",
        int: "integer",
        float: "float",
        bool: "boolean",
        list: "array",
        dict: "table",
        dt.datetime: "date-time",
        dt.date: "date",
        dt.time: "time",
    }.get(type(value), type(value).__name__)


def label(prefix: str, key: str) -> str:
    """A key as written in the file: bare if it can be, else quoted (so it stays one line)."""
    text = key if _BARE_KEY.fullmatch(key) else json.dumps(key)
    if not prefix:
        return text
    return f"{prefix}.{text}" if not prefix.endswith(".") else prefix + text


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, 78, 78


def show(value: object) -> str:
    """A value as shown in a message: one line, at most 80 characters, nesting cut short."""
    text = value.isoformat() if isinstance(value, dt.date | dt.time) else _REPR.repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------------- reading the file
def decode(raw: bytes, where: str) -> str:
    """The text of a file as UTF-8. A leading byte-order mark is kept in the text (so the text
    encodes back to the very bytes of the file, and `Experiment.sha256` is the file's sha256);
    `read_toml` skips it."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExperimentError(
            f"{where}: the file is UTF-16 text; allowed: a file encoded as UTF-8 (save it as UTF-8)"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ExperimentError(
            f"{where}: byte 0x{raw[exc.start]:02x} at line {line} is not UTF-8; allowed: a file "
            "encoded as UTF-8 (save it as UTF-8)"
        ) from None


def read_toml(text: str, where: str) -> dict:
    """The TOML text as a dict (a leading byte-order mark skipped). Nesting is counted before
    parsing (`sim.core.checks.too_deep_line`), since tomllib parses nested arrays and inline
    tables by recursion."""
    text = text.removeprefix("\ufeff")
    deep = too_deep_text(text)
    if deep is not None:
        raise ExperimentError(f"{where}: {deep}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{where}: malformed TOML: {exc}{_line_read(text, exc)}") from None
    except ValueError:  # an integer literal of more than 4300 digits
        raise ExperimentError(
            f"{where}: malformed TOML: an integer too long to read; allowed: integers in "
            "[-2**63, 2**63 - 1] (TOML)"
        ) from None
    except RecursionError:  # pragma: no cover - the count above refuses such files first
        raise ExperimentError(
            f"{where}: nested too deeply; allowed: at most {MAX_DEPTH} levels"
        ) from None


def _line_read(text: str, exc: Exception) -> str:
    """`; line N reads '...'` for the line a TOML error names (its key, which tomllib's message
    does not give for a key set twice), or "" when it names none."""
    found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
    lines = text.splitlines()
    if found is None or not 0 < int(found.group(1)) <= len(lines):
        return ""
    line = lines[int(found.group(1)) - 1].strip()
    return f"; line {found.group(1)} reads {line[:80]!r}" if line else ""


# True while the text a results folder saved is parsed again (for its report, or to rebuild a
# run): what already ran is not refused by checks added since (a whole float for an integer
# parameter, a repeated grid value, a schedule step past the run, a name an ablation also uses).
_REREADING: ContextVar[bool] = ContextVar("rereading", default=False)


@contextmanager
def rereading() -> Iterator[None]:
    """Parse saved experiment text as it was accepted when it ran."""
    token = _REREADING.set(True)
    try:
        yield
    finally:
        _REREADING.reset(token)


def is_rereading() -> bool:
    return _REREADING.get()


def _key_of(path: list[str | int]) -> str:
    """A key's path (table keys and array indices) as the file's errors name it."""
    key = ""
    for part in path:
        key = f"{key}[{part}]" if isinstance(part, int) else label(key, part)
    return key
