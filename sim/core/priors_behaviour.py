"""Priors of the costs of commissioning and governance, and of behaviour (see
`sim.core.priors_table`, which gathers every prior).

Behaviour priors are centred on the place-based system's defaults; in the laboratory games the
parameters whose defaults differ there (`sim.core.params.SCENARIO_DEFAULTS`) are designs, not
beliefs, and `sim.core.priors.resolve` leaves them out of "all".
"""

from __future__ import annotations

from sim.core.prior_spec import Prior, loguniform, triangular

_HALF_DOUBLE = "reasoning: a stylised value, half to double the default"
_COST = "reasoning: the levers' running costs, of the order of NHS management costs; half to double"
_SETTLE = "reasoning: cooperation settles in one to two years [OGW1994, FG2000]; half to double"
_TYPES = (
    "[FGF2001]: 50% conditional, 30% free riders, 14% hump-shaped; reasoning: bounded so the "
    "three shares' highs sum to 1"
)

COST_PRIORS: tuple[Prior, ...] = (
    triangular(
        "transaction_activity",
        0.01,
        0.02,
        0.05,
        "[HC2010]: 'as high as 14%' for all commissioning; reasoning: 1-5% for billing",
    ),
    triangular("transaction_block", 0.003, 0.006, 0.012, "[HC2010]; " + _HALF_DOUBLE),
    triangular("transaction_capitated", 0.0025, 0.005, 0.01, "[HC2010]; " + _HALF_DOUBLE),
    triangular("transaction_alliance", 0.003, 0.006, 0.012, "[HC2010]; " + _HALF_DOUBLE),
    triangular("strategic_transaction_cut", 0.25, 0.5, 0.75, _HALF_DOUBLE + " (at most 75%)"),
    triangular("duty_to_treat_community", 0.15, 0.3, 0.6, "reasoning: half to double"),
    triangular("duty_to_treat_primary", 0.1, 0.2, 0.4, "reasoning: half to double"),
    triangular(
        "alliance_gain_share",
        0.25,
        0.5,
        0.75,
        "reasoning: gains shared, a quarter to three quarters",
    ),
    triangular("team_transaction_cut", 0.15, 0.3, 0.6, _HALF_DOUBLE),
    triangular("cost_shared_vision", 0.001, 0.002, 0.004, _COST),
    triangular("cost_collective_choice", 0.001, 0.002, 0.004, _COST),
    triangular("cost_monitoring", 0.0015, 0.003, 0.006, _COST),
    triangular("cost_leadership", 0.001, 0.002, 0.004, _COST),
    triangular("cost_conflict", 0.0005, 0.001, 0.002, _COST),
    triangular("cost_nested", 0.0005, 0.001, 0.002, _COST),
    triangular("cost_whole_system", 0.0005, 0.001, 0.002, _COST),
    triangular("cost_team", 0.001, 0.002, 0.004, _COST),
    triangular("cost_public", 0.0005, 0.001, 0.002, _COST),
)

BEHAVIOUR_PRIORS: tuple[Prior, ...] = (
    triangular("initial_cooperation", 0.3, 0.5, 0.7, "reasoning: neither side, +-0.2"),
    triangular("cooperation_spread", 0.1, 0.2, 0.4, _HALF_DOUBLE),
    triangular("initial_trust", 0.3, 0.5, 0.7, "reasoning: neither side, +-0.2"),
    loguniform(
        "learning_rate", 0.05, 0.2, "reasoning: half the gap closed in 3 to 14 months (seed 004)"
    ),
    loguniform("payoff_sensitivity", 10.0, 40.0, _SETTLE),
    triangular(
        "conditional_weight",
        0.4,
        0.6,
        0.8,
        "[FG2010]: conditional cooperation is imperfect; reasoning: +-0.2",
    ),
    triangular("share_conditional", 0.4, 0.5, 0.56, _TYPES),
    triangular("share_free_rider", 0.2, 0.3, 0.3, _TYPES),
    triangular("share_hump", 0.1, 0.14, 0.14, _TYPES),
    triangular(
        "leadership_spread",
        0.25,
        0.5,
        0.75,
        "reasoning: leaders differ by a quarter to three quarters either way",
    ),
    triangular("risk_spread", 0.25, 0.5, 0.75, "[HL2002]; reasoning: +-0.25"),
    triangular("trust_gate", 0.25, 0.5, 0.75, "reasoning: an assurance logic; +-0.25"),
    loguniform("exploration", 0.02, 0.08, _SETTLE),
    loguniform(
        "trust_gain", 0.015, 0.06, "seed 004: the speed of trust, years to build; half to double"
    ),
    triangular("trust_loss", 0.125, 0.25, 0.5, "seed 004: months to break; half to double"),
    triangular(
        "conflict_softening", 0.3, 0.6, 0.9, "reasoning: softens the fall, never undoes it; +-0.3"
    ),
    triangular("vision_weight", 0.3, 0.6, 0.9, "reasoning: the largest source of weight; +-0.3"),
    triangular("whole_system_weight", 0.1, 0.2, 0.4, "reasoning: half to double"),
    triangular("alliance_weight", 0.1, 0.2, 0.4, "reasoning: half to double"),
    triangular("join_trust", 0.125, 0.25, 0.5, "reasoning: seed 004; half to double"),
    triangular("breach_visibility", 0.25, 0.5, 0.75, "reasoning: part seen without open books"),
    triangular("breach_tolerance", 0.025, 0.05, 0.1, _SETTLE),
    triangular(
        "deterrence", 0.1, 0.2, 0.4, "[FG2000]: punishment restores contributions; half to double"
    ),
    triangular(
        "resentment", 0.075, 0.15, 0.3, "[Ost1990]: imposed sanctions crowd out; half to double"
    ),
    triangular("fine_per_unit", 0.5, 1.0, 2.0, "reasoning: a pound for a pound; half to double"),
    triangular(
        "sanction_escalation", 1.5, 2.0, 4.0, "[Ost1990]: sanctions rise; 1.5 to 4 times the fine"
    ),
    triangular("team_detection_gain", 0.125, 0.25, 0.5, _HALF_DOUBLE),
    triangular(
        "regulator_override",
        0.5,
        1.0,
        1.0,
        "reasoning: a recovery regime puts the provider's own balance first, at least half way",
    ),
    triangular("public_legitimacy", 0.15, 0.3, 0.6, _HALF_DOUBLE),
    triangular(
        "vote_fine_spread",
        0.5,
        1.0,
        1.0,
        "[EPP2009]: cooperators vote to punish; reasoning: at least half the full doubling",
    ),
)
