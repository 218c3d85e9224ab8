"""The laboratory games (ODD 7.13): the common-pool resource game of Walker, Gardner and Ostrom
(payoff w (e - x_i) + (x_i / X) F(X), F(X) = aX - bX^2; claims moving towards a best response) and
the linear public goods game (payoff x_i + mpcr x contributions), run by the same agents
(`Commissioner.pay`, `Trust.plan`, `Trust.learn`). Defaults (ODD section 5): commons 8 players,
25 tokens, a = 23, b = 0.25, w = 5; public goods 4 players, 20 tokens, mpcr 0.4."""

from __future__ import annotations

import numpy as np
import pytest

from sim import CareSystem, RuleSet


def _lab(scenario, rules=None, **params):
    return CareSystem(
        rules=RuleSet() if rules is None else rules,
        scenario=scenario,
        seed=1,
        engine="python",
        exploration=0.0,
        **params,
    )


def F(x):
    """Group return of the commons, written out from ODD 7.6: 23 X - 0.25 X^2 cents."""
    return 23.0 * x - 0.25 * x * x


# --------------------------------------------------------------------------- commons: payoff
def test_commons_pays_the_outside_option_and_a_share_of_the_group_return():
    model = _lab("classroom_commons", n_appropriators=3)
    w = model.world
    w.claim[:] = [10.0, 5.0, 1.0]
    model.commissioners[0].pay()
    # X = 16: F = 23 x 16 - 0.25 x 256 = 368 - 64 = 304, 19 cents a token invested;
    # payoff 5 (25 - x) + 19 x: 75 + 190, 100 + 95, 120 + 19.
    np.testing.assert_allclose(w.payment, [265.0, 195.0, 139.0], rtol=1e-12)
    assert w.earnings[0] == pytest.approx(599.0)
    assert w.appropriation[0] == pytest.approx(16.0)


def test_commons_with_nothing_invested_pays_the_outside_option():
    model = _lab("classroom_commons", n_appropriators=3)
    w = model.world
    w.claim[:] = 0.0
    model.commissioners[0].pay()
    np.testing.assert_allclose(w.payment, [125.0, 125.0, 125.0])  # 5 x 25


def test_open_access_dissipates_the_rent():
    model = _lab("classroom_commons", n_appropriators=3)
    w = model.world
    w.claim[:] = 24.0  # X = 72 = (a - w) / b: F(72) = 1656 - 1296 = 360 = 5 x 72
    model.commissioners[0].pay()
    # 5 x 1 + 24 / 72 x 360 = 125: no better than keeping every token out.
    np.testing.assert_allclose(w.payment, [125.0, 125.0, 125.0], rtol=1e-12)


def test_commons_group_earnings_peak_at_the_social_optimum():
    # Eight players, equal claims: group earnings 5 (200 - X) + F(X); rent F(X) - 5 X is 324 at
    # X = 36, 128 at the Nash total 64 (published theory values, OGW 1994).
    model = _lab("classroom_commons")
    w = model.world
    for total, rent in ((36.0, 324.0), (64.0, 128.0), (72.0, 0.0)):
        w.claim[:] = total / 8
        model.commissioners[0].pay()
        assert w.earnings[0] - 5.0 * 200.0 == pytest.approx(rent, abs=1e-9)


# --------------------------------------------------------------------------- commons: claims
@pytest.mark.parametrize(
    ("last_total", "previous", "selfish"),
    [
        # others 52.5: best (23 - 5 - 0.25 x 52.5) / 0.5 = 9.75; 7.5 + 0.3 x 2.25 = 8.175
        (60.0, 7.5, 8.175),
        # others 87.5: best (18 - 21.875) / 0.5 < 0, clipped to 0; 12.5 - 0.3 x 12.5 = 8.75
        (100.0, 12.5, 8.75),
        # others 0: best 36, clipped to the endowment 25; 10 + 0.3 x 15 = 14.5
        (10.0, 10.0, 14.5),
    ],
)
def test_commons_claim_moves_towards_the_best_response(last_total, previous, selfish):
    model = _lab("classroom_commons")
    w = model.world
    w.appropriation[0] = last_total
    w.claim[0] = previous
    w.cooperation[0] = 0.5
    model.trusts[0].plan()
    # The norm is the group quota 36 / 8 = 4.5; the claim blends it with the selfish claim.
    assert w.agreed[0] == pytest.approx(4.5)
    assert w.selfish_claim[0] == pytest.approx(selfish, rel=1e-12)
    assert w.claim[0] == pytest.approx(0.5 * 4.5 + 0.5 * selfish, rel=1e-12)


