"""The linear public goods game (Fehr & Gaechter 2000 design), with and without sanctions."""

from __future__ import annotations

import numpy as np
import pytest

from sim import CareSystem
from sim.validation.teaching import (
    FEHR_GAECHTER,
    first_last_test,
    public_goods_paths,
    public_goods_runs,
)


@pytest.fixture(scope="module")
def pg():
    return public_goods_runs(("partnership_board", "shared_governance"), replicates=200, seed=1)


def test_design_matches_fehr_gaechter():
    model = CareSystem(scenario="public_goods", rules="partnership_board", seed=1)
    assert len(model.trusts) == FEHR_GAECHTER["group_size"]
    assert model.params["n_appropriators"] == FEHR_GAECHTER["group_size"]
    assert model.params["endowment"] == FEHR_GAECHTER["endowment"]
    assert model.params["mpcr"] == pytest.approx(FEHR_GAECHTER["mpcr"])


def test_payoffs_are_the_linear_public_goods_payoffs():
    """Group earnings = n e + (n mpcr - 1) * total contributed, each round."""
    from sim.core.constants import M

    model = CareSystem(scenario="public_goods", rules="partnership_board", seed=2).run_for(5)
    h = model.history
    n, e, mpcr = 4, 20.0, 0.4
    contributed = h[:, M["mean_contribution"]] * n * e
    np.testing.assert_allclose(h[:, M["group_earnings"]], n * e + (n * mpcr - 1) * contributed)


@pytest.mark.slow
def test_without_sanctions_contributions_decay(pg):
    summary, _ = pg
    t = first_last_test(summary, "partnership_board")
    assert t["p_last_lower"] < 1e-6
    assert t["last"][2] < 0.5 * t["first"][1]  # well below: the CI of last under half of first's
    lo, hi = FEHR_GAECHTER["first_round_share_ledyard"]
    assert lo <= t["first"][0] <= hi  # starts about half the endowment (Ledyard 1995)


@pytest.mark.slow
def test_with_sanctions_contributions_are_sustained(pg):
    summary, _ = pg
    t = first_last_test(summary, "shared_governance")
    assert t["p_last_lower"] > 0.05  # not significantly lower
    assert t["last"][0] >= t["first"][0]


@pytest.mark.slow
def test_paths_beside_published(pg):
    _, series = pg
    paths = public_goods_paths(series)
    assert len(paths) == 10
    without, with_ = paths["F&G without punishment"], paths["F&G with punishment"]
    board, shared = paths["partnership_board mean"], paths["shared_governance mean"]
    # Without sanctions: the model's contributions end where the published path ends (10% of the
    # endowment, within 5 points) and stay within 20 points of it in every period.
    assert board.iloc[-1] == pytest.approx(without.iloc[-1], abs=0.05)
    assert (board - without).abs().max() < 0.20
    assert board.is_monotonic_decreasing
    # With sanctions: contributions rise over the periods as the published ones do, and end at
    # least as high as the published path (0.66).
    assert np.sign(shared.iloc[-1] - shared.iloc[0]) == np.sign(with_.iloc[-1] - with_.iloc[0])
    assert shared.iloc[-1] >= with_.iloc[-1]
    assert shared.iloc[-1] > board.iloc[-1]
