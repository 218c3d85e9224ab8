"""Every setting of the app's NHS comparison as one value (`Snapshot`): read from a session's
state, written back to it, and turned into a plain dict and back with checks.

The dict is what a scenario file holds (`sim.app.scenario_file`) and what a shared link encodes
(`sim.app.share_url`). A panel's rules are kept as its preset plus the design principles switched
on or off from it (and, for rules the switches cannot produce, the levers that differ), so the
file reads as the page does. Every problem is one `ScenarioError` line naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from sim.app.results_state import results_state
from sim.app.settings import (
    DEFAULT_PRESETS,
    SIDES,
    SYSTEMS,
    UPLOADED,
    Scenario,
    panel_rules,
    set_principle,
)
from sim.app.verdict import BY_NAME
from sim.core.checks import check_int, check_seed
from sim.core.params import ParameterError
from sim.core.rules import PRESETS, PRINCIPLES, RuleSet

FORMAT = "care-commons scenario"
VERSION = 1
PANEL_KEYS = {"left": "panel_a", "right": "panel_b"}
SCENARIO_KEYS = ("funding_gap", "need_growth", "ageing", "n_places", "seed", "system")
PANEL_FIELDS = ("rules", "switched_on", "switched_off", "levers", "adopt_in_year")
TOP_KEYS = (
    "format",
    "version",
    "scenario",
    *PANEL_KEYS.values(),
    "replicates",
    "view",
    "place_file",
)
HORIZON = (1, 30)  # years of the replicates (the page's slider)
ADOPT_YEARS = (1, 10)
# How the result is read, not what is run: the first financial year (0: years 1, 2, ...), the
# year the cards show (0: the last) and the outcome of the time to benefit.
VIEW_DEFAULTS = {"first_financial_year": 0, "cards_year": 0, "outcome": "population_health"}
FINANCIAL_YEARS = (1948, 2100)  # the NHS's first year to the app's last


class ScenarioError(ParameterError):
    """A scenario file or link that cannot be applied; one line naming the key."""


@dataclass(frozen=True)
class Snapshot:
    """The settings of one NHS comparison: scenario, both panels, the replicates' horizon."""

    scenario: Scenario
    presets: dict  # side -> preset name
    rules: dict  # side -> RuleSet
    adopt_year: dict  # side -> years under fortress first (0: the rules from the start)
    horizon_years: int = 10
    view: dict = field(default_factory=lambda: dict(VIEW_DEFAULTS))

    @classmethod
    def of(cls, state) -> Snapshot:
        """The current settings of a `ComparisonState` (its NHS view)."""
        rs = results_state(state)
        return cls(
            scenario=state.scenario.value,
            presets={s: state.preset[s].value for s in SIDES},
            rules={s: state.rules[s].value for s in SIDES},
            adopt_year={s: int(state.adopt_year[s].value) for s in SIDES},
            horizon_years=int(state.rep_years.value),
            view={
                "first_financial_year": int(state.start_year.value or 0),
                "cards_year": int(rs.year.value or 0),
                "outcome": rs.outcome.value,
            },
        )

    def apply(self, state) -> bool:
        """Set a `ComparisonState` to these settings and rebuild its runs once."""
        state.scenario.value = self.scenario
        for side in SIDES:
            state.preset[side].value = self.presets[side]
            state.rules[side].value = self.rules[side]
            state.adopt_year[side].value = self.adopt_year[side]
        state.rep_years.value = self.horizon_years
        rs = results_state(state)
        rs.year.value = self.view["cards_year"]
        rs.outcome.value = self.view["outcome"]
        state.start_year.value = self.view["first_financial_year"]
        return state.rebuild()  # the live plots are drawn anew with the financial years

    def same_runs_as(self, other: Snapshot) -> bool:
        """True when both give the same runs (rule names aside)."""
        return (
            _comparable(self.scenario) == _comparable(other.scenario)
            and self.presets == other.presets
            and self.adopt_year == other.adopt_year
            and self.horizon_years == other.horizon_years
            and all(self.rules[s].levers() == other.rules[s].levers() for s in SIDES)
        )

    # ------------------------------------------------------------------ to a dict
    def to_dict(self) -> dict:
        """Plain values (JSON and TOML types), the layout of a scenario file."""
        sc = self.scenario
        out = {
            "format": FORMAT,
            "version": VERSION,
            "scenario": {key: _plain(getattr(sc, key)) for key in SCENARIO_KEYS},
        }
        for side, key in PANEL_KEYS.items():
            on, off, levers = panel_changes(self.presets[side], self.rules[side])
            out[key] = {
                "rules": self.presets[side],
                "switched_on": on,
                "switched_off": off,
                "levers": levers,
                "adopt_in_year": self.adopt_year[side] + 1,
            }
        out["replicates"] = {"horizon_years": self.horizon_years}
        out["view"] = dict(self.view)
        if sc.system == UPLOADED and sc.uploaded is not None:
            up = sc.uploaded
            out["place_file"] = {"name": up.name, "sha256": up.sha256, "text": up.text}
        return out

    # ------------------------------------------------------------------ from a dict
    @classmethod
    def from_dict(cls, data: dict, where: str = "scenario") -> Snapshot:
        """Check a dict of `to_dict`'s layout (missing keys take the page's defaults)."""
        _table(data, "", TOP_KEYS, where)
        if data.get("format", FORMAT) != FORMAT:
            _fail(where, "format", data["format"], f"the text {FORMAT!r}")
        if data.get("version", VERSION) != VERSION:
            _fail(where, "version", data["version"], str(VERSION))
        scenario = _scenario(data.get("scenario", {}), data.get("place_file"), where)
        presets, rules, years = {}, {}, {}
        for side, key in PANEL_KEYS.items():
            presets[side], rules[side], years[side] = _panel(data.get(key, {}), side, key, where)
        reps = data.get("replicates", {})
        _table(reps, "replicates.", ("horizon_years",), where)
        horizon = _int(reps.get("horizon_years", 10), "replicates.horizon_years", HORIZON, where)
        return cls(scenario, presets, rules, years, horizon, _view(data.get("view", {}), where))


