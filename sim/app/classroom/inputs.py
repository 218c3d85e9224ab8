"""Checks of what students and teachers send a room: each refusal is one `RoomError` line that
names the value and says what is allowed."""

from __future__ import annotations

import math
import numbers

from sim.app.classroom.game_world import GAMES, SEAT_RANGE
from sim.app.classroom.treatments import TREATMENTS, treatment_names
from sim.core.checks import check_int, check_seed
from sim.core.params import ParameterError

MAX_ROUNDS_PER_BLOCK = 100
MAX_ROUND_SECONDS = 3600.0
MAX_CHAT = 280  # characters in one chat message


SETTINGS = ("game", "seats", "rounds_per_block", "round_seconds", "treatments", "seed")


class RoomError(ValueError):
    """A refused action; `str(e)` is the one line the page shows."""


def number(value, what: str, low: float, high: float, unit: str = "") -> float:
    """`value` as a float in [low, high] (no bool, string, NaN or infinity)."""
    allowed = f"allowed: a number from {low:g} to {high:g}{unit}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise RoomError(f"{what} {value!r} is not a number; {allowed}")
    x = float(value)
    if not math.isfinite(x) or not low <= x <= high:
        raise RoomError(f"{what} {value!r} is out of range; {allowed}")
    return x


def integer(value, what: str, low: int, high: int) -> int:
    """`value` as an int in [low, high] (`sim.core.checks.check_int`: integers only, no bool and
    no float, even a whole one), refused as one `RoomError` line naming it and the range."""
    try:
        return check_int(value, what, low, high)
    except ParameterError as exc:
        raise RoomError(str(exc)) from None


def game(value) -> str:
    if value not in GAMES:
        raise RoomError(f"game={value!r} is not a game; allowed: {', '.join(GAMES)}")
    return value


def seats(value, game_name: str) -> int:
    low, high = SEAT_RANGE[game_name]
    return integer(value, f"seats (the {game_name} game)", low, high)


def rounds_per_block(value) -> int:
    return integer(value, "rounds_per_block", 1, MAX_ROUNDS_PER_BLOCK)


def round_seconds(value) -> float:
    x = number(value, "round_seconds", 0.0, MAX_ROUND_SECONDS, " seconds")
    if x <= 0.0:
        raise RoomError(f"round_seconds={value!r} must be above 0; allowed: up to 3600 seconds")
    return x


def seed(value) -> int:
    """The room's seed: any seed the model takes, [0, MAX_SEED] (`sim.core.checks.check_seed`).

    Nothing narrower is needed: the seed is set from Python (`Room(seed=...)`, `configure`), never
    typed into the page nor carried in an address, and the records store it as int64.
    """
    try:
        return check_seed(value, "seed")
    except ParameterError as exc:
        raise RoomError(str(exc)) from None


def treatment(name) -> str:
    if not isinstance(name, str) or name not in TREATMENTS:
        raise RoomError(f"treatment {name!r} is unknown; allowed: {treatment_names()}")
    return name


def treatments(names) -> tuple[str, ...]:
    if isinstance(names, str) or not hasattr(names, "__iter__"):
        raise RoomError(
            f"treatments={names!r} is not a list of treatments; allowed: some of "
            f"{treatment_names()}"
        )
    checked = tuple(treatment(n) for n in names)
    if not checked:
        raise RoomError(f"treatments=() is empty; allowed: some of {treatment_names()}")
    return checked


def chat_text(text) -> str:
    """One line of chat: whitespace collapsed, 1 to MAX_CHAT characters."""
    if not isinstance(text, str):
        raise RoomError(f"chat message {text!r} is not text; allowed: 1 to {MAX_CHAT} characters")
    line = " ".join(text.split())
    if not 1 <= len(line) <= MAX_CHAT:
        raise RoomError(
            f"chat message of {len(line)} characters; allowed: 1 to {MAX_CHAT} characters"
        )
    return line


def settings(config: dict, changes: dict) -> dict:
    """`config` with `changes`, every setting checked (the game first: seats depend on it)."""
    unknown = sorted(set(changes) - set(SETTINGS))
    if unknown:
        raise RoomError(f"setting {unknown[0]!r} is unknown; allowed: {', '.join(SETTINGS)}")
    new = {**config, **changes}
    new["game"] = game(new["game"])
    new["seats"] = seats(new["seats"], new["game"])
    new["rounds_per_block"] = rounds_per_block(new["rounds_per_block"])
    new["round_seconds"] = round_seconds(new["round_seconds"])
    new["treatments"] = treatments(new["treatments"])
    new["seed"] = seed(new["seed"])
    return new


def held_seat(seat, players: list) -> int:
    """The index of seat number `seat` (from 1) if a student holds it (`players[k]` not None)."""
    held = [k + 1 for k, player in enumerate(players) if player is not None]
    if isinstance(seat, bool) or not isinstance(seat, int) or seat not in held:
        shown = ", ".join(str(k) for k in held) or "none: every seat is an agent's"
        raise RoomError(
            f"seat {seat!r} cannot be released; allowed: a seat a student holds ({shown})"
        )
    return seat - 1
