"""Parameter points for `run_many`: every form researchers hold them in, and integer parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.core.params import PARAMETER_INDEX, ParameterError, parameter


def as_points(points, names: Sequence[str] | None = None) -> list[dict]:
    """Parameter points as a list of dicts, from any form `run_many(points=...)` accepts.

    Args:
        points: None (one point: the defaults), a list of dicts, a pandas DataFrame, a dict of
            equal-length columns, a NumPy structured array, or a plain 2-D array with `names`.
        names: One parameter name per column of a plain 2-D array (and only then).

    Raises:
        ParameterError: In one line, naming what was given and what to pass instead.
    """
    if points is None:
        if names is not None:
            raise ParameterError("names is given without points; allowed: names with a 2-D array")
        return [{}]
    columns = _columns(points, names)
    if columns is None:  # a list of dicts
        items = list(points)
        for i, pt in enumerate(items):
            if not isinstance(pt, Mapping):
                raise ParameterError(
                    f"points[{i}]={pt!r} has type {type(pt).__name__}; allowed: a dict of "
                    "parameter values (or pass a DataFrame, a dict of columns or a 2-D array)"
                )
    else:
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise ParameterError(
                f"points has columns of lengths {sorted(lengths)}; allowed: equal lengths"
            )
        n = lengths.pop() if lengths else 0
        items = [{k: v[i] for k, v in columns.items()} for i in range(n)]
    if not items:
        raise ParameterError("points is empty; allowed: at least one parameter point")
    return [{str(k): _plain(v) for k, v in pt.items()} for pt in items]


def _columns(points, names) -> dict[str, np.ndarray] | None:
    """The columns of points given by column, or None for a list of dicts."""
    table = (isinstance(points, np.ndarray) and points.dtype.names is None) or (
        isinstance(points, list | tuple) and bool(points) and not isinstance(points[0], Mapping)
    )
    if names is not None and not table:
        raise ParameterError(
            f"names={list(names)!r} is given with points of type {type(points).__name__}; "
            "allowed: names only with a plain 2-D array (other forms carry their own names)"
        )
    if table:
        return _named_columns(np.asarray(points), names)
    if isinstance(points, pd.DataFrame):
        return {str(c): points[c].to_numpy() for c in points.columns}
    if isinstance(points, Mapping):
        return {str(k): _column(k, v) for k, v in points.items()}
    if isinstance(points, np.ndarray):  # structured or record array
        return {k: points[k] for k in points.dtype.names}
    return None


def _column(key, values) -> np.ndarray:
    """One column of a dict of columns, refused if it is a single value."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ParameterError(
            f"points[{key!r}]={values!r} is not a column; allowed: a list or 1-D array of values "
            "(for a single point pass points=[{...}] or the parameter as a keyword)"
        )
    return arr


def _named_columns(arr: np.ndarray, names) -> dict[str, np.ndarray]:
    """The columns of a plain 2-D array, named by `names`."""
    if arr.ndim != 2:
        raise ParameterError(
            f"points is an array of shape {arr.shape}; allowed: 2-D (one row per point) with "
            "names=[...], a DataFrame, a dict of columns or a list of dicts"
        )
    if names is None:
        raise ParameterError(
            f"points is a {arr.shape[0]}x{arr.shape[1]} array without names; allowed: pass "
            "names=[...] with one parameter name per column (or a DataFrame or a list of dicts)"
        )
    names = [names] if isinstance(names, str) else list(names)
    if len(names) != arr.shape[1] or len(set(names)) != len(names):
        raise ParameterError(
            f"names={names!r} has {len(names)} names for {arr.shape[1]} columns; allowed: "
            "one distinct parameter name per column"
        )
    return {str(name): arr[:, j] for j, name in enumerate(names)}


def _plain(value):
    """A NumPy scalar as the Python value it holds (so messages and outputs show 2, not np.int64)."""
    return value.item() if isinstance(value, np.generic) else value


def _whole(values: dict, where: str, round_integers: bool) -> dict:
    """Values of integer parameters given as non-whole numbers: refused, or rounded if asked."""
    out = dict(values)
    for key, value in values.items():
        if key not in PARAMETER_INDEX or parameter(key).kind is not int:
            continue
        if isinstance(value, bool | np.bool_) or not isinstance(value, float | np.floating):
            continue  # ints pass; other types are named by `validate`
        if not np.isfinite(value):
            raise ParameterError(
                f"{where}{key}={_plain(value)!r} is not a number; "
                f"allowed: {parameter(key).allowed()}"
            )
        if value != int(value):
            if not round_integers:
                raise ParameterError(
                    f"{where}{key}={_plain(value)!r} is not whole; allowed: "
                    f"{parameter(key).allowed()} (or round_integers=True to round to the nearest)"
                )
            out[key] = int(np.floor(value + 0.5))
    return out
