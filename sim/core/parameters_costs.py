"""Scenario parameters: the costs of commissioning and of governance, and two judgements of how
care is paid and delivered beyond the contract: the duty to treat unfunded care and the
alliance's gain share (see `sim.core.parameter_table`)."""

from __future__ import annotations

from sim.core.parameter_spec import (
    _COST,
    Param,
    row,
)

COST_PARAMETERS: tuple[Param, ...] = (
    # --- costs of commissioning and of governance (Health Committee 2010; ODD 5) ---
    row(
        "transaction_activity",
        0.02,
        float,
        0.0,
        0.14,
        "transaction cost of payment by activity, share of payments",
        "[HC2010] para 37: estimates 'as high as 14%' of NHS costs for all commissioning; "
        "reasoning: pricing, billing and disputes at 2%",
    ),
    row(
        "transaction_block",
        0.006,
        float,
        0.0,
        0.14,
        "transaction cost of block contracts, share of payments",
        "reasoning: a third of activity's (no billing per unit) [HC2010]",
    ),
    row(
        "transaction_capitated",
        0.005,
        float,
        0.0,
        0.14,
        "transaction cost of a pooled capitated budget, share of payments",
        "reasoning: one budget, no billing between partners [HC2010]",
    ),
    row(
        "transaction_alliance",
        0.006,
        float,
        0.0,
        0.14,
        "transaction cost of an alliance contract, share of payments",
        "reasoning: a pooled budget plus sharing gains and losses [HC2010]",
    ),
    # --- beyond the contract: unfunded care delivered, an alliance's underspend shared (ODD 7.6, 7.7) ---
    row(
        "duty_to_treat_community",
        0.3,
        float,
        0.0,
        1.0,
        "share of unfunded care community and mental health trusts still deliver",
        "reasoning: NHS trusts with lists they manage, not an emergency door (acute and "
        "ambulance trusts deliver all, 1; local authorities none, 0): about a third",
    ),
    row(
        "duty_to_treat_primary",
        0.2,
        float,
        0.0,
        1.0,
        "share of unfunded care primary care still delivers",
        "reasoning: GP practices are independent contractors paid per head, less bound than an "
        "NHS trust",
    ),
    row(
        "alliance_gain_share",
        0.5,
        float,
        0.0,
        1.0,
        "share of an alliance place's underspend returned to its providers",
        "reasoning: an alliance shares gains and losses between commissioner and providers; "
        "half each",
    ),
    row(
        "strategic_transaction_cut",
        0.5,
        float,
        0.0,
        1.0,
        "share of transaction costs saved by strategic commissioning",
        "reasoning: fewer, longer contracts halve contracting rounds",
    ),
    row(
        "team_transaction_cut",
        0.3,
        float,
        0.0,
        1.0,
        "share of transaction costs saved by a dedicated team",
        "reasoning: one team instead of each partner's contract staff",
    ),
    row("cost_shared_vision", 0.002, float, 0.0, 0.05, "running cost, shared vision", _COST),
    row(
        "cost_collective_choice",
        0.002,
        float,
        0.0,
        0.05,
        "running cost, collective choice",
        _COST,
    ),
    row("cost_monitoring", 0.003, float, 0.0, 0.05, "running cost, monitoring", _COST),
    row("cost_leadership", 0.002, float, 0.0, 0.05, "running cost, system leadership", _COST),
    row("cost_conflict", 0.001, float, 0.0, 0.05, "running cost, conflict resolution", _COST),
    row("cost_nested", 0.001, float, 0.0, 0.05, "running cost, nested coordination", _COST),
    row("cost_whole_system", 0.001, float, 0.0, 0.05, "running cost, single measures", _COST),
    row("cost_team", 0.002, float, 0.0, 0.05, "running cost, a dedicated team", _COST),
    row(
        "cost_public",
        0.001,
        float,
        0.0,
        0.05,
        "running cost, involving the public",
        "reasoning: engagement events and a citizens' panel, about a tenth of a per cent",
    ),
)
