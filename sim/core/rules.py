"""Rule sets: institutional levers, the design principles they implement, and named presets.

A rule set only sets mechanism parameters. The model never looks at a rule set's name: a custom
`RuleSet` with a preset's values gives the preset's results to the bit.

Each lever implements one or more of the ten design principles of place-based systems of care
(Ham & Alderwick 2015, "Place-based systems of care", The King's Fund) and of Ostrom's eight design
principles for long-enduring commons (Ostrom 1990, "Governing the Commons"):

=========================== ================================================ ==========================
lever                        place-based design principle (Ham & Alderwick)   Ostrom (1990)
=========================== ================================================ ==========================
scope                        1 population and boundary; 3 services in scope   1 clear boundaries
partnership_breadth          2 the right partners                             1 clear boundaries (users)
shared_vision                4 shared vision and objectives                   (3 collective choice)
agreed_shares                5 governance, collective decisions               2 congruent rules
prevention_slice             3 services in scope (prevention in the pool)     2 congruent rules
collective_choice            5 ceded sovereignty, collective decisions        3 collective-choice arenas
public_involvement           5 involving the public                           3 collective-choice arenas
system_leadership            6 system leadership                              (3, 6)
conflict_resolution          7 planned conflict resolution                    6 conflict resolution
sanction_severity            7 consequences for rule breakers                 5 graduated sanctions
graduated_sanctions          7 consequences for rule breakers                 5 graduated sanctions
monitoring                   10 single set of measures (open books)           4 monitoring
funding_model                8 funding model with pooled resources            2 congruent rules
strategic_commissioning      8 funding model (fewer, longer contracts)        2 congruent rules
dedicated_team               9 a dedicated team                               4 monitoring (capacity)
whole_system_regulation      10 a single set of measures                      7 right to organise
local_autonomy               5 ceded sovereignty                              7 recognised right to organise
nested_coordination          1 boundary (places in a system)                  8 nested enterprises
=========================== ================================================ ==========================
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import asdict, dataclass, fields, replace
from functools import reduce

import numpy as np

from sim.core.constants import FLOAT, FUNDING_MODELS
from sim.core.params import ParameterError
from sim.core.principles import PRINCIPLES

# Lever: (low, high) for numbers; a tuple of names for categories; bool for switches.
LEVER_RANGES: dict[str, object] = {
    "funding_model": FUNDING_MODELS,
    "agreed_shares": bool,
    "scope": (0.0, 1.0),
    "partnership_breadth": (0.0, 1.0),
    "prevention_slice": (0.0, 0.2),
    "shared_vision": (0.0, 1.0),
    "collective_choice": (0.0, 1.0),
    "public_involvement": (0.0, 1.0),
    "system_leadership": (0.0, 1.0),
    "conflict_resolution": (0.0, 1.0),
    "monitoring": (0.0, 1.0),
    "sanction_severity": (0.0, 2.0),
    "graduated_sanctions": bool,
    "dedicated_team": (0.0, 1.0),
    "whole_system_regulation": (0.0, 1.0),
    "local_autonomy": (0.0, 1.0),
    "nested_coordination": (0.0, 1.0),
    "strategic_commissioning": (0.0, 1.0),
}
LEVERS = tuple(LEVER_RANGES)
LEVER_INDEX = {name: i for i, name in enumerate(LEVERS)}
# Positions in the lever vector by attribute (`RX.monitoring`), usable inside compiled code.
RX = namedtuple("LeverIndex", LEVERS)(*range(len(LEVERS)))
N_LEVERS = len(LEVERS)


@dataclass(frozen=True)
class RuleSet:
    """Institutional levers of one rule set.

    Attributes:
        funding_model: How the commissioner pays: "activity" (payment by results, acute tariff
            paid first), "block", "capitated" (pooled budget) or "alliance" (pooled budget with
            gains and losses shared).
        agreed_shares: Partners agree each one's share of the pool.
        scope: Share of the pool (services, population) that the agreement and its open books
            cover; within it the place's own data show part of each partner's conduct.
        partnership_breadth: How far down the list acute, community, mental health, primary care,
            social care, ambulance the partnership reaches (1 = all).
        prevention_slice: Share of the pool ring-fenced for prevention in the agreement.
        shared_vision: Weight each organisation puts on the system's outcome.
        collective_choice: Partners choose the rules: agreed shares follow each one's need, the
            members vote each year on the prevention slice and the fine, and the rules are
            legitimate (1); or they are imposed on historical shares (0).
        public_involvement: The public is involved: the rules gain legitimacy, the prevention
            slice is paid first, in part, when the pool is short, and the public asks for a slice
            of its own where the rules table less.
        system_leadership: Speeds the rise of trust and of conditional cooperation.
        conflict_resolution: Softens the fall of trust after a breach.
        monitoring: Probability that a breach of an agreed share is detected (open books), and
            how much of each partner's conduct they show.
        sanction_severity: Fine per unit overclaimed, as a multiple of the world's fine unit (the
            regulator's too, for a provider outside any agreement).
        graduated_sanctions: Sanctions start with a warning and rise with the breach record.
        dedicated_team: A team that runs the partnership (lowers governance cost per lever).
        whole_system_regulation: Regulator rates the place (1) or each organisation (0).
        local_autonomy: Regulator respects local agreements (1) or overrides them (0).
        nested_coordination: Places pool financial risk within their integrated care system.
        strategic_commissioning: Fewer, longer contracts (lower transaction cost).
    """

    funding_model: str = "activity"
    agreed_shares: bool = False
    scope: float = 0.0
    partnership_breadth: float = 0.0
    prevention_slice: float = 0.0
    shared_vision: float = 0.0
    collective_choice: float = 0.0
    public_involvement: float = 0.0
    system_leadership: float = 0.0
    conflict_resolution: float = 0.0
    monitoring: float = 0.0
    sanction_severity: float = 0.0
    graduated_sanctions: bool = False
    dedicated_team: float = 0.0
    whole_system_regulation: float = 0.0
    local_autonomy: float = 0.0
    nested_coordination: float = 0.0
    strategic_commissioning: float = 0.0
    name: str = "custom"

    def __post_init__(self):
        for f in fields(self):
            if f.name == "name":
                if not isinstance(self.name, str):
                    raise ParameterError(f"rules.name={self.name!r} must be a string")
                continue
            _check_lever(f.name, getattr(self, f.name))

    def without(self, principle: str) -> RuleSet:
        """This rule set with one design principle switched off (its levers set as in fortress)."""
        if principle not in PRINCIPLES:
            raise ParameterError(
                f"principle={principle!r} is not a design principle; valid: {', '.join(PRINCIPLES)}"
            )
        off = {
            lever: getattr(PRESETS["fortress"], lever) for lever in PRINCIPLES[principle]["levers"]
        }
        return replace(self, name=f"{self.name}-{principle}", **off)

    def with_levers(self, name: str | None = None, **levers) -> RuleSet:
        """A copy with some levers changed (each validated), named for what changed unless `name` is
        given: `shared_governance[monitoring=0.5]` (see `override_name`)."""
        for key in levers:
            if key not in LEVER_RANGES:
                raise ParameterError(
                    f"{key}={levers[key]!r} is not a rule lever; valid: {', '.join(LEVERS)}"
                )
        out = replace(self, **levers)
        return replace(out, name=name or override_name(self, out))

    def levers(self) -> dict[str, object]:
        out = asdict(self)
        out.pop("name")
        return out

    def principles_on(self) -> dict[str, bool]:
        """Which principles are on (any of their levers differs from fortress)."""
        base = PRESETS["fortress"]
        return {
            p: any(getattr(self, lv) != getattr(base, lv) for lv in spec["levers"])
            for p, spec in PRINCIPLES.items()
        }

    def vector(self) -> np.ndarray:
        """The lever vector the kernel reads."""
        vec = np.zeros(N_LEVERS, dtype=FLOAT)
        for name in LEVERS:
            value = getattr(self, name)
            if name == "funding_model":
                value = FUNDING_MODELS.index(value)
            vec[LEVER_INDEX[name]] = float(value)
        return vec


def override_name(reference: RuleSet, changed: RuleSet) -> str:
    """`reference`'s name with the levers `changed` sets apart from its preset (or preset-principle,
    `shared_governance-monitoring`): `shared_governance[monitoring=0.5, scope=0.8]`, in `LEVERS`
    order, numbers to 12 digits. Any other name (one the user chose) is kept as it is."""
    root = reference.name.rsplit("[", 1)[0] if reference.name.endswith("]") else reference.name
    preset, *left_out = root.split("-")
    if preset not in PRESETS or not set(left_out) <= set(PRINCIPLES):
        return reference.name
    base = reduce(RuleSet.without, left_out, PRESETS[preset])
    diff = {k: getattr(changed, k) for k in LEVERS if getattr(changed, k) != getattr(base, k)}
    shown = ", ".join(
        f"{k}={v}" if isinstance(v, bool | np.bool_ | str) else f"{k}={v:.12g}"
        for k, v in diff.items()
    )
    return f"{root}[{shown}]" if shown else root


def _check_lever(name: str, value: object) -> None:
    allowed = LEVER_RANGES[name]
    if allowed is bool:
        if not isinstance(value, bool | np.bool_):
            raise ParameterError(
                f"rules.{name}={value!r} has type {type(value).__name__}; allowed: true or false"
            )
    elif isinstance(allowed, tuple) and isinstance(allowed[0], str):
        if value not in allowed:
            raise ParameterError(
                f"rules.{name}={value!r} is not allowed; allowed: {', '.join(allowed)}"
            )
    else:
        low, high = allowed
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise ParameterError(
                f"rules.{name}={value!r} has type {type(value).__name__}; "
                f"allowed: number in [{low:g}, {high:g}]"
            )
        if not (low <= float(value) <= high):
            raise ParameterError(
                f"rules.{name}={value!r} is out of range; allowed: number in [{low:g}, {high:g}]"
            )


PRESETS: dict[str, RuleSet] = {
    # Each organisation defends its own share: activity payment, silo regulation, no agreement.
    "fortress": RuleSet(name="fortress"),
    # Shared vision on paper, no teeth: no monitoring, no sanctions, silo regulation, tariff.
    "partnership_board": RuleSet(
        name="partnership_board",
        funding_model="activity",
        agreed_shares=True,
        scope=1.0,
        partnership_breadth=1.0,
        prevention_slice=0.03,
        shared_vision=0.3,
        collective_choice=1.0,
        public_involvement=0.5,
        system_leadership=0.3,
        conflict_resolution=0.3,
    ),
    # Top-down "success regime": the regulator imposes a plan (control totals) on the tariff system
    # and enforces it with heavy, flat sanctions; partners did not choose the rules.
    "success_regime": RuleSet(
        name="success_regime",
        funding_model="activity",
        agreed_shares=True,
        scope=1.0,
        partnership_breadth=0.6,
        prevention_slice=0.0,
        shared_vision=0.1,
        collective_choice=0.0,
        system_leadership=0.2,
        conflict_resolution=0.0,
        monitoring=1.0,
        sanction_severity=1.5,
        graduated_sanctions=False,
        dedicated_team=1.0,
        whole_system_regulation=0.5,
        local_autonomy=0.0,
        nested_coordination=0.5,
        strategic_commissioning=0.5,
    ),
    # Canterbury, New Zealand: "one system, one budget", alliance contracting sharing gains and losses.
    "canterbury_alliance": RuleSet(
        name="canterbury_alliance",
        funding_model="alliance",
        agreed_shares=True,
        scope=1.0,
        partnership_breadth=1.0,
        prevention_slice=0.04,
        shared_vision=1.0,
        collective_choice=1.0,
        public_involvement=1.0,
        system_leadership=1.0,
        conflict_resolution=1.0,
        monitoring=0.5,
        sanction_severity=0.3,
        graduated_sanctions=True,
        dedicated_team=1.0,
        whole_system_regulation=1.0,
        local_autonomy=1.0,
        nested_coordination=1.0,
        strategic_commissioning=1.0,
    ),
    # All ten design principles and Ostrom's eight.
    "shared_governance": RuleSet(
        name="shared_governance",
        funding_model="capitated",
        agreed_shares=True,
        scope=1.0,
        partnership_breadth=1.0,
        prevention_slice=0.03,
        shared_vision=1.0,
        collective_choice=1.0,
        public_involvement=1.0,
        system_leadership=1.0,
        conflict_resolution=1.0,
        monitoring=0.8,
        sanction_severity=0.6,
        graduated_sanctions=True,
        dedicated_team=1.0,
        whole_system_regulation=1.0,
        local_autonomy=1.0,
        nested_coordination=1.0,
        strategic_commissioning=1.0,
    ),
}


def resolve(rules: str | RuleSet | dict) -> RuleSet:
    """A preset name, a `RuleSet`, or a dict (with optional "preset" base) as a `RuleSet`."""
    if isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, str):
        if rules not in PRESETS:
            raise ParameterError(f"rules={rules!r} is not a preset; allowed: {', '.join(PRESETS)}")
        return PRESETS[rules]
    if isinstance(rules, dict):
        spec = dict(rules)
        base = resolve(spec.pop("preset", "fortress"))
        name = spec.pop("name", None)
        without = spec.pop("without", ())
        ruleset, reference = base.with_levers(**spec), base
        for principle in [without] if isinstance(without, str) else without:
            ruleset, reference = ruleset.without(principle), reference.without(principle)
        name = name or (override_name(reference, ruleset) if spec else None)
        return replace(ruleset, name=name) if name else ruleset
    raise ParameterError(
        f"rules={rules!r} has type {type(rules).__name__}; allowed: a preset name "
        f"({', '.join(PRESETS)}), a RuleSet or a dict of levers"
    )
