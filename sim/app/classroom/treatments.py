"""The laboratory treatments a room switches between, blocks of rounds at a time.

Each treatment is a set of levers (a preset of `sim.core.rules`) and what the page offers
(chat, a vote); the model never sees a treatment's name, only its levers. Each names the row of
`sim.validation.published.CPR_PUBLISHED` it stands for (Ostrom, Walker & Gardner 1992) for the
debrief.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.rules import PRESETS, RuleSet


@dataclass(frozen=True)
class Treatment:
    """One treatment of the classroom.

    Attributes:
        name: Its key in `TREATMENTS`.
        label: Its name on the page.
        communication: "none" or "chat" (a chat open to the group during its rounds).
        vote: The group votes on a target (the median of the votes is shown to all).
        monitoring: Breaches of the agreed share may be detected and fined.
        chosen: The group chose the rules (collective choice), rather than having them imposed.
        rules: The levers the model runs under, for the students' seats and the agents' alike.
        published: The key of its laboratory analogue in `CPR_PUBLISHED`.
    """

    name: str
    label: str
    communication: str
    vote: bool
    monitoring: bool
    chosen: bool
    rules: RuleSet
    published: str


TREATMENTS: dict[str, Treatment] = {
    "baseline": Treatment(
        "baseline", "Baseline: no communication", "none", False, False, False,
        PRESETS["fortress"], "baseline",
    ),
    "communication": Treatment(
        "communication", "Communication: chat and a group target", "chat", True, False, True,
        PRESETS["partnership_board"], "repeated_comm",
    ),
    "sanctions_imposed": Treatment(
        "sanctions_imposed", "Sanctions imposed: monitoring with fines", "none", False, True,
        False, PRESETS["success_regime"], "sanction_imposed",
    ),
    "sanctions_chosen": Treatment(
        "sanctions_chosen", "Sanctions chosen by the group: talk, monitoring, fines", "chat",
        True, True, True, PRESETS["shared_governance"], "comm_chosen_sanction",
    ),
}  # fmt: skip
DEFAULT_TREATMENTS = ("baseline", "communication", "sanctions_imposed", "sanctions_chosen")


def treatment_names() -> str:
    """The valid names, for messages."""
    return ", ".join(TREATMENTS)


def treatment_of(
    round_: int, rounds_per_block: int, names: tuple, override: tuple[str, int] | None
) -> Treatment:
    """The treatment of round `round_` (from 1): its block's, or the teacher's choice `override`
    (name, first round) from its first round to the end of that round's block."""
    block = (round_ - 1) // rounds_per_block
    if override and round_ >= override[1] and (override[1] - 1) // rounds_per_block == block:
        return TREATMENTS[override[0]]
    return TREATMENTS[names[min(block, len(names) - 1)]]
