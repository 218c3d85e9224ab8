"""Rule induction for scenario discovery: PRIM boxes (the EMA workbench) and a CART tree
(scikit-learn), on any table of inputs and a binary case of interest.

PRIM (Friedman and Fisher 1999) peels a box off the input space, a sliver at a time, keeping the
cases of interest inside; each step of the peeling trajectory trades coverage (the share of all
cases of interest inside the box) for density (the share of the box's points that are cases of
interest). `prim_box` runs the workbench's implementation and chooses one box on the trajectory
by a stated rule (`choose_box`); nothing of PRIM is written here. `cart_tree` fits a
depth-limited classification tree and reads its leaves as rules.

Both import optional dependencies (the `interop` extra: ema_workbench, scikit-learn) only when
called; the experiment layer checks them first with `sim.experiment.extras.require`.
"""

from __future__ import annotations

import importlib
import logging
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.core.params import ParameterError

# The workbench's PRIM counts a case of interest where y >= threshold and drops a final box whose
# mean is below it; with y in {0, 1}, a tiny threshold counts the ones and keeps every trajectory,
# so that the box is chosen here, by `choose_box`, not by the workbench.
_COUNT_ONES = 1e-9


def _module(name: str):
    """Import an optional module, or raise ImportError naming the `interop` extra."""
    try:
        with warnings.catch_warnings():  # the workbench warns that ipyparallel is missing
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"scenario discovery needs {name.split('.')[0]}, which is not installed; install "
            f"the 'interop' extra: pip install 'care-commons[interop]' ({exc})"
        ) from None


@dataclass(frozen=True)
class Restriction:
    """One input a box restricts: its bounds in the box and over the whole design.

    Attributes:
        name: The input (a column of the design).
        low, high: The box's bounds (inclusive).
        full_low, full_high: The input's range over all points.
        qp_low, qp_high: Quasi-p values of the lower and upper restriction (Bryant and Lempert
            2010, a one-sided binomial test); None where that side is not restricted.
    """

    name: str
    low: float
    high: float
    full_low: float
    full_high: float
    qp_low: float | None = None
    qp_high: float | None = None

    @property
    def lower(self) -> bool:
        """Whether the box cuts the input's low end."""
        return self.low > self.full_low

    @property
    def upper(self) -> bool:
        """Whether the box cuts the input's high end."""
        return self.high < self.full_high


@dataclass
class Box:
    """The box PRIM chose for one case of interest.

    Attributes:
        case: The case of interest ("wins" or "fails").
        coverage: Share of all cases of interest that fall in the box.
        density: Share of the box's points that are cases of interest.
        mass: Share of all points in the box.
        n: Points in the box; k: cases of interest among them.
        restrictions: The inputs the box restricts, in the order of the design's columns.
        index: The chosen step on the peeling trajectory (before any restriction was dropped;
            the statistics above are of the box after dropping).
        rule: How it was chosen, in words.
        dropped: Restrictions of the chosen step dropped as not significant, in order.
        meets_density: Whether its density reaches the level asked for.
        trajectory: The peeling and pasting trajectory (coverage, density, mass, res_dim, n, k),
            one row per step.
    """

    case: str
    coverage: float
    density: float
    mass: float
    n: int
    k: int
    restrictions: tuple[Restriction, ...]
    index: int
    rule: str
    meets_density: bool
    dropped: tuple[str, ...]
    trajectory: pd.DataFrame = field(repr=False)

    @property
    def names(self) -> list[str]:
        """The restricted inputs."""
        return [r.name for r in self.restrictions]

    def table(self) -> pd.DataFrame:
        """The restrictions as a table (one row per restricted input)."""
        return pd.DataFrame([vars(r) for r in self.restrictions])


def check_inputs(x: pd.DataFrame, y) -> tuple[pd.DataFrame, np.ndarray]:
    """The inputs as floats and the case of interest as 0/1, or a one-line ParameterError."""
    if not isinstance(x, pd.DataFrame) or x.shape[1] == 0:
        raise ParameterError("inputs: no input columns; allowed: a data frame of numeric inputs")
    bad = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])]
    if bad:
        raise ParameterError(f"inputs.{bad[0]} is not numeric; allowed: numeric columns")
    xf = x.astype(np.float64).reset_index(drop=True)  # the workbench's PRIM fails on int columns
    if not np.isfinite(xf.to_numpy()).all():
        column = xf.columns[~np.isfinite(xf.to_numpy()).all(axis=0)][0]
        raise ParameterError(f"inputs.{column} holds NaN or infinity; allowed: finite numbers")
    y = np.asarray(y).astype(bool).astype(np.int64)
    if y.shape != (len(xf),):
        raise ParameterError(f"cases: {y.shape} values for {len(xf)} points; allowed: one each")
    return xf, y


