"""The app's settings: panels, labels and colours, rule sets from presets and switches, and the
scenario controls turned into model parameters (no user-interface code, no figures)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sim.app.palette import KIND_COLOURS as KIND_COLOURS
from sim.app.palette import SIDE_COLOURS as SIDE_COLOURS
from sim.core.params import ParameterError, parameter, validate
from sim.core.rules import PRESETS, PRINCIPLES, RuleSet
from sim.core.schedule import Schedule

SIDES = ("left", "right")
DEFAULT_PRESETS = {"left": "fortress", "right": "shared_governance"}
# Colours and markers of the panels and of the kinds of organisation: sim/app/palette.py
# (checked for colour blindness and greyscale).
SIDE_TITLES = {"left": "Panel A", "right": "Panel B"}
PRESET_LABELS = {
    "fortress": "Fortress (each organisation for itself)",
    "partnership_board": "Partnership board (shared vision, no teeth)",
    "success_regime": "Success regime (plan imposed from above)",
    "canterbury_alliance": "Canterbury alliance (one system, one budget)",
    "shared_governance": "Shared governance (all design principles)",
}
PRINCIPLE_LABELS = {
    "boundary": "Clear boundary and scope",
    "partners": "The right partners",
    "shared_vision": "Shared vision",
    "agreed_shares": "Agreed shares of the pool",
    "prevention": "Prevention slice",
    "collective_choice": "Rules made together",
    "public_involvement": "Involving the public",
    "system_leadership": "System leadership",
    "conflict_resolution": "Conflict resolution",
    "graduated_sanctions": "Graduated sanctions",
    "monitoring": "Monitoring (open books)",
    "pooled_funding": "Pooled, capitated budget",
    "strategic_commissioning": "Strategic commissioning",
    "dedicated_team": "Dedicated team",
    "single_measures": "Single set of measures",
    "right_to_organise": "Right to organise",
    "nested_enterprises": "Nested enterprises",
}
GAMES = {
    "classroom_commons": "Commons game (Ostrom, Gardner & Walker 1994)",
    "public_goods": "Public goods game (Fehr & Gaechter 2000)",
}
MAX_LIVE_MONTHS = 600  # 50 years: the live view stops there
# The system both panels run: the generic one (places drawn per run) or a shipped place file.
SYSTEMS = {
    "generic": "Generic system (places and organisations drawn)",
    "illustrative": "Illustrative ICS (shaped like Herefordshire and Worcestershire)",
}
SYSTEM_FILES = {"illustrative": "illustrative_ics.toml"}
UPLOADED = "uploaded"  # the system key of a place file the user uploaded (Scenario.uploaded)


def system_labels(uploaded=None) -> dict[str, str]:
    """The System select's choices: the shipped systems, and the user's place file if any."""
    labels = dict(SYSTEMS)
    if uploaded is not None:
        labels[UPLOADED] = f"Your place file: {uploaded.name}"
    return labels


# --------------------------------------------------------------------------- rule sets
def panel_rules(preset: str, side: str) -> RuleSet:
    """A preset's rule set, named for its panel (run_many needs distinct names)."""
    if preset not in PRESETS:
        raise ParameterError(f"preset={preset!r} is not a preset; allowed: {', '.join(PRESETS)}")
    return PRESETS[preset].with_levers(name=side)


def set_principle(rules: RuleSet, principle: str, on: bool) -> RuleSet:
    """Switch one design principle on (levers as in shared_governance) or off (as in fortress)."""
    if principle not in PRINCIPLES:
        raise ParameterError(f"principle={principle!r} is not a design principle")
    source = PRESETS["shared_governance"] if on else PRESETS["fortress"]
    levers = {lv: getattr(source, lv) for lv in PRINCIPLES[principle]["levers"]}
    return rules.with_levers(**levers)


def describe_rules(rules: RuleSet) -> str:
    """'fortress' if the levers are a preset's, else 'custom'."""
    for name, preset in PRESETS.items():
        if preset.levers() == rules.levers():
            return name
    return "custom"


def rules_label(rules: RuleSet, side: str, preset: str | None = None, adopt_year: int = 0) -> str:
    """'Panel A: fortress', or 'Panel B: shared governance, modified' when changed from `preset`,
    with ', from year 3 (fortress before)' when the panel adopts its rules later."""
    kind = describe_rules(rules)
    if preset is not None and kind != preset:
        label = f"{SIDE_TITLES[side]}: {preset.replace('_', ' ')}, modified"
    else:
        label = f"{SIDE_TITLES[side]}: {kind.replace('_', ' ')}"
    if adopt_year > 0:
        label += f", from year {adopt_year + 1} (fortress before)"
    return label


