"""The mechanisms produce the brief's patterns, over 40 seeds at the default scenario."""

import pytest
from scipy import stats

from sim import run_many

REPLICATES = 40
ALPHA = 0.001


@pytest.fixture(scope="module")
def runs():
    return run_many(
        ["fortress", "shared_governance", "partnership_board"],
        replicates=REPLICATES,
        months=120,
        seed=2024,
    )


def _outcome(runs, rules, column):
    return runs.loc[runs["rules"] == rules, column].to_numpy()


def test_shared_governance_ends_healthier_than_fortress(runs):
    shared = _outcome(runs, "shared_governance", "population_health")
    fortress = _outcome(runs, "fortress", "population_health")
    assert stats.mannwhitneyu(shared, fortress, alternative="greater").pvalue < ALPHA


def test_shared_governance_ends_with_smaller_system_deficit(runs):
    shared = _outcome(runs, "shared_governance", "system_deficit")
    fortress = _outcome(runs, "fortress", "system_deficit")
    assert stats.mannwhitneyu(shared, fortress, alternative="less").pvalue < ALPHA


def test_acute_share_of_spend_rises_under_fortress(runs):
    start = _outcome(runs, "fortress", "acute_share_start")
    end = _outcome(runs, "fortress", "acute_share")
    assert stats.wilcoxon(end, start, alternative="greater").pvalue < ALPHA


def test_partnership_board_cooperation_decays(runs):
    start = _outcome(runs, "partnership_board", "cooperation_start")
    end = _outcome(runs, "partnership_board", "mean_cooperation")
    assert stats.wilcoxon(end, start, alternative="less").pvalue < ALPHA
