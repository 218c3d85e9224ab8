"""NHS stylised facts (MODEL-BRIEF section 7), asserted as directions with significance."""

from __future__ import annotations

import pytest

from sim import run_many
from sim.validation.teaching import PRESSURE, imposed_variant, nhs_facts, nhs_runs

REPLICATES = 40
MONTHS = 120
ALPHA = 0.01

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def facts():
    runs = nhs_runs(replicates=REPLICATES, months=MONTHS, seed=11)
    pressured = run_many(
        ["shared_governance", imposed_variant()],
        replicates=REPLICATES,
        months=MONTHS,
        seed=11,
        **PRESSURE,
    )
    return {f.name: f for f in nhs_facts(runs, pressured, alpha=ALPHA, months=MONTHS)}


def _check(facts, start):
    (fact,) = [f for name, f in facts.items() if name.startswith(start)]
    assert fact.holds, f"{fact.name}: {fact.model} (p={fact.p_value:.3g})"
    return fact


def test_deficits_concentrate_on_acute_providers_under_fortress(facts):
    _check(facts, "Fortress: provider deficits")


def test_acute_share_creeps_up_under_fortress(facts):
    _check(facts, "Fortress: the acute share")


def test_single_budget_flattens_acute_demand_growth(facts):
    _check(facts, "One system, one budget")


def test_partnership_board_cooperation_decays(facts):
    _check(facts, "Partnership board")


def test_success_regime_fines_more_and_cooperates_less_than_shared_governance(facts):
    _check(facts, "Success regime")


def test_imposed_rules_sanction_more_and_keep_less_cooperation_at_default_pressure(facts):
    """The same rules imposed (no collective choice) against chosen, by a Welch test of each."""
    _check(facts, "Default pressure: the rules imposed")


@pytest.mark.xfail(
    strict=True,
    reason=(
        "model v2, trust decides membership (join_trust 0.25, ODD 7.5): under a real cut of 5% a "
        "year trust collapses to 0 under both rule sets, so organisations leave the agreement and "
        "sanctions stop: imposed against chosen, fines 576 vs 961, cooperation 0.983 vs "
        "0.951 (40 seeds, the test's, seed 11: the chosen rules, with fines the partners voted, "
        "fine more and keep a little less cooperation). With join_trust 0 the fact holds (fines "
        "16,240 vs 6,131; cooperation 0.48 vs 0.95). A finding: an agreement nobody trusts no "
        "longer sanctions anyone; not tuned away"
    ),
)
def test_imposed_sanctions_burn_resources_without_restoring_cooperation(facts):
    _check(facts, "Sanctions imposed without agreement")


def test_acute_demand_flattens_rather_than_falls():
    """Under the alliance acute demand still grows (it is not cut), only more slowly than under
    fortress: growth is the last year's mean over the first year's, same seeds."""
    _, series = run_many(
        ["canterbury_alliance", "fortress"], replicates=10, months=MONTHS, seed=11, series=True
    )
    growth = {}
    for rules, runs in series.groupby("rules"):
        by_month = runs.groupby("month")["acute_demand"].mean()
        growth[rules] = by_month.iloc[-12:].mean() / by_month.iloc[:12].mean()
    assert growth["canterbury_alliance"] > 1.0, growth
    assert growth["canterbury_alliance"] < growth["fortress"], growth
