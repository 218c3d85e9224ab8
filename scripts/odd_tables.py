"""Print the parameter, prior, lever and preset tables of docs/ODD.md from the code.

Run `python scripts/odd_tables.py` to print them, or `python scripts/odd_tables.py --write` to put
them into docs/ODD.md section 5 in place, when the parameters or presets change;
tests/test_docs.py fails while the document and the code disagree.
"""

import re
import sys
from pathlib import Path

from sim.core.params import PARAMETERS, SCENARIO_DEFAULTS, parameter
from sim.core.priors_table import PRIOR_INDEX, PRIORS
from sim.core.rules import LEVER_RANGES, LEVERS, PRESETS, PRINCIPLES


def fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parameter_table() -> str:
    rows = [
        "| parameter | default | allowed | scenarios | meaning | source or reasoning |",
        "|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS:
        rows.append(
            f"| `{p.name}` | {fmt(p.default)} | {p.allowed()} | {', '.join(p.scenarios)} "
            f"| {p.doc} | {p.source} |"
        )
    for scenario, overrides in SCENARIO_DEFAULTS.items():
        if overrides:
            pairs = ", ".join(f"`{k}` = {fmt(v)}" for k, v in overrides.items())
            rows.append(f"\nDefaults of `{scenario}` that differ: {pairs}.")
    return "\n".join(rows)


def prior_table() -> str:
    """The prior of every uncertain parameter, and the place-based parameters without one."""
    rows = [
        "| parameter | default | prior | source or reasoning |",
        "|---|---|---|---|",
    ]
    for p in PRIORS:
        rows.append(
            f"| `{p.name}` | {fmt(parameter(p.name).default)} | {p.describe()} | {p.source} |"
        )
    fixed = [
        f"`{p.name}`"
        for p in PARAMETERS
        if "place_system" in p.scenarios and p.name not in PRIOR_INDEX
    ]
    rows.append(f"\nWithout a prior (not uncertain; see below): {', '.join(fixed)}.")
    return "\n".join(rows)


def preset_table() -> str:
    names = list(PRESETS)
    rows = ["| lever | allowed | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for lever in LEVERS:
        allowed = LEVER_RANGES[lever]
        if allowed is bool:
            text = "yes/no"
        elif isinstance(allowed[0], str):
            text = ", ".join(allowed)
        else:
            text = f"{allowed[0]:g} to {allowed[1]:g}"
        values = " | ".join(fmt(getattr(PRESETS[n], lever)) for n in names)
        rows.append(f"| `{lever}` | {text} | {values} |")
    return "\n".join(rows)


def principle_table() -> str:
    rows = ["| principle | levers | what it means |", "|---|---|---|"]
    for name, spec in PRINCIPLES.items():
        rows.append(f"| `{name}` | {', '.join(spec['levers'])} | {spec['explain']} |")
    return "\n".join(rows)


def write(path: Path) -> None:
    """Replace each table of section 5 (the block of lines starting with "|" after its heading)."""
    text = path.read_text()
    for heading, table in (
        ("### Parameters", parameter_table()),
        ("### Priors (parameter uncertainty)", prior_table()),
        ("### Rule levers and presets", preset_table()),
        ("### Design principles (for ablation)", principle_table()),
    ):
        pattern = re.compile(
            re.escape(heading) + r"\n\n(?:\|.*\n|\n(?:Defaults of|Without a prior) .*\n)+",
            flags=re.M,
        )
        text, n = pattern.subn(lambda _m, h=heading, t=table: f"{h}\n\n{t}\n", text, count=1)
        if n != 1:
            raise SystemExit(f"{path}: heading {heading!r} with a table not found")
    path.write_text(text)


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        write(Path(__file__).resolve().parents[1] / "docs" / "ODD.md")
    else:
        print("### Parameters\n")
        print(parameter_table())
        print("\n### Priors (parameter uncertainty)\n")
        print(prior_table())
        print("\n### Rule levers and presets\n")
        print(preset_table())
        print("\n### Design principles (for ablation)\n")
        print(principle_table())