def test_commons_incentive_is_the_exact_difference_in_earnings():
    model = _lab("classroom_commons", rules=RuleSet(shared_vision=1.0))
    w = model.world
    w.appropriation[0] = 60.0
    w.claim[0] = 7.5
    w.selfish_claim[0] = 8.175
    w.coop_claim[0] = 4.5
    w.cooperation[:] = 0.5
    w.org_type[:] = 0  # conditional cooperators: they weigh the group's outcome
    w.trust[:] = 0.5
    model.trusts[0].learn()
    others = 52.5
    own_selfish = 5.0 * (25.0 - 8.175) + 8.175 / (others + 8.175) * F(others + 8.175)
    own_quota = 5.0 * (25.0 - 4.5) + 4.5 / (others + 4.5) * F(others + 4.5)
    group_quota = 5.0 * (200.0 - others - 4.5) + F(others + 4.5)
    group_selfish = 5.0 * (200.0 - others - 8.175) + F(others + 8.175)
    # D = (private - 0.6 harm) / (5 x 25)
    expected = ((own_selfish - own_quota) - 0.6 * (group_quota - group_selfish)) / 125.0
    assert w.incentive[0] == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------- public goods: payoff
def test_public_goods_pays_what_is_kept_plus_the_return_on_the_group_account():
    model = _lab("public_goods")
    w = model.world
    w.claim[:] = [20.0, 10.0, 0.0, 5.0]  # kept; contributed 0 + 10 + 20 + 15 = 45
    model.commissioners[0].pay()
    # 0.4 x 45 = 18 to everyone.
    np.testing.assert_allclose(w.payment, [38.0, 28.0, 18.0, 23.0], rtol=1e-12)
    assert w.earnings[0] == pytest.approx(107.0)


def test_public_goods_free_rider_earns_most_full_contribution_earns_the_group_most():
    model = _lab("public_goods")
    w = model.world
    w.claim[:] = [20.0, 0.0, 0.0, 0.0]  # one free rider: contributions 60, 24 each
    model.commissioners[0].pay()
    np.testing.assert_allclose(w.payment, [44.0, 24.0, 24.0, 24.0])
    w.claim[:] = 0.0  # all contribute: 0.4 x 80 = 32 each, 128 in all against 80 if all keep
    model.commissioners[0].pay()
    np.testing.assert_allclose(w.payment, [32.0] * 4)
    assert w.earnings[0] == pytest.approx(128.0)


def test_public_goods_claim_keeps_what_cooperation_does_not_contribute():
    model = _lab("public_goods")
    w = model.world
    w.cooperation[:] = [0.0, 0.25, 0.5, 1.0]
    for trust in model.trusts:
        trust.plan()
    np.testing.assert_allclose(w.claim, [20.0, 15.0, 10.0, 0.0])


@pytest.mark.parametrize(("shared_vision", "expected"), [(0.0, 0.6), (1.0, 0.24)])
def test_public_goods_incentive_per_token_kept(shared_vision, expected):
    model = _lab("public_goods", rules=RuleSet(shared_vision=shared_vision))
    w = model.world
    w.selfish_claim[0] = 20.0
    w.coop_claim[0] = 0.0
    w.cooperation[:] = 0.5
    w.org_type[:] = 0  # conditional cooperators: they weigh the group's outcome
    w.trust[:] = 0.5
    model.trusts[0].learn()
    # private (1 - 0.4) x 20 = 12; harm (4 x 0.4 - 1) x 20 = 12; per the endowment 20:
    # (12 - W x 12) / 20 = 0.6 (W = 0) or 0.24 (W = 0.6).
    assert w.incentive[0] == pytest.approx(expected, rel=1e-12)
