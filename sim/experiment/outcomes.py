"""Outcome defaults of the report: which outcomes and series it shows when the experiment file
does not choose, and which outcomes are better when lower."""

from __future__ import annotations

# Outcomes the report shows when the file does not choose, per scenario.
DEFAULT_OUTCOMES = {
    "place_system": (
        "population_health",
        "system_deficit",
        "pool_balance",
        "unmet_need",
        "acute_share_change",
        "acute_demand_vs_trend",
        "mean_cooperation",
        "mean_trust",
        "provider_failures",
        "governance_costs",
    ),
    "classroom_commons": ("efficiency", "total_appropriation", "mean_cooperation", "fines"),
    "public_goods": ("contribution_first", "contribution_last", "efficiency", "mean_cooperation"),
}
# Outcomes where less is better (used to orient "advantage" in the crossover analysis).
LOWER_IS_BETTER = {
    "system_deficit",
    "commissioner_deficit",
    "provider_deficit",
    "unmet_need",
    "waiting_list",
    "acute_share",
    "acute_share_change",
    "acute_demand_vs_trend",
    "provider_failures",
    "providers_in_deficit",
    "transaction_costs",
    "governance_costs",
    "takeover_costs",
    "gini",
    "breaches_detected",
    "sanctions",
    "fines",
    "total_appropriation",
    "overspend_per_year",
    "overspend_share",
    "costs_per_year",
    "deficit_share",
    "new_unmet_need",
    "waiting_patients",
    "waiting_patients_acute",
    "avoidable_admission_rate",
    "avoidable_admissions",
    "spend_per_need_met",
    "spend_per_health_point",
    "providers_in_support",
    "providers_in_special_measures",
    "special_measures_entries",
    "delayed_discharges",
}
# Outcomes that are neither better higher nor lower, and how the report reads them.
MONEY = "a cost: weigh it against the outcomes"
NEITHER = {
    "total_allocation": MONEY,
    "allocation_per_year": MONEY,
    "spend_per_year": MONEY,
    "total_spend": MONEY,
    "total_need_met": "care given: weigh it against the need and the spend",
    "acute_deficit_share": "neither: where the providers' deficit falls",
    "capital_invested_per_year": "capacity bought: weigh it against the care it made possible",
    "efficiency_paid_back_per_year": "neither: prices falling as the tariff's efficiency "
    "factor asks, paid back to the pools",
}


def direction(outcome: str) -> str:
    """How the report reads an outcome: 'lower is better', 'higher is better', or for an outcome
    that is neither, what it is (money to weigh against what it bought, where a deficit falls)."""
    if outcome in NEITHER:
        return NEITHER[outcome]
    return "lower is better" if outcome in LOWER_IS_BETTER else "higher is better"


def default_fan(scenario: str) -> list[str]:
    """The measures shown as fan charts when the file does not choose (`report.fan_measures`)."""
    if scenario == "place_system":
        return [
            "population_health",
            "system_deficit",
            "mean_cooperation",
            "mean_trust",
            "acute_share",
            "unmet_need",
        ]
    if scenario == "classroom_commons":
        return ["total_appropriation", "efficiency", "mean_cooperation"]
    return ["mean_contribution", "efficiency", "mean_cooperation"]
