"""Scenario discovery in words and Markdown: the conditions where the treatment wins or fails,
the PRIM peeling trajectories and chosen boxes, and the CART tree's rules.

Every function reads a `sim.analysis.discovery.Discovery` (by its attributes only)."""

from __future__ import annotations

import numpy as np

from sim.analysis.discovery_rules import Box, Restriction
from sim.analysis.tables import md_table

TRAJECTORY_ROWS = 12  # rows of the peeling trajectory shown (evenly spaced, the chosen one kept)


def num(value: float) -> str:
    """A number to three significant figures, without a trailing exponent where avoidable."""
    if value == 0 or not np.isfinite(value):
        return f"{value:g}"
    return f"{value:.3g}" if 1e-5 <= abs(value) < 1e5 else f"{value:.2e}"


def name(rule_set: str) -> str:
    """A rule set's label in words: "shared_governance" -> "shared governance"."""
    return rule_set.replace("_", " ")


def condition(r: Restriction) -> str:
    """One restriction in words: "spillover > 0.91", "budget_growth < 0.0042" or
    "0.2 < x < 0.5" (bounds to three significant figures)."""
    if r.lower and r.upper:
        return f"{num(r.low)} < {r.name} < {num(r.high)}"
    if r.lower:
        return f"{r.name} > {num(r.low)}"
    return f"{r.name} < {num(r.high)}"


def verb(d, case: str) -> str:
    """What the case means for the outcome, e.g. "does worse than fortress on system_deficit
    (ends higher; lower is better)"."""
    more, less = ("lower", "higher") if d.lower_is_better else ("higher", "lower")
    by = f" by more than {num(d.threshold)}" if d.threshold > 0 else ""
    better = "lower" if d.lower_is_better else "higher"
    if case == "wins":
        return f"beats {name(d.reference)} on {d.outcome} (ends {more}{by}; {better} is better)"
    return (
        f"does worse than {name(d.reference)} on {d.outcome} (ends {less}{by}; {better} is better)"
    )


def _bare(d, case: str) -> str:
    """The case after "does": "beat fortress on system_deficit" or "do worse than ..."."""
    if case == "wins":
        return f"beat {name(d.reference)} on {d.outcome}"
    return f"do worse than {name(d.reference)} on {d.outcome}"


def box_sentence(d, box: Box) -> str:
    """A PRIM box as one sentence with its density and coverage."""
    who = name(d.treatment).capitalize()
    if not box.restrictions and not box.meets_density:
        return (
            f"{who} {verb(d, box.case)} at {box.density:.0%} of all points, and PRIM finds no "
            "box that concentrates them: no first peel raises the density (the points may lie "
            "in more than one region; see the CART tree)."
        )
    noun = "points where it wins" if box.case == "wins" else "points where it does worse"
    where = " and ".join(condition(r) for r in box.restrictions) or "throughout the design"
    when = f"when {where}" if box.restrictions else where
    note = "" if box.meets_density else " (no box reaches the density asked for)"
    return (
        f"{who} {verb(d, box.case)} {when}: {box.density:.0%} of such points (density), "
        f"{box.coverage:.0%} of all {noun} (coverage){note}."
    )


def words(d) -> str:
    """The conditions in plain words: the counts, then each case's PRIM box, then CART."""
    counts, total = d.counts, len(d.frame)
    who = name(d.treatment).capitalize()
    within = f"within {num(d.threshold)} of it" if d.threshold > 0 else "level with it"
    lines = [
        f"Of {total} design points, {name(d.treatment)} beats {name(d.reference)} on "
        f"{d.outcome} at {counts['wins']} ({counts['wins'] / total:.0%}), does worse at "
        f"{counts['fails']} ({counts['fails'] / total:.0%}) and is {within} at "
        f"{counts['neither']} ({counts['neither'] / total:.0%})."
    ]
    adv = d.frame["advantage"]
    lines.append(
        f"The advantage ({name(d.treatment)} minus {name(d.reference)}, signed so that positive "
        f"is better for {name(d.treatment)}) is positive at {(adv > 0).sum()} of {total} points; "
        f"mean {num(adv.mean())}, from {num(adv.min())} to {num(adv.max())}."
    )
    for case in ("fails", "wins"):
        box = d.boxes.get(case)
        if box is not None:
            lines.append(box_sentence(d, box))
        elif counts[case] == 0:
            lines.append(f"At no design point does {name(d.treatment)} {_bare(d, case)}.")
        else:
            lines.append(f"{who} {verb(d, case)} at every design point.")
    lines.append(tree_sentence(d))
    return "\n\n".join(lines)


