"""The rule sets of an experiment: a `rules` list (preset names or rule tables) and an optional
`[ablation]` table (a base preset with each design principle switched off in turn)."""

from __future__ import annotations

from sim.core.params import ParameterError
from sim.core.rules import LEVER_RANGES, PRESETS, PRINCIPLES, RuleSet
from sim.core.schedule import Schedule, late_step, step_months
from sim.experiment.checker import Checker, ExperimentError, is_rereading, label, tname

RULE_KEYS = {"preset", "name", "without", "levers"}
ABLATION_KEYS = {"base", "principles", "include_base"}


def parse_rule(c: Checker, item: object, key: str) -> tuple[RuleSet, dict]:
    """One rule set: a preset name, or a table of preset, levers, principles left out and name."""
    if isinstance(item, str):
        if item not in PRESETS:
            c.fail(key, item, "a preset: " + ", ".join(PRESETS))
        return PRESETS[item], {"preset": item}
    table = c.table(item, key)
    c.keys(table, RULE_KEYS | set(LEVER_RANGES), f"{key}.")
    preset = c.string(table.get("preset", "fortress"), f"{key}.preset", tuple(PRESETS))
    spec: dict = {"preset": preset}
    levers = _levers(c, table, key)
    without = _without(c, table, key)
    rs = PRESETS[preset]
    if levers:
        try:
            rs = rs.with_levers(**levers)
        except ParameterError as exc:  # pragma: no cover - every lever is checked above
            c.param_error(f"{key}.", exc)
        spec["levers"] = levers
    for principle in without:
        rs = rs.without(principle)
    if without:
        spec["without"] = list(without)
    name = _name(c, table, key, preset, without, levers)
    spec["name"] = name
    return rs.with_levers(name=name), spec


def _levers(c: Checker, table: dict, key: str) -> dict:
    """Levers set in a rule table, under `levers` or at its top level, each checked under the
    key it is written with (`rules[0].monitoring` or `rules[0].levers.monitoring`)."""
    nested = c.table(table.get("levers", {}), f"{key}.levers")
    c.keys(nested, LEVER_RANGES, f"{key}.levers.")
    levers = {}
    for prefix, source in ((f"{key}.levers.", nested), (f"{key}.", table)):
        for lever, value in source.items():
            if lever not in LEVER_RANGES:
                continue
            if lever in levers:
                c.fail(
                    label(prefix, lever),
                    value,
                    "each lever set once",
                    f"is also set in {key}.levers",
                )
            levers[lever] = _lever(c, label(prefix, lever), value, LEVER_RANGES[lever])
    return levers


def _lever(c: Checker, key: str, value: object, allowed: object) -> object:
    """One lever's value, checked against its range (`sim.core.rules.LEVER_RANGES`)."""
    if allowed is bool:
        return c.boolean(value, key)
    if isinstance(allowed[0], str):
        return c.string(value, key, allowed)
    low, high = allowed
    c.number(value, key, low, high)
    return value


def _without(c: Checker, table: dict, key: str) -> list:
    """The design principles a rule table switches off."""
    without = table.get("without", [])
    if isinstance(without, str):
        without = [without]
    if not isinstance(without, list):
        c.fail(f"{key}.without", without, "a list of principles", f"has type {tname(without)}")
    for i, principle in enumerate(without):
        if not isinstance(principle, str) or principle not in PRINCIPLES:
            c.fail(f"{key}.without[{i}]", principle, "principles " + ", ".join(PRINCIPLES))
    if len(set(without)) < len(without):
        c.fail(f"{key}.without", without, "each principle once", "repeats a principle")
    return without


def _name(c: Checker, table: dict, key: str, preset: str, without: list, levers: dict) -> str:
    """The rule set's name: given, or `preset-principle...+lever=value...` (docs/experiments.md),
    whatever names `RuleSet.with_levers` gives."""
    if "name" in table:
        return c.rule_name(table["name"], f"{key}.name")
    name = preset + "".join(f"-{p}" for p in without)
    if levers:
        return name + "+" + "+".join(f"{k}={v}" for k, v in sorted(levers.items()))
    return name


SCHEDULE_KEYS = {"name", "schedule"}
STEP_KEYS = {"month", "rules"}


def parse_schedule(
    c: Checker, table: dict, key: str, months: int | None = None
) -> tuple[RuleSet, dict, Schedule]:
    """A policy schedule: `schedule = [{month = 0, rules = ...}, {month = 36, rules = ...}]`,
    each step's rules a preset name or a rule table, months increasing from 0 and, in a run of
    `months` months, below `months` (a later step would never apply).

    Returns the rule set in force at the end (named as the schedule), the spec, the Schedule.
    """
    c.keys(table, SCHEDULE_KEYS, f"{key}.")
    raw = table["schedule"]
    if not isinstance(raw, list) or not raw:
        c.fail(f"{key}.schedule", raw, "a non-empty list of {month, rules} tables")
    steps, spec_steps = [], []
    for i, step in enumerate(raw):
        where = f"{key}.schedule[{i}]"
        step = c.table(step, where)
        c.keys(step, STEP_KEYS, f"{where}.")
        for needed in STEP_KEYS - set(step):
            c.fail(f"{where}.{needed}", None, "a month (an integer) and its rules", "is missing")
        month = step["month"]
        previous = steps[-1][0] if steps else -1
        if isinstance(month, bool) or not isinstance(month, int) or month <= previous:
            allowed = "0 (the rules from the start)" if i == 0 else f"an integer > {previous}"
            c.fail(f"{where}.month", month, allowed)
        if i == 0 and month != 0:
            c.fail(f"{where}.month", month, "0 (the rules from the start)")
        rs, spec = parse_rule(c, step["rules"], f"{where}.rules")
        steps.append((month, rs))
        spec_steps.append({"month": month, "rules": spec})
    schedule = Schedule(tuple(steps))
    late = None if months is None or is_rereading() else late_step(schedule, months)
    if late is not None:
        c.fail(f"{key}.schedule[{late}].month", steps[late][0], step_months(months), "is too late")
    if "name" in table:
        schedule = schedule.with_name(c.rule_name(table["name"], f"{key}.name"))
    final = steps[-1][1].with_levers(name=schedule.name)
    return final, {"name": schedule.name, "schedule": spec_steps}, schedule


