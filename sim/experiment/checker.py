"""Checking the values of an experiment file: every problem is one `ExperimentError` line naming
the file, the key, the value and what is allowed."""

from __future__ import annotations

import math

from sim.core.checks import check_int, check_seed
from sim.core.params import ParameterError, parameters_for


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
                label = f"{prefix}{key}" if prefix else key
                self.fail(
                    label, table[key], "keys " + ", ".join(sorted(allowed)), "is not a known key"
                )

    def parameter_keys(self, table: dict, scenario: str, prefix: str) -> None:
        """Every key of `table` must be a parameter of the scenario."""
        allowed = {p.name for p in parameters_for(scenario)}
        for key, value in table.items():
            if key not in allowed:
                self.fail(
                    f"{prefix}{key}",
                    value,
                    f"parameters of scenario {scenario!r}: " + ", ".join(sorted(allowed)),
                    "is not a known key",
                )

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
            self.param_error("", exc)

    def seed(self, value: object, key: str) -> int:
        """A seed: the one range of `sim.core.checks.check_seed`, as for `CareSystem`."""
        try:
            return check_seed(value, key)
        except ParameterError as exc:
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
    }.get(type(value), type(value).__name__)


def show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
