"""The classroom page's words and small readings of the room's views (UI-free): each treatment's
rules in the game's own words, the time left, the last round's result in a sentence, and the
choice a student's form makes in each game."""

from __future__ import annotations

import math
from typing import Any

from sim.app.classroom.room import TREATMENTS
from sim.app.classroom.ui_state import get
from sim.core.params import defaults

GAMES = {"commons": "Commons game (tokens and a common pool)", "place": "NHS place game"}
STATUS = {
    "waiting": "waiting to start",
    "open": "round open",
    "paused": "paused",
    "finished": "finished",
}
AGREED, MORE = "the agreed share", "more"


def treatments() -> dict:
    """The room layer's treatments by name."""
    return TREATMENTS


def treatment_of(value: Any):
    """The Treatment of a view's `treatment` field (its name, a dict with its name, or itself)."""
    if value is None or hasattr(value, "communication"):
        return value
    name = value.get("name") if isinstance(value, dict) else value
    return treatments().get(str(name))


def treatment_label(value: Any) -> str:
    t = treatment_of(value)
    return t.label if t is not None else str(value or "")


def _cents(x: float) -> str:
    return f"{x:g} cent{'s' if x != 1 else ''}"


def commons_rules() -> str:
    p = defaults("classroom_commons")
    e, w, a, b = p["endowment"], p["outside_return"], p["cpr_a"], p["cpr_b"]
    return (
        f"Each round you have **{e:g} tokens**. Each token you keep earns {_cents(w)} (the "
        f"outside market). The tokens everyone puts in the **common pool** earn "
        f"{a:g}X - {b:g}X² cents together, for X tokens in all, shared in proportion to what each "
        "put in: the more the group puts in, the less each token in the pool earns."
    )


def place_rules(high: float) -> str:
    return (
        "You run one organisation of a place's health and care system, and the place's budget "
        "is one **common pool**. Each month you claim **the agreed share** of it, or **more** "
        f"(up to {high:g} times the agreed share). Claiming more brings your organisation more "
        "money this month and leaves less for the others; the place can run into deficit."
    )


def rules_text(treatment, game: str, limits: Any = None) -> str:
    """The treatment's rules in plain words: the game, then what the treatment adds."""
    high = float(get(limits, "high", 1.5) or 1.5)
    text = [commons_rules() if game == "commons" else place_rules(high)]
    if treatment is None:
        return text[0]
    if treatment.communication == "chat":
        text.append("You may **chat** with your group during the rounds.")
    if treatment.vote:
        text.append(
            "You may **vote** on a target for each player (the **quota**); the group's target "
            "is the middle (median) of the votes. The target binds nobody by itself."
        )
    if treatment.monitoring:
        unit = "token" if game == "commons" else "pound"
        text.append(
            "Choices are **monitored**: taking more than the agreed share (the **quota**) may be "
            f"detected, and is then **fined** for each {unit} over it, more for each repeated "
            "breach."
        )
    if treatment.chosen:
        text.append("Your group chose these rules.")
    elif treatment.monitoring:
        text.append("These rules were imposed on the group.")
    else:
        text.append("Nobody checks what anyone chooses.")
    return " ".join(text)


def time_left(snap: Any) -> str:
    left = get(snap, "deadline_seconds_left")
    status = get(snap, "status")
    if left is None or status not in ("open", "paused"):
        return ""
    return f"{max(0, math.ceil(float(left)))} s left" + (" (paused)" if status == "paused" else "")


def fmt(value: Any, digits: int = 3) -> str:
    """A number for the page ('-' for none)."""
    if value is None:
        return "-"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "-" if math.isnan(number) else f"{number:.{digits}g}"


def _number(value: Any) -> float | None:
    """`value` as a float; None for none, NaN or what is not a number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def money(value: Any) -> str:
    """Earnings to two decimals ('-' for none): cents in the commons game."""
    number = _number(value)
    return "-" if number is None else f"{number:.2f}"


def share(value: Any) -> str:
    """A share as a percentage ('-' for none)."""
    number = _number(value)
    return "-" if number is None else f"{100 * number:.0f}%"


def group_sentence(snap: Any) -> str:
    """Last round's group result in one sentence (empty before the first round closes)."""
    last = get(snap, "last_round")
    if last is None:
        return ""
    total = get(last, "group_total")
    if get(snap, "game") == "place":
        return (
            f"In round {get(last, 'round')} the organisations claimed **{fmt(total)}** in all; "
            f"population health {fmt(get(last, 'population_health'))}, system deficit "
            f"{fmt(get(last, 'system_deficit'))}."
        )
    return (
        f"In round {get(last, 'round')} the group put **{fmt(total)}** tokens in the pool "
        f"(Nash equilibrium {fmt(get(last, 'nash'))}, optimum {fmt(get(last, 'optimum'))}) and "
        f"kept **{share(get(last, 'efficiency'))}** of the maximum rent."
    )


def results_rows(snap: Any) -> list:
    """The last round's results per seat."""
    return list(get(get(snap, "last_round"), "results") or [])


def place_choice(kind: str, amount: Any) -> Any:
    """The NHS place game's choice: the claim as a multiple of the agreed share (1 for the
    agreed share; 'more' is the multiple typed)."""
    return 1.0 if kind == AGREED else amount


def parse_amount(text: str) -> float | str:
    """The number a student typed, or the text itself (the room refuses what is not allowed)."""
    try:
        return float(str(text).strip())
    except ValueError:
        return str(text)
