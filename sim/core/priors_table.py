"""The priors of the uncertain parameters: one row each, with its source or reasoning.

Not uncertain, so without a prior: the shape of the system studied (counts, population, spend per
head, and the spreads that describe its places: `population_spread`, `need_spread`,
`allocation_spread`, `health_spread`), which a place file or the user sets; the funding pressure
studied (`budget_growth`, `need_growth`, `ageing`), which designs sweep and scenario discovery
explores; `initial_health`, fixed so the base year is in balance; rules of the payment system
(`emergency_marginal_rate`); `trust_grading`, a choice between two rules of trust (ODD 7.10) to
sweep, not a quantity; the six terms of the principles' own paths (`place_data_sight`,
`unbounded_cover`, `control_total_detection`, `public_prevention`, `open_choice`,
`plan_marginal_rate`; ODD 7.26), held at their defaults, where the presets keep their results;
`partner_talk`, an alternative rule that is off by default; and the laboratory designs. Every
other parameter of the place-based system, whose value is a judgement or a calibration, carries a
prior here: the place, health and finance ones and the NHS mechanisms below, the costs and
behaviour in `sim.core.priors_behaviour`.

Most stylised values get a triangular prior from half to double the default with its mode at the
default; ranges are tighter where a source pins the value down, and bounded where the parameter's
own range or a constraint between parameters (the behavioural shares sum to at most 1) requires.
See `sim.core.priors` for the machinery; docs/ODD.md section 5 shows the table.
"""

from __future__ import annotations

from sim.core.prior_spec import Prior, loguniform, triangular, uniform_prior
from sim.core.priors_behaviour import BEHAVIOUR_PRIORS, COST_PRIORS

HALF_DOUBLE = "reasoning: a stylised value, half to double the default"
FITTED = "calibrated to [HF2018]; half to double the fitted value"

PLACE_PRIORS: tuple[Prior, ...] = (
    # --- places and organisations that differ (ODD 7.15) ---
    triangular(
        "need_compensation",
        0.6,
        0.8,
        1.0,
        "[BTR2014]: the formula gives deprived areas less weight than their need; reasoning: "
        "0.6 to full compensation",
    ),
    triangular(
        "unit_cost_spread",
        0.025,
        0.05,
        0.1,
        "[HFMA2009, HFMA2015]: the reference cost index spans 81-116, much of it coding; "
        "reasoning: half to double the 5% kept",
    ),
    triangular("balance_spread", 0.025, 0.05, 0.1, "[NHSI2016, NAO2016]; " + HALF_DOUBLE),
    triangular(
        "size_spread",
        0.25,
        0.5,
        0.75,
        "reasoning: the largest 1.7 to 7 times the smallest sharing a line (3 at the default)",
    ),
    # --- population health and demand ---
    triangular("demand_noise", 0.015, 0.03, 0.06, HALF_DOUBLE),
    triangular("health_need_elasticity", 0.25, 0.5, 1.0, FITTED),
    loguniform("health_recovery", 0.005, 0.02, "reasoning: health moves over 4 to 16 years"),
    triangular(
        "prevention_effect",
        0.0175,
        0.035,
        0.07,
        "[MLC2020]: the public-health cost per QALY ratio, halved and doubled",
    ),
    loguniform(
        "prevention_saturation",
        0.025,
        0.1,
        "reasoning: returns halve between half and double the 3.5% slice",
    ),
    triangular("unmet_harm", 0.005, 0.01, 0.02, FITTED),
    triangular("spillover", 0.35, 0.7, 1.4, FITTED),
    triangular("waiting_attrition", 0.15, 0.3, 0.6, HALF_DOUBLE),
    triangular(
        "running_cost_share",
        0.01,
        0.02,
        0.03,
        "reasoning: commissioners' running costs 1-3% of allocations",
    ),
    triangular("capacity_headroom", 0.05, 0.1, 0.2, HALF_DOUBLE),
    triangular("induced_demand", 0.075, 0.15, 0.3, HALF_DOUBLE),
    triangular(
        "tariff_margin",
        -0.05,
        0.0,
        0.05,
        "reasoning: the tariff is set at average cost; a margin of a few per cent either way",
    ),
    triangular("target_value", 0.15, 0.3, 0.6, HALF_DOUBLE),
    triangular(
        "prevention_value",
        0.75,
        1.5,
        3.0,
        "reasoning: half to double, below [MLC2020]'s 3.55",
    ),
    # --- finance and failure ---
    triangular("repayment_rate", 0.02, 0.04, 0.08, "reasoning: recovery over one to four years"),
    triangular("max_repayment_share", 0.025, 0.05, 0.1, HALF_DOUBLE),
    triangular("reserve_draw", 0.05, 0.1, 0.2, "reasoning: reserves spent over 6 to 24 months"),
    triangular("failure_threshold", 0.25, 0.5, 1.0, "[NAO2016]; " + HALF_DOUBLE),
    triangular("takeover_cost", 0.01, 0.02, 0.04, HALF_DOUBLE),
)