def tree_sentence(d) -> str:
    """The CART tree's purest leaf of each case in one sentence."""
    parts = []
    for case, what in (("fails", "does worse"), ("wins", "wins")):
        leaves = [leaf for leaf in d.tree.leaves if leaf.label == case]
        if not leaves:
            continue
        best = max(leaves, key=lambda leaf: (d.tree.coverage(leaf), leaf.density))
        where = "everywhere" if not best.conditions else f"where {best.rule()}"
        parts.append(
            f"it {what} {where} ({best.density:.0%} of that leaf's points, "
            f"{d.tree.coverage(best):.0%} of all such points)"
        )
    if not parts:
        return f"The CART tree (depth {d.tree.max_depth}) finds no leaf where either case leads."
    return (
        f"The CART tree (depth {d.tree.max_depth}) agrees in its largest leaves: "
        + "; ".join(parts)
        + "."
    )


def trajectory_table(box: Box) -> str:
    """The peeling trajectory, thinned to about `TRAJECTORY_ROWS` rows, the chosen box marked."""
    t = box.trajectory
    keep = set(np.linspace(0, len(t) - 1, min(len(t), TRAJECTORY_ROWS)).round().astype(int))
    keep.add(box.index)
    rows = [
        [
            f"**{i}** (chosen)" if i == box.index else str(i),
            f"{t.loc[i, 'coverage']:.2f}",
            f"{t.loc[i, 'density']:.2f}",
            f"{t.loc[i, 'mass']:.2f}",
            str(int(t.loc[i, "res_dim"])),
        ]
        for i in sorted(keep)
    ]
    return md_table(["step", "coverage", "density", "mass", "restricted inputs"], rows)


def box_table(box: Box) -> str:
    """The chosen box's restrictions: bounds, the input's full range and quasi-p values."""

    def qp(value):
        return "" if value is None else f"{value:.2g}"

    rows = [
        [
            r.name,
            num(r.low) if r.lower else "",
            num(r.high) if r.upper else "",
            f"{num(r.full_low)} to {num(r.full_high)}",
            qp(r.qp_low),
            qp(r.qp_high),
        ]
        for r in box.restrictions
    ]
    header = ["input", "box low", "box high", "range in the design", "qp low", "qp high"]
    return md_table(header, rows) if rows else "(the box restricts no input)"


def markdown(d, level: int = 2) -> str:
    """The discovery of one outcome as a Markdown section."""
    h = "#" * level
    better = "lower" if d.lower_is_better else "higher"
    out = [f"{h} {d.outcome} ({better} is better)", "", words(d), ""]
    for case in ("fails", "wins"):
        box = d.boxes.get(case)
        title = "does worse" if case == "fails" else "wins"
        out += [f"{h}# PRIM: where {name(d.treatment)} {title}", ""]
        if box is None:
            out += [f"No box: {d.counts[case]} of {len(d.frame)} points are this case.", ""]
            continue
        step = box.trajectory.loc[box.index]
        screened = d.screened.get(case, d.inputs)
        if len(screened) < len(d.inputs):
            out += [
                f"PRIM over the {len(screened)} inputs with the highest extra-trees feature "
                f"scores for this case (of {len(d.inputs)}): {', '.join(screened)}.",
                "",
            ]
        out += [
            f"Chosen: step {box.index} of {len(box.trajectory) - 1}, {box.rule} (coverage "
            f"{step['coverage']:.0%}, density {step['density']:.0%}).",
            "",
        ]
        if box.dropped:
            out += [
                f"Then dropped as not significant (quasi-p above {d.significance:g}): "
                f"{', '.join(box.dropped)}.",
                "",
            ]
        out += [
            f"The box: coverage {box.coverage:.0%}, density {box.density:.0%}, {box.n} points "
            f"({box.mass:.0%} of all), {box.k} of them this case.",
            "",
            box_table(box),
            "",
            "Peeling trajectory:",
            "",
            trajectory_table(box),
            "",
        ]
    out += [f"{h}# CART tree (depth at most {d.tree.max_depth})", "", cart_table(d), ""]
    return "\n".join(out)


def cart_table(d) -> str:
    """The CART leaves: rule, majority case, points, density, coverage and the counts."""
    table = d.tree.rules()
    rows = [
        [
            row["rule"],
            row["class"],
            str(row["n"]),
            f"{row['density']:.0%}",
            f"{row['coverage']:.0%}",
            *(str(row[f"n_{c}"]) for c in d.tree.classes),
        ]
        for row in table.to_dict("records")
    ]
    header = ["rule", "case", "points", "density", "coverage", *(f"n {c}" for c in d.tree.classes)]
    return md_table(header, rows)
