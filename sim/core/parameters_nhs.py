"""Scenario parameters of the NHS mechanisms of docs/ODD.md 7.17-7.23: the regulator's oversight
segments and special measures, delayed discharges, capital and investment, productivity and the
tariff's efficiency factor, waiting lists in patients, and winter; and partners planning discharges
together (see `sim.core.parameter_table`).

Sources are keyed as in docs/references.md (section "NHS mechanisms").
"""

from __future__ import annotations

from sim.core.parameter_spec import Param, row

NHS_PARAMETERS: tuple[Param, ...] = (
    # --- the regulator's oversight segments and special measures (ODD 7.17, 7.23) ---
    row(
        "oversight_review",
        3,
        int,
        1,
        12,
        "months between the regulator's reviews of each provider's segment",
        "[NHSE-SOF2021]: support needs 'formally reviewed on a quarterly basis'",
    ),
    row(
        "oversight_wait",
        4.15,
        float,
        0.5,
        24.0,
        "mean wait (months) at which the regulator's concern about access is greatest",
        "reasoning: the 18-week referral-to-treatment standard [NT-RTT2025] (18 weeks = 4.15 "
        "months) taken as a mean wait",
    ),
    row(
        "special_measures_concern",
        0.75,
        float,
        0.1,
        1.0,
        "concern at which a provider enters special measures (segment 4); segments 2 and 3 at "
        "a third and two thirds of it, and it leaves below two thirds",
        "reasoning: segment 4 for 'very serious and/or complex issues' [NHSI-SOF2019]; about 20 "
        "providers in it in December 2024 [NHSE-RSP2024], a tenth of trusts",
    ),
    row(
        "special_measures_cost",
        0.005,
        float,
        0.0,
        0.1,
        "support for a provider in special measures, a share of its monthly income, from the pool",
        "reasoning: an improvement director and a partner trust 'reimbursed for its time' "
        "[NHSC-SM2017]; a few GBP million a year for a trust of GBP 400 million",
    ),
    row(
        "special_measures_focus",
        0.5,
        float,
        0.0,
        1.0,
        "share of its weight on the system a board in special measures gives up",
        "reasoning: a board in special measures answers for its own recovery plan "
        "[NHSC-SM2017, HSJ-FSM2016]",
    ),
    row(
        "special_measures_limit",
        18,
        int,
        1,
        120,
        "months in special measures without recovery before the provider is taken over",
        "[NHSP-SM2017]: a 12-month window with a possible 6 months' extension (an average stay of "
        "24 months); [CQC-SM2019]: then special administration",
    ),
    # --- delayed discharges (ODD 7.18) ---
    row(
        "discharge_delay",
        0.17,
        float,
        0.0,
        2.0,
        "acute capacity taken by delayed discharges per pound of social care need left unmet",
        "calibrated: delays attributed to social care take about 1.7% of acute bed days in "
        "fortress, as in 2016/17 [ADASS2017, KF-DTOC2018, HSJ-BEDS2017] (ODD 7.18)",
    ),
    # --- capacity that needs investment (ODD 7.19) ---
    row(
        "capital_share",
        0.04,
        float,
        0.0,
        0.2,
        "share of a provider's costs that is the capital element of its prices",
        "[HF2019]: the capital budget was 4.2% of NHS spending in 2017/18 (5% in 2010/11); "
        "[NAO2020]: prices include the wear and tear of assets",
    ),
    row(
        "capital_depreciation",
        0.02,
        float,
        0.0,
        0.3,
        "annual loss of capacity of a provider that cannot invest",
        "reasoning: assets last 25-50 years (2-4% a year) and capital is a part of capacity; "
        "general and acute beds fell about 1% a year in the capital-starved 2010s [HSJ-BEDS2017]",
    ),
    row(
        "capital_weight",
        0.5,
        float,
        0.0,
        1.0,
        "share of capacity that needs capital (space and equipment); staff grow with need",
        "reasoning: beds, theatres and scanners bound what staff can do; trusts in deficit kept "
        "growing activity with revenue (agency staff) while capital lagged [HF2019, NAO2020]",
    ),
    row(
        "capital_intensity",
        6.0,
        float,
        0.5,
        60.0,
        "capital (months of care) that a pound of monthly capacity bought from reserves costs",
        "reasoning: trusts' fixed assets are about half a year's income (R)",
    ),
    # --- productivity and the tariff's efficiency factor (ODD 7.20) ---
    row(
        "productivity_growth",
        0.01,
        float,
        0.0,
        0.05,
        "annual fall in a provider's unit cost while it can invest",
        "[ONS2020]: healthcare productivity grew 1.0% a year on average, 1995/96 to 2017/18; "
        "[CHE2016]: 1.1-1.6% a year after 2004/05",
    ),
    row(
        "tariff_efficiency",
        0.01,
        float,
        0.0,
        0.1,
        "annual fall in the price paid for a unit of care (efficiency factor), paid back to "
        "the pool",
        "reasoning: the tariff follows average cost (ODD 5), so prices fall with productivity; "
        "the factor was 4% a year in 2011-15 and 1.1% from 2019/20 (R)",
    ),
    # --- waiting lists in patients (ODD 7.21) ---
    row(
        "elective_share",
        0.55,
        float,
        0.0,
        1.0,
        "share of the acute waiting list that is planned care on a referral-to-treatment list",
        "reasoning: elective admissions (about 40% of admitted care, R) and outpatients are "
        "about 55% of acute costs [HFMA2017]; emergency care does not wait on a list",
    ),
    row(
        "elective_dropout",
        0.03,
        float,
        0.001,
        1.0,
        "share of the elective waiting list leaving each month untreated",
        "[MBI2025]: about 3% of the list a month removed without a clock stop; [HCWA2026]: "
        "2,069,189 of 14,460,885 removals in April-November 2025 unreported",
    ),
    # --- winter (ODD 7.22) ---
    row(
        "winter_amplitude",
        0.02,
        float,
        0.0,
        0.3,
        "seasonal swing of need: January this much above the year's mean, July below",
        "[MYHSN2025]: emergency admissions a day hardly differ (17,700 in January, 18,000 in "
        "July 2024/25); [NT-WIN2018]: more admitted, longer stays; reasoning: 2% from bed "
        "occupancy about 3 points higher in winter [HSJ-BEDS2017]",
    ),
)

# Appended after every other parameter (see `sim.core.parameter_table`).
DISCHARGE_PARAMETERS: tuple[Param, ...] = (
    # --- partners planning discharges together (ODD 7.18) ---
    row(
        "joint_discharge",
        0.2,
        float,
        0.0,
        1.0,
        "share of delayed discharges that partners planning discharges together avoid, where the "
        "partnership reaches social care",
        "[LGL2017]: of delayed days attributed to social care in December 2016, 18% awaited an "
        "assessment, 3% public funding and under 1% a dispute, which wait on the partners' own "
        "processes (assessment at home after discharge [LGA-HICM]); the 74% awaiting a care "
        "package or a placement wait on care the model's unmet social care need already counts, "
        "and 4% on choice: 0.2 (ODD 7.18)",
    ),
)