NHS_PRIORS: tuple[Prior, ...] = (
    # --- oversight and special measures (ODD 7.17, 7.23) ---
    uniform_prior(
        "oversight_review",
        1.5,
        4.5,
        "[NHSE-SOF2021]: quarterly; reasoning: every 2 to 4 months in practice (rounded)",
    ),
    triangular(
        "oversight_wait",
        2.075,
        4.15,
        8.3,
        "[NT-RTT2025]: the 18-week standard as a mean wait; half to double",
    ),
    triangular(
        "special_measures_concern",
        0.6,
        0.75,
        0.9,
        "[NHSE-RSP2024]: about a tenth of trusts in segment 4; reasoning: +-0.15",
    ),
    triangular("special_measures_cost", 0.0025, 0.005, 0.01, "[NHSC-SM2017]; " + HALF_DOUBLE),
    triangular("special_measures_focus", 0.25, 0.5, 0.75, HALF_DOUBLE),
    triangular(
        "special_measures_limit",
        12,
        18,
        24,
        "[NHSP-SM2017]: a 12-month window with up to 6 months' extension; an average stay of 24",
    ),
    # --- delayed discharges, capital, productivity (ODD 7.18-7.20) ---
    triangular(
        "discharge_delay",
        0.085,
        0.17,
        0.34,
        "calibrated to [ADASS2017, KF-DTOC2018]; half to double the fitted value",
    ),
    triangular(
        "joint_discharge",
        0.1,
        0.2,
        0.4,
        "[LGL2017]: 21% of social care delays wait on assessment, funding or disputes; half to "
        "double",
    ),
    triangular(
        "capital_share",
        0.035,
        0.04,
        0.05,
        "[HF2019]: the capital budget 4.2% of NHS spending in 2017/18, 5% in 2010/11",
    ),
    triangular(
        "capital_depreciation",
        0.01,
        0.02,
        0.04,
        "reasoning: assets last 25-50 years; half to double",
    ),
    triangular("capital_weight", 0.25, 0.5, 0.75, HALF_DOUBLE),
    triangular("capital_intensity", 3.0, 6.0, 12.0, HALF_DOUBLE),
    triangular(
        "productivity_growth",
        0.005,
        0.01,
        0.016,
        "[ONS2020, CHE2016]: 1.0% a year 1995/96-2017/18, 1.1-1.6% after 2004/05",
    ),
    triangular(
        "tariff_efficiency",
        0.005,
        0.01,
        0.04,
        "reasoning: the efficiency factor was 1.1% from 2019/20, 4% in 2011-15",
    ),
    # --- waiting lists and winter (ODD 7.21, 7.22) ---
    triangular("elective_share", 0.45, 0.55, 0.65, "[HFMA2017]; reasoning: +-10 points"),
    triangular(
        "elective_dropout",
        0.02,
        0.03,
        0.045,
        "[MBI2025, HCWA2026]: about 3% of the list a month; reasoning: 2-4.5%",
    ),
    triangular(
        "winter_amplitude",
        0.01,
        0.02,
        0.04,
        "[NT-WIN2018, HSJ-BEDS2017]; " + HALF_DOUBLE,
    ),
)

PRIORS: tuple[Prior, ...] = (*PLACE_PRIORS, *COST_PRIORS, *BEHAVIOUR_PRIORS, *NHS_PRIORS)

PRIOR_INDEX = {p.name: i for i, p in enumerate(PRIORS)}