def panel_schedule(
    rules: RuleSet, adopt_year: int, months: int | None = None
) -> RuleSet | Schedule:
    """The panel's rules from the start, or fortress for `adopt_year` years and then its rules
    (a policy schedule: "we adopt shared governance in year 3" is `adopt_year` 2). For runs of
    `months` months that end before the adoption, fortress throughout (what those runs see)."""
    years = int(adopt_year)
    if years <= 0:
        return rules
    before = PRESETS["fortress"].with_levers(name=f"{rules.name}-before")
    if months is not None and years * 12 >= months:
        return before
    return Schedule(((0, before), (years * 12, rules)), name=f"{rules.name}@{years * 12}")


def named(rules: RuleSet | Schedule, name: str) -> RuleSet | Schedule:
    """A rule set or schedule under another name (run_many needs distinct names)."""
    if isinstance(rules, Schedule):
        return rules.with_name(name)
    return rules.with_levers(name=name)


# --------------------------------------------------------------------------- scenario
@dataclass(frozen=True)
class Scenario:
    """The shared scenario controls of the NHS view.

    funding_gap is the funding pressure: need growth + ageing - budget growth (a year). The app
    sets budget growth from it, so a larger gap means the pool grows more slowly than need. The
    default, 1.5 points, gives the model's default budget growth of 1% a year; productivity
    (1% a year, docs/ODD.md 7.20) then leaves a gap of half a point in care the money buys.
    """

    funding_gap: float = 0.015
    need_growth: float = 0.015
    ageing: float = 0.01
    n_places: int = 3
    seed: int = 1
    system: str = "generic"  # a key of SYSTEMS, or UPLOADED (the place file in `uploaded`)
    uploaded: object = None  # the user's own place file (a PlaceSystem), kept per session

    @property
    def budget_growth(self) -> float:
        return round(self.need_growth + self.ageing - self.funding_gap, 6)

    def params(self) -> dict[str, float]:
        """Model parameters; raises ParameterError with a plain-English message if impossible."""
        kw = {
            "budget_growth": self.budget_growth,
            "need_growth": self.need_growth,
            "ageing": self.ageing,
            "n_places": self.n_places,
        }
        bg = parameter("budget_growth")
        if not bg.low <= kw["budget_growth"] <= bg.high:
            raise ParameterError(
                f"This combination is impossible: a funding gap of {100 * self.funding_gap:.1f} "
                f"points with need growth of {100 * self.need_growth:.1f}% and ageing of "
                f"{100 * self.ageing:.1f}% a year means budget growth of "
                f"{100 * kw['budget_growth']:.1f}% a year; the model allows budget growth from "
                f"{100 * bg.low:.0f}% to {100 * bg.high:.0f}% a year. Reduce the gap or the "
                f"need growth. (budget_growth={kw['budget_growth']:g} is out of range)"
            )
        if self.system == UPLOADED and self.uploaded is None:
            raise ParameterError("system='uploaded' needs a place file; upload one first")
        if self.system not in SYSTEMS and self.system != UPLOADED:
            raise ParameterError(
                f"system={self.system!r} is not a system; allowed: {', '.join(SYSTEMS)}"
            )
        if self.system != "generic":  # the place file sets the places (n_places is not used)
            del kw["n_places"]
        validate("place_system", **kw)
        check_seed_value(self.seed)
        if self.system == UPLOADED:
            kw["place_file"] = self.uploaded
        elif self.system != "generic":
            kw["place_file"] = shipped_system(self.system)
        return kw


@dataclass(frozen=True)
class GameScenario:
    """The shared controls of the teaching view (laboratory games)."""

    game: str = "classroom_commons"
    n_players: int = 8
    seed: int = 1

    def params(self) -> dict[str, float]:
        kw = {"n_appropriators": self.n_players}
        validate(self.game, **kw)
        check_seed_value(self.seed)
        return kw


@functools.cache
def shipped_system(system: str):
    """The `PlaceSystem` of a shipped place file (read once per process)."""
    from sim.engine.placefile import load_place_file
    from sim.experiment.shipped import shipped_place_file

    return load_place_file(shipped_place_file(SYSTEM_FILES[system]))


def check_seed_value(seed) -> int:
    from sim.core.checks import check_seed

    return check_seed(seed)
