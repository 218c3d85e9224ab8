"""The teaching view's words and scales: the laboratory games described from their parameters
(the Nash equilibrium and the social optimum for the players chosen, whether giving pays the
group), the design principles in the games' own wording, and the limits of the commons game's
appropriation axis. No user interface and no figures here."""

from __future__ import annotations

import numpy as np

from sim.core.params import validate
from sim.validation.closed_forms import max_rent, nash_closed_form, optimum_closed_form

NASH_COLOUR = "#000000"  # the Nash equilibrium's line (dotted) on the teaching charts
OPTIMUM_COLOUR = "#2a9d3c"  # the social optimum's line (dash-dotted)

# The principles as a player of the laboratory games meets them. Those marked None have no
# counterpart in the laboratory games: switching them changes nothing in the game (checked by
# tests/test_app_components.py on both games).
GAME_PRINCIPLES: dict[str, tuple[str, str] | None] = {
    "boundary": (
        "Clear group and resource",
        "Who may take from the pool is fixed and the agreement covers the whole pool (Ostrom 1).",
    ),
    "agreed_shares": (
        "Agreed quota",
        "Players agree how many tokens each may put in: rules fitted to this pool (Ostrom 2).",
    ),
    "collective_choice": (
        "Rules made together",
        "Players set the quota together, so fines under rules they chose feel fair (Ostrom 3).",
    ),
    "monitoring": (
        "Monitoring",
        "Players see who kept to the quota, so a breach is caught and trust follows conduct "
        "(Ostrom 4).",
    ),
    "graduated_sanctions": (
        "Graduated sanctions",
        "A breach is fined, mildly at first and more with each repeat (Ostrom 5).",
    ),
    "conflict_resolution": (
        "Settling disputes",
        "A cheap way to settle a dispute softens the loss of trust after a breach (Ostrom 6).",
    ),
    "shared_vision": (
        "Group goal",
        "Players weigh the group's earnings beside their own.",
    ),
    "system_leadership": (
        "Leadership",
        "Players who lead for the group speed the building of trust.",
    ),
    "dedicated_team": (
        "Monitor employed",
        "Someone is paid to watch the quota: more breaches are found.",
    ),
    "single_measures": (
        "Judged as a group",
        "Players are rated on the group's result, not each on their own earnings.",
    ),
    "partners": None,
    "prevention": None,
    "public_involvement": None,
    "pooled_funding": None,
    "strategic_commissioning": None,
    "right_to_organise": None,
    "nested_enterprises": None,
}
NO_COUNTERPART = "NHS only: no counterpart in the laboratory game (switching it changes nothing)."


def game_principle(principle: str, nhs_label: str) -> tuple[str, str]:
    """(label, line under the switch) of a design principle in the games' own words."""
    words = GAME_PRINCIPLES.get(principle)
    return words if words is not None else (nhs_label, NO_COUNTERPART)


def _cents(value: float) -> str:
    return f"{value:g} cent{'s' if value != 1 else ''}"


def commons_facts(n_players: int) -> dict[str, float]:
    """The commons game's parameters and closed forms for `n_players` (Nash, optimum, rent)."""
    p = validate("classroom_commons", n_appropriators=n_players)
    a, b, w, e = p["cpr_a"], p["cpr_b"], p["outside_return"], p["endowment"]
    nash = min(nash_closed_form(a, b, w, n_players), n_players * e)
    return {
        "a": a,
        "b": b,
        "w": w,
        "e": e,
        "n": n_players,
        "nash": nash,
        "optimum": min(optimum_closed_form(a, b, w), n_players * e),
        "max_rent": max_rent(a, b, w),
    }


def commons_text(n_players: int) -> str:
    """The commons game in words, every number from the parameters and the players chosen."""
    f = commons_facts(n_players)
    return (
        f"Each round each of the **{f['n']} players** splits {f['e']:g} tokens between an "
        f"outside market ({_cents(f['w'])} a token) and a common pool whose group return is "
        f"{f['a']:g}X - {f['b']:g}X² cents for X tokens in all, shared in proportion to what "
        f"each put in. Players who each look after themselves end near the **Nash equilibrium**: "
        f"{f['nash']:.3g} tokens in all with {f['n']} players. The group earns most at the "
        f"**social optimum**, {f['optimum']:.3g} tokens, whatever its size. **Efficiency** is "
        f"the share of that best rent ({f['max_rent']:.3g} cents a round) the group keeps."
    )


def public_goods_text(n_players: int) -> str:
    """The public goods game in words, every number from the parameters and the players."""
    p = validate("public_goods", n_appropriators=n_players)
    e, m = p["endowment"], p["mpcr"]
    group = n_players * m
    text = (
        f"Each round each of the **{n_players} players** keeps tokens or gives them from "
        f"{e:g} to a public account; every token given returns {m:g} to each player, so "
        f"{group:.3g} to the group. A token kept is worth 1 to its keeper, a token given only "
        f"{m:g}: each player does best by giving nothing. "
    )
    if group > 1:
        text += (
            f"The group does best if all give everything ({group:.3g} a token). Without sanctions "
            "contributions start near half and decay; with sanctions they are sustained (Fehr & "
            "Gaechter 2000)."
        )
    else:
        text += (
            f"With {n_players} players a token given returns only {group:.3g} to the group, no "
            "more than the token: giving nothing is best for the group too, so there is no "
            "dilemma to solve."
        )
    return text


def game_text(game: str, n_players: int) -> str:
    """The description of the chosen laboratory game (Markdown)."""
    if game == "classroom_commons":
        return commons_text(n_players)
    return public_goods_text(n_players)


def reference_limits(data: np.ndarray, nash: float, optimum: float) -> tuple[float, float]:
    """y-limits of the commons game's appropriation axis: every value plotted, the Nash and
    optimum lines, and room above for their legend. Computed afresh at every redraw, never from
    the axis's last limits (which made it grow a quarter a frame during Play)."""
    values = np.asarray(data, dtype=float)
    values = values[np.isfinite(values)]
    top = max([nash, optimum, *([values.max()] if values.size else [])])
    low = min([0.0, *([values.min()] if values.size else [])])
    top = top if top > low else low + 1.0
    return low, top + 0.25 * (top - low)