def panel_changes(preset: str, rules: RuleSet) -> tuple[list, list, dict]:
    """Principles switched on and off from `preset`, and any other levers that differ."""
    base, on_rules, off_rules = PRESETS[preset], PRESETS["shared_governance"], PRESETS["fortress"]
    on, off, levers = [], [], {}
    for principle, spec in PRINCIPLES.items():
        now = {lv: getattr(rules, lv) for lv in spec["levers"]}
        if now == {lv: getattr(base, lv) for lv in now}:
            continue
        if now == {lv: getattr(on_rules, lv) for lv in now}:
            on.append(principle)
        elif now == {lv: getattr(off_rules, lv) for lv in now}:
            off.append(principle)
        else:
            levers.update({lv: _plain(value) for lv, value in now.items()})
    return on, off, levers


def _comparable(scenario: Scenario) -> Scenario:
    """The scenario with its uploaded place file as the hash of its text."""
    up = scenario.uploaded
    return replace(scenario, uploaded=None if up is None else up.sha256)


# --------------------------------------------------------------------------- checks
def _fail(where: str, key: str, value, allowed: str):
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise ScenarioError(f"{where}: {key} = {shown} is not allowed; allowed: {allowed}")


def _plain(value):
    """Python bool, int, float or str (numpy scalars as their Python value)."""
    return value.item() if hasattr(value, "item") else value


def _table(value, prefix: str, keys, where: str) -> None:
    if not isinstance(value, dict):
        _fail(where, prefix.rstrip(".") or "the file", value, "a table of keys")
    for key in value:
        if key not in keys:
            _fail(where, f"{prefix}{key}", value[key], f"a known key ({', '.join(keys)})")


