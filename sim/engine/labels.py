"""Labels for `run_many`'s rule sets and policy schedules: unique, descriptive, deterministic."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.core.params import ParameterError
from sim.core.rules import LEVERS, RuleSet, resolve
from sim.core.schedule import Schedule, as_schedule, is_schedule_like


def varying_levers(rule_sets: list[RuleSet]) -> list[str]:
    """The levers whose value differs between the rule sets, in `LEVERS` order."""
    return [k for k in LEVERS if len({getattr(rs, k) for rs in rule_sets}) > 1]


def label_rule_sets(rules) -> list[RuleSet]:
    """The rule sets of `run_many`, resolved and named so that no two share a label.

    Rule sets sharing a name but not their levers are renamed `name[lever=value, ...]` with the
    levers that differ within the group; a label still shared raises `ParameterError`.
    """
    rule_list = [rules] if isinstance(rules, str | RuleSet | dict) else list(rules)
    if not rule_list:
        raise ParameterError("rules=[] is empty; allowed: at least one rule set")
    rule_sets = [resolve(rs) for rs in rule_list]
    _relabel(rule_sets)
    _refuse_shared([rs.name for rs in rule_sets], rule_sets)
    return rule_sets


def _relabel(rule_sets: list[RuleSet]) -> None:
    """Rename, in place, rule sets that share a name but not their levers."""
    groups: dict[str, list[int]] = {}
    for i, rs in enumerate(rule_sets):
        groups.setdefault(rs.name, []).append(i)
    for name, members in groups.items():
        varying = varying_levers([rule_sets[i] for i in members])
        for i in members if varying else ():
            shown = ", ".join(f"{k}={_show(getattr(rule_sets[i], k))}" for k in varying)
            rule_sets[i] = replace(rule_sets[i], name=f"{name}[{shown}]")


def _refuse_shared(labels: list[str], entries: list) -> None:
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        if label in seen:
            j = seen[label]
            same = "the same rule set" if entries[i] == entries[j] else "two rule sets"
            raise ParameterError(
                f"rules[{j}] and rules[{i}] are {same}, both labelled {label!r}; allowed: "
                "each rule set once, under distinct names (RuleSet.with_levers(name=...))"
            )
        seen[label] = i


def label_entries(rules) -> list[Schedule]:
    """Every entry of `run_many(rules=...)` as a labelled Schedule (a fixed rule set is a schedule
    of one step), no two sharing a label.

    An entry is a rule set (preset name, RuleSet, lever dict), or a policy schedule: a Schedule or
    a list of `(month, rule set)` pairs. `rules` itself may be one entry or a list of them.
    """
    one = isinstance(rules, str | RuleSet | dict | Schedule) or is_schedule_like(rules)
    entries = [rules] if one else list(rules)
    if not entries:
        raise ParameterError("rules=[] is empty; allowed: at least one rule set")
    fixed = [i for i, e in enumerate(entries) if not is_schedule_like(e)]
    named = label_rule_sets([entries[i] for i in fixed]) if fixed else []
    out: list[Schedule] = [None] * len(entries)  # type: ignore[list-item]
    for i, rs in zip(fixed, named, strict=True):
        out[i] = Schedule(((0, rs),), rs.name)
    for i, e in enumerate(entries):
        if out[i] is None:
            out[i] = as_schedule(e, f"rules[{i}]")
    _refuse_shared([s.name for s in out], out)
    return out


def _show(value: object) -> str:
    """A lever value as rule set names write it (`RuleSet.with_levers`): 0.5, 1, True, block."""
    return str(value) if isinstance(value, bool | np.bool_ | str) else f"{float(value):.12g}"
