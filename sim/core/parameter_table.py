"""The parameter table: every scenario parameter with its default, type, range, scenarios, meaning
and source (or the reasoning for its value), declared once.

Sources are keyed as in docs/references.md; "reasoning" marks a stylised value with the argument
for it (docs/ODD.md, section 5, "Where the default values come from", says more). The machinery
that validates and packs these values is in `sim.core.params`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.constants import SCENARIOS


@dataclass(frozen=True)
class Param:
    """One scenario parameter.

    Attributes:
        name: The key in experiment files, `CareSystem(**params)` and `run_many(params=...)`.
        default: Its value unless set.
        kind: int or float.
        low, high: The allowed range (inclusive).
        doc: What it means, in one line.
        scenarios: The scenarios that accept it.
        source: Where the default comes from: a reference key of docs/references.md, or
            "reasoning: ..." for a stylised value.
    """

    name: str
    default: float
    kind: type
    low: float
    high: float
    doc: str
    scenarios: tuple[str, ...] = ("place_system",)
    source: str = ""

    def allowed(self) -> str:
        kind = "integer" if self.kind is int else "number"
        return f"{kind} in [{self.low:g}, {self.high:g}]"


_PS = ("place_system",)
_CPR = ("classroom_commons",)
_PG = ("public_goods",)
_LAB = _CPR + _PG
_ALL = SCENARIOS

# Reasons shared by several rows.
_SHAPE = "reasoning: a small integrated care system; any shape can be set"
_STYLISED = "reasoning: stylised so the base year is in balance (ODD 5)"
_BEHAVIOUR = "reasoning: cooperation settles in one to two years, as in [OGW1994, FG2000]"
_COST = "reasoning: the levers' running costs sum to 1.4%, the order of NHS management costs"


def _p(name, default, kind, low, high, doc, source, scenarios=_PS) -> Param:
    return Param(name, default, kind, low, high, doc, scenarios, source)


PARAMETERS: tuple[Param, ...] = (
    # --- world shape (place-based system of care) ---
    _p("n_ics", 1, int, 1, 100, "integrated care systems in the world", _SHAPE),
    _p("n_places", 3, int, 1, 50, "places in each integrated care system", _SHAPE),
    _p("acute_per_place", 1, int, 0, 5, "acute trusts in each place", _SHAPE),
    _p("community_per_place", 1, int, 0, 5, "community trusts in each place", _SHAPE),
    _p("mental_health_per_place", 1, int, 0, 5, "mental health trusts in each place", _SHAPE),
    _p("primary_care_per_place", 1, int, 0, 5, "primary care networks in each place", _SHAPE),
    _p("social_care_per_place", 1, int, 0, 5, "local authority social care providers", _SHAPE),
    _p("ambulance_per_ics", 1, int, 0, 3, "ambulance trusts, each serving every place", _SHAPE),
    _p("population", 500_000, float, 1_000, 5_000_000, "people in each place", _SHAPE),
    _p(
        "spend_per_head",
        2_600.0,
        float,
        100,
        20_000,
        "annual allocation per person (GBP)",
        "reasoning: NHS England spend per head, all services [NT2024]",
    ),
    # --- heterogeneity of places and organisations ---
    # Each spread is the half-range of a uniform keyed draw (ODD 7.15); all of them 0 give
    # identical places and identical organisations of each kind.
    _p(
        "population_spread",
        0.5,
        float,
        0.0,
        0.9,
        "half-range of a place's population around `population`, as a share",
        "[KF-PBP2022]: about 175 places, 'typically' 250,000-500,000 people, 'although this varies "
        "widely'; reasoning: 250,000-750,000 around 500,000",
    ),
    _p(
        "need_spread",
        0.15,
        float,
        0.0,
        0.5,
        "half-range of a place's need per head around the average (age and deprivation)",
        "reasoning: with need_compensation and allocation_spread, allocations per head within "
        "+-14% of the mean, as ICB core allocations in 2024/25 [HCL2024]",
    ),
    _p(
        "need_compensation",
        0.8,
        float,
        0.0,
        1.0,
        "share of a place's extra need per head that its allocation per head follows",
        "[BTR2014]: the formula gives deprived areas less weight than their need; reasoning: 0.8",
    ),
    _p(
        "allocation_spread",
        0.02,
        float,
        0.0,
        0.4,
        "half-range of a place's allocation per head apart from need (distance from target)",
        "reasoning: allocations sit within a few per cent of their formula targets; "
        "0.8 x 0.15 + 0.02 = 0.14 [HCL2024]",
    ),
    _p(
        "health_spread",
        0.12,
        float,
        0.0,
        0.5,
        "half-range of starting health around initial_health, lower where need is higher",
        "[ONS-HLE2016]: males' healthy life expectancy by local authority 55.0-70.5 years in "
        "2012-14, +-12% around the middle of that range",
    ),
    _p(
        "unit_cost_spread",
        0.05,
        float,
        0.0,
        0.5,
        "half-range of an organisation's cost per unit of care around 1",
        "[HFMA2009]: acute trusts' reference cost index 81-116 in 2007/08; reasoning: much of "
        "that is coding, nearly half of audited returns inaccurate [HFMA2015], so +-5%",
    ),
    _p(
        "balance_spread",
        0.05,
        float,
        0.0,
        0.5,
        "half-range of an organisation's starting balance, as a share of annual income",
        "reasoning: a surplus or deficit of a few per cent of income, as in 2015/16 "
        "[NHSI2016, NAO2016]",
    ),
    _p(
        "size_spread",
        0.5,
        float,
        0.0,
        0.9,
        "half-range of relative size among organisations sharing a line in a place",
        "reasoning: a teaching hospital beside a district general hospital, up to three times "
        "its size",
    ),
    # --- pressure ---
    _p(
        "budget_growth",
        0.02,
        float,
        -0.2,
        0.3,
        "annual real growth of the allocation",
        "[HF2018, KF-Act]: NHS real growth about 1-4% a year (6-7% in the 2000s)",
    ),
    _p(
        "need_growth",
        0.015,
        float,
        -0.2,
        0.3,
        "annual growth of need (multimorbidity)",
        "reasoning: with ageing, a gap of half a point a year (ODD 5)",
    ),
    _p(
        "ageing",
        0.01,
        float,
        0.0,
        0.2,
        "annual growth of need from an ageing population",
        "reasoning: with need_growth, a gap of half a point a year (ODD 5)",
    ),
    # --- population health and demand ---
    _p(
        "demand_noise",
        0.03,
        float,
        0.0,
        0.3,
        "standard deviation of a place's monthly demand shock (winter, outbreaks)",
        "reasoning: a few per cent month to month",
    ),
    _p("initial_health", 0.7, float, 0.05, 0.95, "population health stock at the start", _STYLISED),
    _p(
        "health_need_elasticity",
        0.5,
        float,
        0.0,
        5.0,
        "rise in need per relative fall in health",
        "calibrated to emergency admissions growth [HF2018] (ODD 5)",
    ),
    _p(
        "health_recovery",
        0.01,
        float,
        0.0,
        0.5,
        "monthly pull of health back to its baseline",
        "reasoning: health moves over years, not months",
    ),
    _p(
        "prevention_effect",
        0.035,
        float,
        0.0,
        1.0,
        "health gained per unit prevention/need, at the first pound",
        "[MLC2020]: a QALY costs about 3.55 times less from public health than from NHS spend "
        "(GBP 3,800 against 13,500); 3.5 x unmet_harm",
    ),
    _p(
        "prevention_saturation",
        0.05,
        float,
        0.005,
        1.0,
        "prevention/need at which its marginal effect has fallen to 1/e",
        "reasoning: returns halve near a 3.5% slice (public health grant about 2.4% of NHS "
        "spend when [MLC2020] measured it); 1 is nearly linear",
    ),
    _p(
        "unmet_harm",
        0.01,
        float,
        0.0,
        1.0,
        "health lost per unit share of need leaving untreated",
        "calibrated to emergency admissions growth [HF2018] (ODD 5)",
    ),
    _p(
        "spillover",
        0.7,
        float,
        0.0,
        5.0,
        "acute demand per pound of out-of-hospital need left untreated",
        "calibrated to emergency admissions growth [HF2018] (ODD 5)",
    ),
    _p(
        "waiting_attrition",
        0.3,
        float,
        0.01,
        1.0,
        "share of the waiting list leaving each month",
        "reasoning: a waiting list turns over in about three months",
    ),
    _p(
        "running_cost_share",
        0.02,
        float,
        0.0,
        0.5,
        "share of the base-year allocation for running costs",
        "reasoning: commissioner running costs about 2% of allocations",
    ),
    _p(
        "capacity_headroom",
        0.1,
        float,
        0.0,
        1.0,
        "provider capacity above starting need",
        "reasoning: beds and staff about 10% above average demand",
    ),
    _p(
        "induced_demand",
        0.15,
        float,
        0.0,
        1.0,
        "extra activity billable when activity is paid",
        "reasoning: supplier-induced activity under payment by results",
    ),
    _p(
        "tariff_margin",
        0.0,
        float,
        -0.5,
        0.5,
        "margin on planned activity under the tariff",
        "reasoning: the tariff is set at average cost (ODD 5)",
    ),
    _p(
        "emergency_marginal_rate",
        0.3,
        float,
        0.0,
        1.0,
        "tariff paid for emergency growth",
        "the marginal rate rule: 30% of tariff above the 2008/09 baseline (ODD 5)",
    ),
    _p(
        "target_value",
        0.3,
        float,
        0.0,
        2.0,
        "value to an organisation of meeting its own targets",
        "reasoning: own targets weigh about a third of a pound of income",
    ),
    _p(
        "prevention_value",
        1.5,
        float,
        0.0,
        5.0,
        "system value of a pound of prevention",
        "reasoning: what a board believes prevention saves; below [MLC2020]'s 3.55",
    ),
    # --- costs of commissioning and of governance (Health Committee 2010; ODD 5) ---
    _p(
        "transaction_activity",
        0.02,
        float,
        0.0,
        0.14,
        "transaction cost of payment by activity, share of payments",
        "[HC2010] para 37: estimates 'as high as 14%' of NHS costs for all commissioning; "
        "reasoning: pricing, billing and disputes at 2%",
    ),
    _p(
        "transaction_block",
        0.006,
        float,
        0.0,
        0.14,
        "transaction cost of block contracts, share of payments",
        "reasoning: a third of activity's (no billing per unit) [HC2010]",
    ),
    _p(
        "transaction_capitated",
        0.005,
        float,
        0.0,
        0.14,
        "transaction cost of a pooled capitated budget, share of payments",
        "reasoning: one budget, no billing between partners [HC2010]",
    ),
    _p(
        "transaction_alliance",
        0.006,
        float,
        0.0,
        0.14,
        "transaction cost of an alliance contract, share of payments",
        "reasoning: a pooled budget plus sharing gains and losses [HC2010]",
    ),
    _p(
        "strategic_transaction_cut",
        0.5,
        float,
        0.0,
        1.0,
        "share of transaction costs saved by strategic commissioning",
        "reasoning: fewer, longer contracts halve contracting rounds",
    ),
    _p(
        "team_transaction_cut",
        0.3,
        float,
        0.0,
        1.0,
        "share of transaction costs saved by a dedicated team",
        "reasoning: one team instead of each partner's contract staff",
    ),
    _p("cost_shared_vision", 0.002, float, 0.0, 0.05, "running cost, shared vision", _COST),
    _p(
        "cost_collective_choice",
        0.002,
        float,
        0.0,
        0.05,
        "running cost, collective choice",
        _COST,
    ),
    _p("cost_monitoring", 0.003, float, 0.0, 0.05, "running cost, monitoring", _COST),
    _p("cost_leadership", 0.002, float, 0.0, 0.05, "running cost, system leadership", _COST),
    _p("cost_conflict", 0.001, float, 0.0, 0.05, "running cost, conflict resolution", _COST),
    _p("cost_nested", 0.001, float, 0.0, 0.05, "running cost, nested coordination", _COST),
    _p("cost_whole_system", 0.001, float, 0.0, 0.05, "running cost, single measures", _COST),
    _p("cost_team", 0.002, float, 0.0, 0.05, "running cost, a dedicated team", _COST),
    _p(
        "cost_public",
        0.001,
        float,
        0.0,
        0.05,
        "running cost, involving the public",
        "reasoning: engagement events and a citizens' panel, about a tenth of a per cent",
    ),
    # --- finance and failure ---
    _p(
        "repayment_rate",
        0.04,
        float,
        0.0,
        1.0,
        "share of system deficit repaid each month",
        "reasoning: a deficit is recovered over about two years",
    ),
    _p(
        "max_repayment_share",
        0.05,
        float,
        0.0,
        0.5,
        "cap on repayment as share of allocation",
        "reasoning: recovery plans rarely take more than 5% of a budget",
    ),
    _p(
        "reserve_draw",
        0.1,
        float,
        0.0,
        1.0,
        "share of reserves a commissioner may spend a month",
        "reasoning: reserves are spent over about a year",
    ),
    _p(
        "failure_threshold",
        0.5,
        float,
        0.0,
        2.0,
        "deficit/annual income at which a provider fails",
        "[NAO2016]: 65% of providers in deficit in 2015/16, few taken over (ODD 5)",
    ),
    _p(
        "takeover_cost",
        0.02,
        float,
        0.0,
        1.0,
        "one-off cost of a takeover/annual income",
        "reasoning: a turnaround team for a year",
    ),
    # --- the laboratory common-pool resource game (Ostrom, Gardner & Walker 1994) ---
    _p("n_appropriators", 8, int, 2, 100, "players in the group", "[OGW1994]", _LAB),
    _p("endowment", 25.0, float, 1, 1000, "tokens each player holds each round", "[OGW1994]", _LAB),
    _p(
        "cpr_a",
        23.0,
        float,
        0.0,
        1000,
        "group return F(X) = aX - bX^2: a (cents)",
        "[OGW1994]",
        _CPR,
    ),
    _p(
        "cpr_b",
        0.25,
        float,
        0.0001,
        100,
        "group return F(X) = aX - bX^2: b (cents)",
        "[OGW1994]",
        _CPR,
    ),
    _p(
        "outside_return",
        5.0,
        float,
        0.0,
        1000,
        "return of a token in the outside market (cents)",
        "[OGW1994]",
        _CPR,
    ),
    _p(
        "adjustment",
        0.3,
        float,
        0.01,
        1.0,
        "share of the gap to a best response closed a round",
        "reasoning: play approaches Nash over about ten rounds [OGW1994]",
        _CPR,
    ),
    # --- the linear public goods game (Fehr & Gaechter 2000) ---
    _p(
        "mpcr",
        0.4,
        float,
        0.0,
        1.0,
        "marginal per-capita return of the public account",
        "[FG2000]",
        _PG,
    ),
    # --- behaviour (all worlds) ---
    _p(
        "initial_cooperation",
        0.5,
        float,
        0.0,
        1.0,
        "mean starting cooperation",
        "reasoning: neither side",
        _ALL,
    ),
    _p(
        "cooperation_spread",
        0.2,
        float,
        0.0,
        1.0,
        "range of starting cooperation",
        "reasoning",
        _ALL,
    ),
    _p(
        "initial_trust",
        0.5,
        float,
        0.0,
        1.0,
        "starting trust between partners",
        "reasoning: neither side",
        _ALL,
    ),
    _p(
        "learning_rate",
        0.1,
        float,
        0.0,
        1.0,
        "share of the gap to target closed a month",
        "reasoning: boards meet monthly; the speed of trust (seed 004; ODD 5)",
        _ALL,
    ),
    _p(
        "payoff_sensitivity",
        20.0,
        float,
        0.0,
        1000.0,
        "response to the incentive",
        _BEHAVIOUR,
        _ALL,
    ),
    _p(
        "conditional_weight",
        0.6,
        float,
        0.0,
        1.0,
        "weight on belief about partners",
        "[FG2010]: conditional cooperation is imperfect",
        _ALL,
    ),
    _p(
        "share_conditional",
        0.5,
        float,
        0.0,
        1.0,
        "conditional cooperators [FGF2001]",
        "[FGF2001]",
        _ALL,
    ),
    _p("share_free_rider", 0.3, float, 0.0, 1.0, "free riders [FGF2001]", "[FGF2001]", _ALL),
    _p(
        "share_hump", 0.14, float, 0.0, 1.0, "hump-shaped contributors [FGF2001]", "[FGF2001]", _ALL
    ),
    _p(
        "leadership_spread",
        0.5,
        float,
        0.0,
        1.0,
        "half-range of leadership around 1",
        "reasoning: boards' leaders differ by half either way",
        _ALL,
    ),
    _p(
        "risk_spread",
        0.5,
        float,
        0.0,
        1.0,
        "half-range of fine weight around 1 [HL2002]",
        "[HL2002]",
        _ALL,
    ),
    _p(
        "trust_gate",
        0.5,
        float,
        0.0,
        1.0,
        "share of kept norm that waits on trust",
        "reasoning: an assurance logic (ODD 5)",
        _ALL,
    ),
    _p(
        "exploration",
        0.04,
        float,
        0.0,
        1.0,
        "range of random trial changes in cooperation",
        _BEHAVIOUR,
        _ALL,
    ),
    _p(
        "trust_gain",
        0.03,
        float,
        0.0,
        1.0,
        "monthly rise of trust after a kept agreement",
        "seed 004: the speed of trust; years to build (ODD 5)",
        _ALL,
    ),
    _p(
        "trust_loss",
        0.25,
        float,
        0.0,
        1.0,
        "fall of trust after a breach",
        "seed 004: months to break (ODD 5)",
        _ALL,
    ),
    _p(
        "breach_visibility",
        0.5,
        float,
        0.0,
        1.0,
        "share of partners' conduct seen without open books",
        "reasoning: without shared data a partner's breach shows only in part; 1 in the "
        "laboratory games, where the group total is shown each round [OGW1994]",
        _ALL,
    ),
    _p(
        "breach_tolerance",
        0.05,
        float,
        0.0,
        1.0,
        "overclaim share tolerated before a breach",
        _BEHAVIOUR,
        _ALL,
    ),
    _p(
        "deterrence",
        0.2,
        float,
        0.0,
        1.0,
        "cooperation gained from a legitimate sanction",
        "[FG2000]: punishment restores contributions",
        _ALL,
    ),
    _p(
        "resentment",
        0.15,
        float,
        0.0,
        1.0,
        "cooperation and trust lost to an imposed sanction",
        "[Ost1990]: sanctions imposed from outside crowd out cooperation",
        _ALL,
    ),
    _p(
        "fine_per_unit",
        1.0,
        float,
        0.0,
        100.0,
        "fine per unit overclaimed at full severity",
        "reasoning: a pound for a pound",
        _ALL,
    ),
    _p(
        "sanction_escalation",
        2.0,
        float,
        1.0,
        10.0,
        "highest multiple of the fine a graduated sanction reaches",
        "[Ost1990]: sanctions rise with repeated breaches",
        _ALL,
    ),
    _p(
        "team_detection_gain",
        0.25,
        float,
        0.0,
        2.0,
        "rise in detection a dedicated team brings at full strength",
        "reasoning: a team that reads the open books finds a quarter more breaches",
        _ALL,
    ),
    _p(
        "regulator_override",
        1.0,
        float,
        0.0,
        1.0,
        "share of the agreement a regulator overrides for a provider at its failure threshold",
        "reasoning: a recovery regime puts a failing provider's own balance first",
        _PS,
    ),
    _p(
        "public_legitimacy",
        0.3,
        float,
        0.0,
        1.0,
        "legitimacy the rules gain from involving the public",
        "reasoning: involvement builds consent to the rules; a third of what choosing them does",
        _PS,
    ),
)