def choose_box(trajectory: pd.DataFrame, min_density: float) -> tuple[int, str, bool]:
    """The step of the peeling trajectory to report, and the rule that chose it.

    The rule: of the steps whose density reaches the level, the one with the highest coverage
    (ties: fewer restricted inputs, then the earlier step). The level is `min_density`, or, when
    the cases of interest already make up that share of all points (step 0), halfway from their
    share to 1, so that the box says more than "everywhere". If no step reaches the level, the
    densest step (ties: the higher coverage).

    Returns:
        (index, the rule in words, whether the density was reached).
    """
    t = trajectory.reset_index(drop=True)
    base = float(t.loc[0, "density"])
    level = min_density if base < min_density else (1.0 + base) / 2.0
    why = (
        f"{level:.0%}"
        if level == min_density
        else f"{level:.0%} (halfway from the {base:.0%} of all points to 100%)"
    )
    ok = t.index[t["density"] >= level - 1e-12]
    if len(ok):
        cand = t.loc[ok].sort_values(
            ["coverage", "res_dim"], ascending=[False, True], kind="stable"
        )
        rule = f"the highest-coverage box on the peeling trajectory with density >= {why}"
        return int(cand.index[0]), rule, True
    cand = t.sort_values(["density", "coverage"], ascending=[False, False], kind="stable")
    rule = f"no box reaches density {why}: the densest box on the peeling trajectory"
    return int(cand.index[0]), rule, False


def prim_box(
    x: pd.DataFrame,
    y,
    case: str = "cases",
    *,
    min_density: float = 0.8,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    significance: float | None = 0.05,
) -> Box | None:
    """The PRIM box of the points where `y` is true (the EMA workbench's PRIM, one box).

    Args:
        x: The inputs, one numeric column each, one row per point.
        y: Whether each point is a case of interest.
        case: The name of the case, carried into the box.
        min_density: The density the chosen box should reach (see `choose_box`).
        mass_min: The smallest share of points a box may hold.
        peel_alpha, paste_alpha: The share of points peeled or pasted at each step.
        significance: Restrictions of the chosen box whose quasi-p values all exceed this are
            dropped, the weakest first (the workbench's `drop_restriction`); None keeps them.

    Returns:
        The chosen box, or None when no point, or every point, is a case of interest.
    """
    xf, yi = check_inputs(x, y)
    if yi.sum() in (0, len(yi)):
        return None
    prim = _module("ema_workbench.analysis.prim")
    logging.getLogger("EMA.ema_workbench.analysis.prim").setLevel(logging.WARNING)
    with warnings.catch_warnings():  # the workbench's pandas deprecations, not ours to fix
        warnings.simplefilter("ignore")
        alphas = {"peel_alpha": peel_alpha, "paste_alpha": paste_alpha}
        alg = prim.Prim(xf, yi, threshold=_COUNT_ONES, mass_min=mass_min, **alphas)
        found = alg.find_box()
    columns = ["coverage", "density", "mass", "res_dim", "n", "k"]
    trajectory = found.peeling_trajectory.reset_index(drop=True)[columns].astype(float)
    index, rule, met = choose_box(trajectory, min_density)
    chosen = index
    index, restrictions, dropped = _drop_weak(found, alg.box_init, index, xf.columns, significance)
    row = found.peeling_trajectory.reset_index(drop=True).loc[index]
    return Box(
        case=case,
        coverage=float(row["coverage"]),
        density=float(row["density"]),
        mass=float(row["mass"]),
        n=int(row["n"]),
        k=int(row["k"]),
        restrictions=restrictions,
        index=chosen,
        rule=rule,
        meets_density=met,
        dropped=tuple(dropped),
        trajectory=trajectory,
    )


def _drop_weak(found, full: pd.DataFrame, index: int, names, significance: float | None):
    """Drop the box's restrictions whose quasi-p values all exceed `significance`, the weakest
    first, with the workbench's `drop_restriction` (which appends the new box to the
    trajectory). Returns (the final box's step, its restrictions, the inputs dropped)."""
    restrictions = _restrictions(found, full, index, names)
    dropped: list[str] = []
    while significance is not None:
        weak = [r for r in restrictions if _weakest_qp(r) > significance]
        if not weak:
            break
        worst = max(weak, key=_weakest_qp)
        found.drop_restriction(worst.name, i=index)
        index = len(found.peeling_trajectory) - 1
        dropped.append(worst.name)
        restrictions = _restrictions(found, full, index, names)
    return index, restrictions, dropped


def _restrictions(found, full: pd.DataFrame, i: int, names) -> tuple[Restriction, ...]:
    """The inputs box i of the trajectory restricts, with their quasi-p values."""
    limits, qp, out = found.box_lims[i], found.qp[i], []
    for name in names:
        lo, hi = float(limits.loc[0, name]), float(limits.loc[1, name])
        f_lo, f_hi = float(full.loc[0, name]), float(full.loc[1, name])
        if lo > f_lo or hi < f_hi:
            q = qp.get(name, [-1, -1])
            out.append(
                Restriction(name, lo, hi, f_lo, f_hi, _qp(q[0], lo > f_lo), _qp(q[1], hi < f_hi))
            )
    return tuple(out)


