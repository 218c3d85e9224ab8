"""The debrief: per treatment, what the class did, what the model's agents do under the same rules,
the game's Nash and optimum, and what the laboratory found (Ostrom, Walker & Gardner 1992).

Computed from the records alone (the room's game, seats and seed are in every row), so a saved
session reproduces it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.app.classroom.game_world import agents_path
from sim.app.classroom.treatments import TREATMENTS
from sim.validation.published import CPR_PUBLISHED

DEBRIEF_COLUMNS = (
    "treatment",
    "label",
    "rounds",
    "student_share",
    "class_group_total",
    "class_efficiency",
    "class_net_efficiency",
    "class_population_health",
    "class_system_deficit",
    "agents_group_total",
    "agents_efficiency",
    "agents_net_efficiency",
    "agents_population_health",
    "agents_system_deficit",
    "nash",
    "optimum",
    "published",
    "published_label",
    "published_gross",
    "published_net",
)
_GROUP = ("group_total", "efficiency", "net_efficiency", "population_health", "system_deficit")


def debrief_from_records(
    records: pd.DataFrame,
    *,
    game: str | None = None,
    seats: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """The debrief of a room's records (`Room.records()` or a saved file).

    Args:
        records: One row per seat and round (columns of `records.COLUMNS`).
        game, seats, seed: The room's, read from the records unless given.

    Returns:
        One row per treatment in the order the class played them (columns `DEBRIEF_COLUMNS`);
        group measures are means over the treatment's rounds; NaN where a game has none.
    """
    if records.empty:
        return pd.DataFrame(columns=list(DEBRIEF_COLUMNS))
    game = str(records["game"].iloc[0]) if game is None else game
    seats = int(records["seats"].iloc[0]) if seats is None else seats
    seed = int(records["seed"].iloc[0]) if seed is None else seed
    rounds = records.drop_duplicates("round").sort_values("round")
    if not np.array_equal(rounds["round"].to_numpy(), np.arange(1, len(rounds) + 1)):
        raise ValueError("the records must hold every round from 1 on, each once")
    names = list(rounds["treatment"])
    agents = pd.DataFrame(agents_path(game, seats, seed, [TREATMENTS[n].rules for n in names]))
    agents["treatment"] = names
    rows = []
    for name in dict.fromkeys(names):
        played = rounds[rounds["treatment"] == name]
        theirs = agents[agents["treatment"] == name]
        choices = records[records["treatment"] == name]
        rows.append(_row(name, played, theirs, choices))
    return pd.DataFrame(rows, columns=list(DEBRIEF_COLUMNS))


def _row(name: str, played: pd.DataFrame, agents: pd.DataFrame, choices: pd.DataFrame) -> dict:
    treatment = TREATMENTS[name]
    published = CPR_PUBLISHED.loc[treatment.published]
    row = {
        "treatment": name,
        "label": treatment.label,
        "rounds": len(played),
        "student_share": float((choices["by"] == "student").mean()),
        "nash": float(played["nash"].iloc[0]),
        "optimum": float(played["optimum"].iloc[0]),
        "published": treatment.published,
        "published_label": published["label"],
        "published_gross": _number(published["gross"]),
        "published_net": _number(published["net"]),
    }
    for column in _GROUP:
        row[f"class_{column}"] = float(played[column].mean())
        row[f"agents_{column}"] = float(agents[column].mean())
    return row


def _number(value) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)