def parse_rules(
    c: Checker, data: dict, months: int | None = None
) -> tuple[list[RuleSet], list[dict], dict]:
    """The `rules` list (or "all" presets) with the spec of each rule set as written, and the
    policy schedules by name (a scheduled entry's rule set is the one in force at the end; its
    steps within a run of `months` months)."""
    raw = data.get("rules", [])
    if isinstance(raw, str):
        raw = list(PRESETS) if raw == "all" else [raw]
    if not isinstance(raw, list):
        c.fail("rules", raw, 'a list of rule sets or "all"', f"has type {tname(raw)}")
    rules, specs, schedules = [], [], {}
    for i, item in enumerate(raw):
        if isinstance(item, dict) and "schedule" in item:
            rs, spec, schedules[rs.name] = parse_schedule(c, item, f"rules[{i}]", months)
        else:
            rs, spec = parse_rule(c, item, f"rules[{i}]")
        rules.append(rs)
        specs.append(spec)
    return rules, specs, schedules


def parse_ablation(c: Checker, raw: object) -> tuple[list[RuleSet], list[dict], str]:
    """The `[ablation]` table: the base (if included), then the base without each principle."""
    table = c.table(raw, "ablation")
    c.keys(table, ABLATION_KEYS, "ablation.")
    base = c.string(table.get("base", "shared_governance"), "ablation.base", tuple(PRESETS))
    principles = table.get("principles", "all")
    if principles == "all":
        principles = list(PRINCIPLES)
    principles = c.names(principles, "ablation.principles", tuple(PRINCIPLES))
    include = c.boolean(table.get("include_base", True), "ablation.include_base")
    rules, specs = [], []
    if include:
        rules.append(PRESETS[base])
        specs.append({"preset": base, "name": base})
    for principle in principles:
        rs = PRESETS[base].without(principle)
        rules.append(rs)
        specs.append({"preset": base, "without": [principle], "name": rs.name})
    return rules, specs, base


def parse_rule_sets(
    c: Checker, data: dict, months: int | None = None
) -> tuple[list[RuleSet], list[dict], str | None, dict]:
    """Every rule set of the file (rules, then ablation variants not already listed), their
    specs as written, the ablation base (given, or inferred from names like `base-principle`) and
    the policy schedules by rule-set name (steps within a run of `months` months)."""
    rules, specs, schedules = parse_rules(c, data, months)
    ablation_base = None
    if "ablation" in data:
        ab_rules, ab_specs, ablation_base = parse_ablation(c, data["ablation"])
        base = [(PRESETS[ablation_base], {"preset": ablation_base})]  # even if not run
        for rs, spec in [*base, *zip(ab_rules, ab_specs, strict=True)]:
            if not is_rereading():
                _check_clash(c, rules, schedules, rs, spec)
        for rs, spec in zip(ab_rules, ab_specs, strict=True):
            if rs.name not in [r.name for r in rules]:
                rules.append(rs)
                specs.append(spec)
    if not rules:
        raise ExperimentError(
            f"{c.where}: rules is missing or empty; allowed: at least one rule set "
            f"(a preset: {', '.join(PRESETS)}, a rule table, or an [ablation] table)"
        )
    seen: set[str] = set()
    for i, rs in enumerate(rules):
        if rs.name in seen:
            c.fail(
                f"rules[{i}]",
                rs.name,
                "unique rule set names (give one a name = ...)",
                "repeats the name of an earlier rule set",
            )
        seen.add(rs.name)
    if ablation_base is None:
        names = {rs.name for rs in rules}
        for rs_name in names:
            if any(f"{rs_name}-{p}" in names for p in PRINCIPLES):
                ablation_base = rs_name
                break
    return rules, specs, ablation_base, schedules


def _check_clash(c: Checker, rules: list, schedules: dict, rs: RuleSet, variant: dict) -> None:
    """Refuse a listed rule set named as the `[ablation]` rule set `rs` but not that rule set:
    under one name, the ablation's row would be computed from the listed one."""
    names = [r.name for r in rules]
    if rs.name not in names:
        return
    i = names.index(rs.name)
    if rs.name not in schedules and rules[i].levers() == rs.levers():
        return  # the same rule set, listed in `rules` too: run once
    what = f"{variant['preset']} without {variant['without'][0]}" if "without" in variant else ""
    c.fail(
        f"rules[{i}]",
        rs.name,
        f"a name no [ablation] rule set has (rename rules[{i}]), or that very rule set",
        f"is the name [ablation] gives {what or 'its base ' + variant['preset']}, but another "
        "rule set",
    )
