"""Indices and codes shared by both engines.

Everything the numba kernel and the per-agent Python engine exchange is a NumPy array; this module
names the positions in those arrays so the two engines (and the readers of their output) agree.
"""

from collections import namedtuple

import numpy as np

FLOAT = np.float64
INT = np.int64

# Organisation kinds (service lines). PARTICIPANT is the player of the laboratory games.
ACUTE, COMMUNITY, MENTAL_HEALTH, PRIMARY_CARE, AMBULANCE, SOCIAL_CARE, PARTICIPANT = range(7)
KIND_NAMES = (
    "acute",
    "community",
    "mental_health",
    "primary_care",
    "ambulance",
    "social_care",
    "participant",
)
N_LINES = 6  # service lines of the place-based world
MONTHS_PER_YEAR = 12.0
# Kinds whose work prevents later acute demand (community, mental health, primary, social care).
PREVENTIVE = np.array([0, 1, 1, 1, 0, 1], dtype=INT)
# Share of a place's spend on each line at the start (stylised from NHS England allocations; see ODD).
BASE_SPEND_SHARE = np.array([0.46, 0.10, 0.11, 0.13, 0.04, 0.16], dtype=FLOAT)
# Breadth of partnership (rule lever) needed before a kind joins the agreement.
MEMBERSHIP_THRESHOLD = np.array([0.2, 0.2, 0.4, 0.6, 1.0, 0.8, 0.0], dtype=FLOAT)

# Worlds (scenarios). The world picks the payoff function; rules never branch on names.
PLACE_SYSTEM, CLASSROOM_COMMONS, PUBLIC_GOODS = range(3)
SCENARIOS = ("place_system", "classroom_commons", "public_goods")

# Funding models.
ACTIVITY, BLOCK, CAPITATED, ALLIANCE = range(4)
FUNDING_MODELS = ("activity", "block", "capitated", "alliance")

# Purposes of random draws: part of every random key, so draws for different jobs never collide.
RNG_INIT_COOPERATION = 1
RNG_MONITORING = 2
RNG_EXPLORATION = 3
RNG_INIT_APPROPRIATION = 4
RNG_DEMAND_SHOCK_A = 5
RNG_DEMAND_SHOCK_B = 6
RNG_BEHAVIOUR_TYPE = 7
RNG_LEADERSHIP = 8
RNG_RISK = 9
# Places and organisations that differ (ODD 7.15), drawn once per run at step 0.
RNG_PLACE_POPULATION = 10
RNG_PLACE_NEED = 11
RNG_PLACE_ALLOCATION = 12
RNG_UNIT_COST = 13
RNG_START_BALANCE = 14
RNG_ORG_SIZE = 15
# Parameter draws of probabilistic runs (sim.core.priors), one per replicate.
RNG_PRIOR = 16

# Behavioural types of organisations (Fischbacher, Gaechter and Fehr 2001): conditional
# cooperators, free riders, hump-shaped ("triangle") contributors and the unclassifiable rest.
CONDITIONAL, FREE_RIDER, HUMP, OTHER_TYPE = range(4)
TYPE_NAMES = ("conditional", "free_rider", "hump", "other")

# Per-step measures, in the order the kernel writes them.
MEASURES = (
    "allocation",
    "pool_balance",
    "commissioner_deficit",
    "provider_deficit",
    "system_deficit",
    "payments",
    "provider_spend",
    "prevention_spend",
    "spend_acute",
    "spend_community",
    "spend_mental_health",
    "spend_primary_care",
    "spend_ambulance",
    "spend_social_care",
    "acute_share",
    "need",
    "need_met",
    "unmet_need",
    "waiting_list",
    "population_health",
    "acute_demand",
    "acute_demand_vs_trend",
    "mean_cooperation",
    "mean_trust",
    "breaches",
    "breaches_detected",
    "sanctions",
    "fines",
    "provider_failures",
    "providers_in_deficit",
    "acute_deficit_share",
    "transaction_costs",
    "governance_costs",
    "takeover_costs",
    "gini",
    "total_appropriation",
    "group_earnings",
    "efficiency",
    "mean_contribution",
    # Readable outcomes (ODD 6): the month's money, new need and health in countable units.
    "system_spend",
    "overspend",
    "new_need",
    "new_unmet_need",
    "waiting_patients",
    "waiting_patients_acute",
    "avoidable_admissions",
    "avoidable_admission_rate",
    # The NHS mechanisms (ODD 7.17-7.20): oversight segments, delayed discharges, capital, the
    # tariff's efficiency factor (sim/core/measures_nhs.py).
    "providers_in_support",
    "providers_in_special_measures",
    "special_measures_entries",
    "delayed_discharges",
    "capital_invested",
    "efficiency_paid_back",
)
M = {name: i for i, name in enumerate(MEASURES)}
MX = namedtuple("MeasureIndex", MEASURES)(*range(len(MEASURES)))
N_MEASURES = len(MEASURES)

# Run summaries, computed from the measure history by one function used by both engines.
SUMMARIES = (
    "population_health",
    "system_deficit",
    "commissioner_deficit",
    "provider_deficit",
    "pool_balance",
    "acute_share",
    "acute_share_start",
    "acute_share_change",
    "unmet_need",
    "waiting_list",
    "acute_demand_vs_trend",
    "mean_cooperation",
    "cooperation_start",
    "cooperation_change",
    "mean_trust",
    "provider_failures",
    "providers_in_deficit",
    "acute_deficit_share",
    "acute_deficit_share_years",
    "acute_deficit_share_low_year",
    "breaches_detected",
    "sanctions",
    "fines",
    "transaction_costs",
    "governance_costs",
    "takeover_costs",
    "gini",
    "total_allocation",
    "total_appropriation",
    "efficiency",
    "contribution_first",
    "contribution_last",
    # Readable outcomes (ODD 6): annual flows in GBP million, shares of the allocation, new need
    # unmet, patients waiting, avoidable admissions and costs per unit of outcome.
    "allocation_per_year",
    "spend_per_year",
    "total_spend",
    "overspend_per_year",
    "overspend_share",
    "costs_per_year",
    "deficit_share",
    "total_need_met",
    "new_unmet_need",
    "waiting_patients",
    "waiting_patients_acute",
    "avoidable_admission_rate",
    "avoidable_admissions",
    "spend_per_need_met",
    "spend_per_health_point",
    # The NHS mechanisms (ODD 7.17-7.20).
    "providers_in_support",
    "providers_in_special_measures",
    "special_measures_entries",
    "delayed_discharges",
    "capital_invested_per_year",
    "efficiency_paid_back_per_year",
)
S = {name: i for i, name in enumerate(SUMMARIES)}
SX = namedtuple("SummaryIndex", SUMMARIES)(*range(len(SUMMARIES)))
N_SUMMARIES = len(SUMMARIES)