def _weakest_qp(r: Restriction) -> float:
    """The restriction's smallest quasi-p value over its restricted sides (0 if none known)."""
    values = [q for q in (r.qp_low, r.qp_high) if q is not None]
    return min(values) if values else 0.0


def _qp(value, restricted: bool) -> float | None:
    return float(value) if restricted and value is not None and value >= 0 else None


@dataclass(frozen=True)
class Leaf:
    """One leaf of the CART tree: the conditions leading to it and what it holds.

    Attributes:
        conditions: (input, operator, value) triples on the path, merged per input and side;
            the operator is "<=" (left of a split) or ">".
        label: The leaf's majority class.
        n: Points in the leaf.
        counts: Points of each class in the leaf.
    """

    conditions: tuple[tuple[str, str, float], ...]
    label: str
    n: int
    counts: dict

    @property
    def density(self) -> float:
        """Share of the leaf's points in its majority class."""
        return self.counts[self.label] / self.n if self.n else 0.0

    def rule(self) -> str:
        """The path as text, one condition per input, e.g. "budget_growth <= 0.004 and
        0.5 < spillover <= 0.9"."""
        if not self.conditions:
            return "always"
        bounds: dict[str, dict[str, float]] = {}
        for name, op, value in self.conditions:
            bounds.setdefault(name, {})[op] = value
        parts = []
        for name, b in bounds.items():
            if "<=" in b and ">" in b:
                parts.append(f"{b['>']:.3g} < {name} <= {b['<=']:.3g}")
            else:
                op = "<=" if "<=" in b else ">"
                parts.append(f"{name} {op} {b[op]:.3g}")
        return " and ".join(parts)


@dataclass
class Tree:
    """A depth-limited CART classification tree and its leaves as rules.

    Attributes:
        leaves: One `Leaf` per leaf, left to right.
        classes: The classes, in the order of `counts`.
        totals: Points of each class over all points.
        max_depth: The depth limit.
        model: The fitted scikit-learn `DecisionTreeClassifier`.
    """

    leaves: list[Leaf]
    classes: list[str]
    totals: dict
    max_depth: int
    model: object = field(repr=False)

    def coverage(self, leaf: Leaf) -> float:
        """Share of all points of the leaf's class that fall in the leaf."""
        total = self.totals.get(leaf.label, 0)
        return leaf.counts[leaf.label] / total if total else 0.0

    def rules(self) -> pd.DataFrame:
        """The leaves as a table: rule, class, points, density and coverage."""
        rows = [
            {
                "rule": leaf.rule(),
                "class": leaf.label,
                "n": leaf.n,
                "density": leaf.density,
                "coverage": self.coverage(leaf),
                **{f"n_{c}": leaf.counts[c] for c in self.classes},
            }
            for leaf in self.leaves
        ]
        return pd.DataFrame(rows)


def cart_tree(
    x: pd.DataFrame, labels, *, max_depth: int = 3, mass_min: float = 0.05, seed: int = 0
) -> Tree:
    """A CART tree (scikit-learn) classifying the points by `labels`, no deeper than `max_depth`,
    each leaf holding at least `mass_min` of the points."""
    xf, _ = check_inputs(x, np.zeros(len(x)))
    labels = np.asarray(labels).astype(str)
    if labels.shape != (len(xf),):
        raise ParameterError(
            f"labels: {labels.shape} values for {len(xf)} points; allowed: one each"
        )
    tree_module = _module("sklearn.tree")
    model = tree_module.DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=max(1, int(mass_min * len(xf))), random_state=seed
    )
    model.fit(xf.to_numpy(), labels)
    classes = [str(c) for c in model.classes_]
    t = model.tree_
    names = list(xf.columns)
    leaf_of = model.apply(xf.to_numpy())
    leaves: list[Leaf] = []

    def walk(node: int, path: tuple) -> None:
        if t.children_left[node] == -1:
            inside = labels[leaf_of == node]
            counts = {c: int((inside == c).sum()) for c in classes}
            label = max(classes, key=lambda c: counts[c])
            leaves.append(Leaf(_merge(path), label, int(t.n_node_samples[node]), counts))
            return
        name, value = names[t.feature[node]], float(t.threshold[node])
        walk(int(t.children_left[node]), (*path, (name, "<=", value)))
        walk(int(t.children_right[node]), (*path, (name, ">", value)))

    walk(0, ())
    values, totals = np.unique(labels, return_counts=True)
    return Tree(leaves, classes, dict(zip(values, map(int, totals), strict=True)), max_depth, model)


def _merge(path: tuple) -> tuple:
    """Keep the tightest condition per input and side, in the order inputs first appear."""
    best: dict[tuple[str, str], float] = {}
    for name, op, value in path:
        key = (name, op)
        if key not in best:
            best[key] = value
        else:
            best[key] = min(best[key], value) if op == "<=" else max(best[key], value)
    return tuple((name, op, value) for (name, op), value in best.items())
