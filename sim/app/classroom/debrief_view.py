"""The debrief: the class's results beside the agents' under the same rules, the Nash
equilibrium, the optimum and the published laboratory results, treatment by treatment (a table
and a chart), from `room.debrief()` (`debrief_from_records`)."""

from __future__ import annotations

import pandas as pd
import solara

from sim.app.accessible import AltImage
from sim.app.classroom import ui_state as ui
from sim.app.classroom.charts import debrief_png, with_nash_efficiency
from sim.app.classroom.words import fmt, share

# (column, heading, format) of the debrief's table in each game.
COMMONS_TABLE = (
    ("label", "treatment", str),
    ("rounds", "rounds", fmt),
    ("student_share", "seats played by students", share),
    ("class_group_total", "class: tokens in the pool", fmt),
    ("agents_group_total", "agents: tokens in the pool", fmt),
    ("nash", "Nash", fmt),
    ("optimum", "optimum", fmt),
    ("class_efficiency", "class: rent kept", share),
    ("agents_efficiency", "agents: rent kept", share),
    ("nash_efficiency", "Nash: rent kept", share),
    ("published_gross", "laboratory: rent kept", share),
    ("class_net_efficiency", "class: net of fines", share),
    ("published_net", "laboratory: net of fines", share),
)
PLACE_TABLE = (
    ("label", "treatment", str),
    ("rounds", "rounds", fmt),
    ("student_share", "seats played by students", share),
    ("class_group_total", "class: claims in all", fmt),
    ("agents_group_total", "agents: claims in all", fmt),
    ("class_population_health", "class: population health", fmt),
    ("agents_population_health", "agents: population health", fmt),
    ("class_system_deficit", "class: system deficit", fmt),
    ("agents_system_deficit", "agents: system deficit", fmt),
)


def is_place(table: pd.DataFrame) -> bool:
    return len(table) > 0 and table["class_efficiency"].isna().all()


def markdown_table(table: pd.DataFrame) -> str:
    """The debrief as a Markdown table with plain headings."""
    spec = PLACE_TABLE if is_place(table) else COMMONS_TABLE
    spec = [s for s in spec if s[0] in table.columns]
    lines = ["| " + " | ".join(h for _, h, _ in spec) + " |", "|" + "---|" * len(spec)]
    for _, row in table.iterrows():
        lines.append("| " + " | ".join(f(row[c]) for c, _, f in spec) + " |")
    return "\n".join(lines)


def sentences(table: pd.DataFrame) -> str:
    """What to read off the debrief, one line a treatment (commons game)."""
    if is_place(table) or not len(table):
        return ""
    lines = []
    for _, r in table.iterrows():
        lines.append(
            f"* *{r['label']}*: the class kept {share(r['class_efficiency'])} of the maximum "
            f"rent, the agents {share(r['agents_efficiency'])}, the laboratory groups "
            f"{share(r['published_gross'])}; everyone for themselves (Nash) keeps "
            f"{share(r['nash_efficiency'])}, the optimum 100%."
        )
    return "\n".join(lines)


@solara.component
def DebriefView(room, version: int):
    """The debrief of the room's rounds (recomputed when the room changes)."""
    table = solara.use_memo(lambda: with_nash_efficiency(room.debrief()), [version])
    image = solara.use_memo(lambda: debrief_png(table) if len(table) else b"", [version])
    with solara.Card("Debrief: the class, the agents, the theory and the laboratory"):
        ui.Md(
            "One row a treatment. The class beside the model's agents playing the same rounds "
            "under the same rules, the Nash equilibrium (everyone for themselves), the optimum "
            "(the most the group can earn) and what the published laboratory groups kept "
            "(Ostrom, Walker & Gardner 1992).",
            classes=["cc-help"],
        )
        ui.Md(markdown_table(table), classes=["cc-debrief"])
        ui.Md(sentences(table), classes=["cc-debrief-words"])
        if image:
            AltImage(image, "debrief", "The class, the agents, Nash, the optimum and the "
                     "laboratory by treatment, as bars.")  # fmt: skip
