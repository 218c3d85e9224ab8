"""A room's data: one row per seat and round, as a data frame, and its files.

Nothing personal is kept: players appear under pseudonyms, times are seconds since the room
opened, and the chat is never saved. Each row repeats the room's game, seat count and seed, so a
saved file alone reproduces the debrief (`debrief.debrief_from_records`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

# The group's figures of a round, repeated on each of its rows.
GROUP = (
    "group_total",
    "nash",
    "optimum",
    "efficiency",
    "net_efficiency",
    "population_health",
    "system_deficit",
)

COLUMNS = (
    "code",
    "game",
    "seats",
    "seed",
    "treatment",
    "round",
    "block",
    "seat",
    "pseudonym",
    "by",
    "choice",
    "claim",
    "agreed",
    "earnings",
    "fine",
    "net",
    "time",
    *GROUP,
)
# Who made a row's choice: a student, an agent holding the seat, or the agent rule standing in for
# a student whose time ran out.
BY = ("student", "agent", "agent (timeout)")
_TYPES = {"code": str, "game": str, "treatment": str, "pseudonym": str, "by": str}
_INTEGERS = ("seats", "seed", "round", "block", "seat")


def frame(rows: list[dict]) -> pd.DataFrame:
    """The rows as a data frame with the columns of `COLUMNS`, in that order, typed."""
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    for name in COLUMNS:
        if name in _TYPES:
            df[name] = df[name].astype(object)
        elif name in _INTEGERS:
            df[name] = df[name].astype("int64")
        else:
            df[name] = df[name].astype("float64")
    return df


def round_rows(out: dict, choices: dict, pseudonyms: list, **fields) -> tuple[list[dict], dict]:
    """One round's rows, seat by seat, and its group measures.

    Args:
        out: The round's outcome (`game_world.play_round`).
        choices: The students' choices, seat: (choice, time, pseudonym).
        pseudonyms: Each seat's student now (None for an agent's seat).
        **fields: code, game, seed, treatment, round_, block and now (seconds since the room
            opened, the time of the agents' choices).
    """
    group = {k: out[k] for k in GROUP}
    common = {
        "code": fields["code"],
        "game": fields["game"],
        "seats": len(pseudonyms),
        "seed": fields["seed"],
        "treatment": fields["treatment"],
        "round": fields["round_"],
        "block": fields["block"],
    }
    rows = []
    for seat, student in enumerate(pseudonyms):
        if seat in choices:
            choice, at, pseudonym = choices[seat]
            by = "student"
        else:  # the model's rule chose: for an agent's seat, or for a student out of time
            choice, at = float(out["choice"][seat]), fields["now"]
            pseudonym = student or f"Agent {seat + 1}"
            by = "agent (timeout)" if student else "agent"
        earnings, fine = float(out["earnings"][seat]), float(out["fine"][seat])
        rows.append(
            common
            | {
                "seat": seat + 1,
                "pseudonym": pseudonym,
                "by": by,
                "choice": choice,
                "claim": float(out["claim"][seat]),
                "agreed": float(out["agreed"][seat]),
                "earnings": earnings,
                "fine": fine,
                "net": earnings - fine,
                "time": at,
            }
            | group
        )
    return rows, group


def save(df: pd.DataFrame, folder, stem: str) -> tuple[Path, Path]:
    """Write `df` as `<stem>.csv` and `<stem>.parquet` in `folder` (created if need be), each
    atomically: a temporary file in the same folder, then `os.replace`.

    Returns:
        The paths of the CSV and Parquet files.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"{stem}.csv"
    parquet_path = folder / f"{stem}.parquet"
    _atomic(csv_path, lambda tmp: df.to_csv(tmp, index=False))
    _atomic(parquet_path, lambda tmp: df.to_parquet(tmp, index=False))
    return csv_path, parquet_path


def _atomic(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path) -> pd.DataFrame:
    """A saved room's records (Parquet or CSV) with the columns typed as `frame` types them."""
    path = Path(path)
    df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    return frame(df.to_dict("records"))
