"""Published figures the model is checked against (MODEL-BRIEF section 7), as data.

Each figure carries its source and a status code copied from ``docs/references.md``: **V**
verified in a source, **D** derived exactly from stated parameters, **R** recalled (not
confirmed; a soft target).
"""

from __future__ import annotations

import pandas as pd

CPR_GAME = {
    # Walker, Gardner & Ostrom (1990); Ostrom, Walker & Gardner (1992); Ostrom, Gardner & Walker
    # (1994, ch. 5). Parameters R (recalled), theory values D (exact given the parameters).
    "n_players": 8,
    "endowment": 25,
    "a": 23.0,  # F(X) = aX - bX^2 cents
    "b": 0.25,
    "outside_return": 5.0,  # cents per token in market 1
    "social_optimum_X": 36,
    "max_rent_cents": 324,
    "nash_X": 64,
    "nash_efficiency": 128 / 324,
    "open_access_X": 72,
    "status": "parameters R, theory values D",
}

# "Average net yield as a percentage of maximum rent", Ostrom, Walker & Gardner (1992) and Ostrom,
# Gardner & Walker (1994). Gross excludes the fees and fines of sanctioning; net subtracts them.
# Every number here is R (recalled; the OWG 1992 table could not be read during the review).
CPR_PUBLISHED = pd.DataFrame(
    [
        (
            "baseline",
            "Baseline, no communication (25-token)",
            0.21,
            None,
            "R",
            "OWG1992; OGW1994 ch. 5",
        ),
        ("oneshot_comm", "One-shot communication", 0.55, None, "R", "OWG1992"),
        ("repeated_comm", "Repeated communication", 0.73, None, "R", "OWG1992"),
        ("sanction_imposed", "Sanctioning imposed, no communication", 0.37, 0.09, "R", "OWG1992"),
        ("comm_sanction", "Communication + imposed sanctioning", 0.85, 0.67, "R", "OWG1992"),
        (
            "comm_chosen_sanction",
            "Communication + sanctioning chosen by the group",
            0.93,
            0.90,
            "R",
            "OWG1992",
        ),
    ],
    columns=["treatment", "label", "gross", "net", "status", "source"],
).set_index("treatment")

# Which laboratory treatment each preset stands for (by the levers it sets, never by its name in
# the model: the model only sees levers).
PRESET_ANALOGUE = {
    "fortress": ("baseline", "no agreement, no monitoring: the non-cooperative baseline"),
    "partnership_board": (
        "repeated_comm",
        "agreed shares made together (talk), no monitoring, no sanctions",
    ),
    "success_regime": (
        "sanction_imposed",
        "quotas and heavy flat fines imposed from outside, partners did not choose them",
    ),
    "canterbury_alliance": (
        "comm_chosen_sanction",
        "agreement made together, half monitoring, light graduated sanctions",
    ),
    "shared_governance": (
        "comm_chosen_sanction",
        "agreement made together, monitoring, graduated sanctions, conflict resolution",
    ),
}

FEHR_GAECHTER = {
    # Fehr & Gaechter (2000) AER 90(4): 980-994. Design R (corroborated by oTree
    # re-implementations). Paths: mean tokens (of 20) in periods 1..10, digitised from the F&G figure
    # by the Bowles & Halliday textbook repository [BH-FG]: V as secondary data, R as to treatment
    # (order matches the Stranger design).
    "group_size": 4,
    "endowment": 20,
    "mpcr": 0.4,
    "series_without_punishment": [6.5, 4.9, 6.5, 5.8, 5.5, 4.5, 4.7, 2.9, 3.5, 2.0],
    "series_with_punishment": [7.7, 9.5, 9.9, 10.5, 10.2, 10.3, 11.7, 12.4, 12.7, 13.2],
    "first_round_share_ledyard": (0.4, 0.6),  # Ledyard (1995), R
    "status": "design R; paths V (secondary) / R (treatment label)",
}

NHS_FACTS = {
    "provider_deficit_2015_16_gbp_bn": (2.45, "V", "HF2016; PF2016; NAO2016"),
    "share_providers_in_deficit_2015_16": (0.65, "V", "PF2016; NAO2016"),
    "share_acute_trusts_in_deficit_2015_16": (0.85, "V", "HF2016"),
    "hospital_share_of_spend_2011_12": (0.506, "V", "HSJ2013"),
    "hospital_share_of_spend_2012_13": (0.510, "V", "HSJ2013"),
    "real_growth_acute_pa_2016_23": (0.044, "V", "NT2024"),
    "real_growth_community_pa_2016_23": (0.005, "V", "NT2024"),
    "emergency_admissions_growth_pa_2006_18": (0.032, "V", "HF2018"),
    "canterbury_acute_med_adm_2008_09_per_100k": (4743, "V", "CWI"),
    "nz_acute_med_adm_2008_09_per_100k": (6809, "V", "CWI"),
    "canterbury_ratio_to_nz_2008_09": (4743 / 6809, "D", "CWI"),
    "canterbury_low_growth_years": (18, "V", "McG2019"),
}


NHS_EMERGENCY_ADMISSIONS_GROWTH = 0.032  # a year, England 2006/07-2017/18 (V: HF2018)
