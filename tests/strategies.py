"""Hypothesis strategies for random scenarios and rule sets (shared by the model's tests)."""

from hypothesis import strategies as st

from sim.core.rules import LEVER_RANGES, RuleSet


@st.composite
def place_params(draw, max_places: int = 3):
    counts = {
        k: draw(st.integers(0, 2))
        for k in (
            "acute_per_place",
            "community_per_place",
            "mental_health_per_place",
            "primary_care_per_place",
            "social_care_per_place",
        )
    }
    ambulance = draw(st.integers(0, 2))
    if sum(counts.values()) + ambulance == 0:
        counts["acute_per_place"] = 1
    return {
        **counts,
        "ambulance_per_ics": ambulance,
        "n_ics": draw(st.integers(1, 2)),
        "n_places": draw(st.integers(1, max_places)),
        "population": draw(st.floats(10_000, 1_000_000)),
        "budget_growth": draw(st.floats(-0.1, 0.2)),
        "need_growth": draw(st.floats(-0.1, 0.2)),
        "ageing": draw(st.floats(0.0, 0.05)),
        "initial_health": draw(st.floats(0.1, 0.9)),
        "initial_cooperation": draw(st.floats(0.0, 1.0)),
        "initial_trust": draw(st.floats(0.0, 1.0)),
        "spillover": draw(st.floats(0.0, 3.0)),
        "failure_threshold": draw(st.floats(0.0, 0.5)),
        "prevention_saturation": draw(st.floats(0.005, 1.0)),
        "breach_visibility": draw(st.floats(0.0, 1.0)),
        "trust_grading": draw(st.floats(0.0, 1.0)),  # binary, graded or between (ODD 7.10)
        "regulator_override": draw(st.floats(0.0, 1.0)),
        "public_legitimacy": draw(st.floats(0.0, 1.0)),
        "sanction_escalation": draw(st.floats(1.0, 10.0)),
        "team_detection_gain": draw(st.floats(0.0, 2.0)),
        "transaction_activity": draw(st.floats(0.0, 0.14)),
        "cost_monitoring": draw(st.floats(0.0, 0.05)),
        # Judgements that are parameters: the duty to treat, conflict resolution's softening,
        # the weights on the system's outcome and the alliance's gain share.
        "duty_to_treat_community": draw(st.floats(0.0, 1.0)),
        "duty_to_treat_primary": draw(st.floats(0.0, 1.0)),
        "conflict_softening": draw(st.floats(0.0, 1.0)),
        "vision_weight": draw(st.floats(0.0, 1.0)),
        "whole_system_weight": draw(st.floats(0.0, 1.0)),
        "alliance_weight": draw(st.floats(0.0, 1.0)),
        "alliance_gain_share": draw(st.floats(0.0, 1.0)),
        # Places and organisations that differ (ODD 7.15), anywhere in their ranges.
        "population_spread": draw(st.floats(0.0, 0.9)),
        "need_spread": draw(st.floats(0.0, 0.5)),
        "need_compensation": draw(st.floats(0.0, 1.0)),
        "allocation_spread": draw(st.floats(0.0, 0.4)),
        "health_spread": draw(st.floats(0.0, 0.5)),
        "unit_cost_spread": draw(st.floats(0.0, 0.5)),
        "balance_spread": draw(st.floats(0.0, 0.5)),
        "size_spread": draw(st.floats(0.0, 0.9)),
        # The NHS mechanisms (ODD 7.17-7.23), anywhere in their ranges (special measures short
        # enough to end in takeovers within a test's months).
        "oversight_review": draw(st.integers(1, 12)),
        "oversight_wait": draw(st.floats(0.5, 24.0)),
        "special_measures_concern": draw(st.floats(0.1, 1.0)),
        "special_measures_cost": draw(st.floats(0.0, 0.1)),
        "special_measures_focus": draw(st.floats(0.0, 1.0)),
        "special_measures_limit": draw(st.integers(1, 24)),
        "discharge_delay": draw(st.floats(0.0, 2.0)),
        "joint_discharge": draw(st.floats(0.0, 1.0)),
        "capital_share": draw(st.floats(0.0, 0.2)),
        "capital_depreciation": draw(st.floats(0.0, 0.3)),
        "capital_intensity": draw(st.floats(0.5, 60.0)),
        "productivity_growth": draw(st.floats(0.0, 0.05)),
        "tariff_efficiency": draw(st.floats(0.0, 0.1)),
        "elective_share": draw(st.floats(0.0, 1.0)),
        "elective_dropout": draw(st.floats(0.001, 1.0)),
        "winter_amplitude": draw(st.floats(0.0, 0.3)),
    }


def clean(params: dict) -> dict:
    """The parameters as keyword arguments (kept as a hook for derived values)."""
    return dict(params)


@st.composite
def rule_sets(draw):
    levers = {}
    for name, allowed in LEVER_RANGES.items():
        if allowed is bool:
            levers[name] = draw(st.booleans())
        elif isinstance(allowed[0], str):
            levers[name] = draw(st.sampled_from(allowed))
        else:
            levers[name] = draw(st.floats(allowed[0], allowed[1]))
    return RuleSet(name="random", **levers)