def _number(value, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(where, key, value, "a number")
    return float(value)


def _checked(check, value, key: str, where: str, *bounds: int) -> int:
    """`check(value, key, *bounds)` (`sim.core.checks`), its refusal as one `ScenarioError` line
    naming where, the key, the value and what is allowed."""
    try:
        return check(value, key, *bounds)
    except ParameterError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def _int(value, key: str, bounds: tuple[int, int], where: str) -> int:
    """`value` as an int in `bounds` (`check_int`: integers only, no bool, no float)."""
    return _checked(check_int, value, key, where, *bounds)


def _scenario(table, place_file, where: str) -> Scenario:
    _table(table, "scenario.", SCENARIO_KEYS, where)
    base = Scenario()
    values = {}
    for key in ("funding_gap", "need_growth", "ageing"):
        values[key] = _number(table.get(key, getattr(base, key)), f"scenario.{key}", where)
    places = table.get("n_places", base.n_places)
    values["n_places"] = _int(places, "scenario.n_places", (1, 50), where)
    seed = table.get("seed", base.seed)
    values["seed"] = _checked(check_seed, seed, "scenario.seed", where)  # [0, MAX_SEED]
    system = table.get("system", base.system)
    if system not in (*SYSTEMS, UPLOADED):
        _fail(where, "scenario.system", system, ", ".join((*SYSTEMS, UPLOADED)))
    scenario = Scenario(**values, system=system)
    if system == UPLOADED:
        scenario = replace(scenario, uploaded=_place_file(place_file, where))
    try:
        scenario.params()
    except ParameterError as exc:
        raise ScenarioError(f"{where}: scenario: {exc}") from None
    return scenario


def _place_file(table, where: str):
    from sim.engine.placefile import parse_place_file

    if table is None:
        allowed = "a [place_file] table with the file's text when scenario.system is 'uploaded'"
        _fail(where, "place_file", None, allowed)
    _table(table, "place_file.", ("name", "sha256", "text"), where)
    text = table.get("text")
    if not isinstance(text, str):
        _fail(where, "place_file.text", text, "the text of a place file")
    name = table.get("name", "place file")
    if not isinstance(name, str) or not name.strip():
        _fail(where, "place_file.name", name, "a non-empty text")
    return parse_place_file(text, where=name)  # its errors name the file, line and field


def _view(table, where: str) -> dict:
    _table(table, "view.", tuple(VIEW_DEFAULTS), where)
    view = {**VIEW_DEFAULTS, **table}
    year = view["first_financial_year"]
    if year != 0:
        _int(year, "view.first_financial_year", FINANCIAL_YEARS, where)
    elif isinstance(year, bool) or not isinstance(year, int):
        _fail(where, "view.first_financial_year", year, "0 (none) or a year from 1948 to 2100")
    _int(view["cards_year"], "view.cards_year", (0, HORIZON[1]), where)
    if view["outcome"] not in BY_NAME:
        _fail(where, "view.outcome", view["outcome"], ", ".join(BY_NAME))
    return view


def _names(value, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or any(v not in PRINCIPLES for v in value):
        _fail(where, key, value, f"a list of design principles ({', '.join(PRINCIPLES)})")
    return list(value)


def _panel(table, side: str, key: str, where: str) -> tuple[str, RuleSet, int]:
    _table(table, f"{key}.", PANEL_FIELDS, where)
    preset = table.get("rules", DEFAULT_PRESETS[side])
    if preset not in PRESETS:
        _fail(where, f"{key}.rules", preset, ", ".join(PRESETS))
    rules = panel_rules(preset, side)
    for name, on in (("switched_on", True), ("switched_off", False)):
        for principle in _names(table.get(name, []), f"{key}.{name}", where):
            rules = set_principle(rules, principle, on)
    levers = table.get("levers", {})
    _table(levers, f"{key}.levers.", [f.name for f in fields(RuleSet) if f.name != "name"], where)
    try:
        rules = rules.with_levers(name=rules.name, **levers)
    except ParameterError as exc:
        raise ScenarioError(f"{where}: {key}.levers: {exc}") from None
    year = _int(table.get("adopt_in_year", 1), f"{key}.adopt_in_year", ADOPT_YEARS, where)
    return preset, rules, year - 1
