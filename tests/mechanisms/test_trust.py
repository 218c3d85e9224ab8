"""Trust (provider organisation): claims (ODD 7.5, `Trust.plan`), delivery (7.7, `Trust.deliver`),
trust in partners (7.10, `Trust.update_trust`), learning (7.11, `Trust.learn`, `Trust.commit`).
Expected values are worked out by hand from the ODD's equations with the default parameter values
and constants of ODD section 5; exploration is switched off wherever cooperation is checked. The
organisations' behavioural types, leadership and risk attitude are set by hand where they matter
(tests/mechanisms/test_behaviour.py checks how they are drawn, the trust gate and inertia)."""

from __future__ import annotations

import numpy as np
import pytest
from hand_worlds import learned, planning

from sim import RuleSet

ACUTE, COMMUNITY = 0, 1
AGREEMENT = {
    "agreed_shares": True,
    "scope": 1.0,
    "partnership_breadth": 1.0,
    "prevention_slice": 0.03,
}


# ---------------------------------------------------------------------------------- plan (7.5)
def _plan_world(tiny_world, rules, **params):
    return planning(tiny_world(rules, **params))


def _plan_all(model):
    for trust in model.trusts:
        trust.plan()
    return model.world


def test_fortress_claim_blends_the_fair_share_and_all_it_can_bill(tiny_world):
    w = _plan_all(_plan_world(tiny_world, RuleSet(funding_model="activity")))
    # Capacity no longer grows by itself in plan (it is renewed by investment, ODD 7.19).
    np.testing.assert_allclose(w.capacity, [95.0, 10.5], rtol=1e-12)
    np.testing.assert_allclose(w.demand, [90.0, 10.0])
    # Acute: fair share min(90, 0.8 x 100) = 80; selfish min(95, 90 x (1 + 0.15) = 103.5) = 95
    # (tariff-paid: induced demand, capacity binds); claim 0.4 x 80 + 0.6 x 95 = 32 + 57 = 89.
    np.testing.assert_allclose(w.agreed, [80.0, 10.0])
    np.testing.assert_allclose(w.selfish_claim, [95.0, 10.0], rtol=1e-12)
    np.testing.assert_allclose(w.claim, [89.0, 10.0], rtol=1e-12)
    # No agreement: no prevention slice.
    np.testing.assert_allclose(w.agreed_prevention, [0.0, 0.0])
    np.testing.assert_allclose(w.prevention, [0.0, 0.0])


def test_agreed_claim_and_prevention_slice(tiny_world):
    model = _plan_world(tiny_world, RuleSet(funding_model="activity", **AGREEMENT))
    model.world.need[0, COMMUNITY] = 25.0
    model.world.capacity[COMMUNITY] = 20.0
    w = _plan_all(model)
    # Acute: agreed min(90, 0.8 x (1 - 0.03) x 100 = 77.6) = 77.6; selfish 95;
    # claim 0.4 x 77.6 + 0.6 x 95 = 31.04 + 57 = 88.04.
    # Community: agreed min(25, 0.2 x 0.97 x 100 = 19.4) = 19.4; selfish min(20, 25) = 20 (no
    # tariff: no induced demand; capacity binds); claim 0.8 x 19.4 + 0.2 x 20 = 15.52 + 4 = 19.52.
    np.testing.assert_allclose(w.agreed, [77.6, 19.4], rtol=1e-12)
    np.testing.assert_allclose(w.selfish_claim, [95.0, 20.0], rtol=1e-12)
    np.testing.assert_allclose(w.claim, [88.04, 19.52], rtol=1e-12)
    # Prevention, a slice of the place's expected need (96 + 24 = 120), not of the 100 available:
    # scope 1 x slice 0.03 x prevention share x 120 = 0 (acute) and 3.6 (community);
    # delivered by cooperation: 0.8 x 3.6 = 2.88.
    np.testing.assert_allclose(w.agreed_prevention, [0.0, 3.6], rtol=1e-12)
    np.testing.assert_allclose(w.prevention, [0.0, 2.88], rtol=1e-12)


def test_claims_stay_within_capacity(tiny_world):
    # The community trust of test_agreed_claim_and_prevention_slice with its capacity at 10.5:
    # the blend 0.8 x 19.4 + 0.2 x 10.5 = 17.62 is more than it can deliver, so it claims 10.5.
    model = _plan_world(tiny_world, RuleSet(funding_model="activity", **AGREEMENT))
    model.world.need[0, COMMUNITY] = 25.0
    w = _plan_all(model)
    np.testing.assert_allclose(w.selfish_claim[COMMUNITY], 10.5, rtol=1e-12)
    np.testing.assert_allclose(w.claim[COMMUNITY], 10.5, rtol=1e-12)
    assert w.coop_claim[COMMUNITY] == pytest.approx(19.4)  # the norm is unchanged


@pytest.mark.parametrize(
    "levers", [{"scope": 0.5}, {"partnership_breadth": 0.1}, {"agreed_shares": False}]
)
def test_the_prevention_slice_is_the_commissioners_whatever_the_agreement(tiny_world, levers):
    # Half the scope, nobody a member (breadth 0.1 is below the acute and community threshold of
    # 0.2), or no agreement at all: the commissioner still ring-fences 0.03 x 120 = 3.6 for the
    # community trust, which delivers 0.8 x 3.6 = 2.88 of it.
    rules = RuleSet(funding_model="activity", **{**AGREEMENT, **levers})
    w = _plan_all(_plan_world(tiny_world, rules))
    np.testing.assert_allclose(w.agreed_prevention, [0.0, 3.6], rtol=1e-12)
    np.testing.assert_allclose(w.prevention, [0.0, 2.88], rtol=1e-12)


def test_non_members_keep_to_the_fair_share(tiny_world):
    # Nobody is a member: the norm is the fair share of what is left after the slice,
    # 0.8 x 0.97 x 100 = 77.6, and the community's need 10 (below its 19.4).
    rules = RuleSet(funding_model="activity", **{**AGREEMENT, "partnership_breadth": 0.1})
    w = _plan_all(_plan_world(tiny_world, rules))
    np.testing.assert_allclose(w.agreed, [77.6, 10.0], rtol=1e-12)
    assert not w.org_member.any()


def test_shares_the_partners_choose_follow_need_not_history(tiny_world):
    # Need 90 acute and 30 community (120 in all); history says 0.8 and 0.2 of the 100.
    rules = RuleSet(funding_model="activity", **AGREEMENT, collective_choice=1.0)
    model = _plan_world(tiny_world, rules)
    model.world.need[0, COMMUNITY] = 30.0
    w = _plan_all(model)
    # Chosen: acute 90 / 120 = 0.75, community 0.25; norms 0.75 x 0.97 x 100 = 72.75 and
    # 0.25 x 0.97 x 100 = 24.25 (imposed they would be 77.6 and 19.4).
    np.testing.assert_allclose(w.agreed, [72.75, 24.25], rtol=1e-12)
    # Half chosen: acute share 0.8 + 0.5 x (0.75 - 0.8) = 0.775: 0.775 x 97 = 75.175.
    model = _plan_world(
        tiny_world, RuleSet(funding_model="activity", **AGREEMENT, collective_choice=0.5)
    )
    model.world.need[0, COMMUNITY] = 30.0
    w = _plan_all(model)
    np.testing.assert_allclose(w.agreed, [75.175, 0.225 * 97.0], rtol=1e-12)


@pytest.mark.parametrize(
    ("segment", "autonomy", "claim"),
    [
        # Mandated support (segment 3), no local autonomy: override 1 x 0.25: acute keeps
        # 0.4 x 0.75 = 0.3 of the agreed 77.6 and claims 0.3 x 77.6 + 0.7 x 95 = 89.78.
        (3.0, 0.0, 23.28 + 0.7 * 95.0),
        # Full autonomy shields a provider in mandated support: 0.4 x 77.6 + 0.6 x 95 = 88.04.
        (3.0, 1.0, 31.04 + 0.6 * 95.0),
        # Special measures (segment 4) override the agreement whatever the rules (ODD 7.17).
        (4.0, 1.0, 23.28 + 0.7 * 95.0),
        # Segments 1-2: no recovery plan, however close to failure.
        (2.0, 0.0, 31.04 + 0.6 * 95.0),
    ],
)
def test_a_regulator_without_local_autonomy_overrides_the_agreement_near_failure(
    tiny_world, segment, autonomy, claim
):
    # The acute trust is a quarter of the way to its failure threshold: deficit 0.5 x 12 x 10 / 4.
    rules = RuleSet(funding_model="activity", **AGREEMENT, local_autonomy=autonomy)
    model = _plan_world(tiny_world, rules)
    model.world.org_income_ref[:] = [10.0, 10.0]
    model.world.balance[:] = [-15.0, 5.0]
    model.world.segment[:] = [segment, segment]
    w = _plan_all(model)
    np.testing.assert_allclose(w.claim[0], claim, rtol=1e-12)
    # The community trust, in surplus (recovery pressure 0), is untouched: its need 10 is below
    # its agreed share, so norm and selfish claim are both 10.
    np.testing.assert_allclose(w.claim[1], 10.0, rtol=1e-12)


def test_only_the_acute_tariff_induces_demand(tiny_world):
    w = _plan_all(_plan_world(tiny_world, RuleSet(funding_model="capitated")))
    # Pooled budget: no unit paid, selfish acute claim min(95.1979, 90 x 1) = 90.
    assert w.selfish_claim[0] == pytest.approx(90.0)
    assert w.claim[0] == pytest.approx(0.4 * 80.0 + 0.6 * 90.0)


def test_demand_is_the_lines_need_divided_among_its_providers(tiny_world):
    model = tiny_world(RuleSet(), acute_per_place=2)  # contracts: acute, acute, community
    w = model.world
    w.need[0, ACUTE] = 90.0
    w.available[0] = 100.0
    model.trusts[0].plan()
    model.trusts[1].plan()
    np.testing.assert_allclose(w.demand[:2], [45.0, 45.0])


# ------------------------------------------------------------------------------- deliver (7.7)
def test_delivery_rations_unfunded_work_by_the_duty_to_treat(tiny_world):
    model = tiny_world(social_care_per_place=1)  # contracts: acute, community, social care
    w = model.world
    w.claim[:] = [50.0, 10.0, 20.0]
    w.prevention[:] = [0.0, 2.0, 0.0]
    w.payment[:] = [40.0, 6.0, 10.0]
    w.balance[:] = [5.0, 0.0, -1.0]
    w.cum_income[:] = [100.0, 10.0, 20.0]
    w.cum_spend[:] = [90.0, 10.0, 20.0]
    for trust in model.trusts:
        trust.deliver()
    # Acute: funded 40 / 50 = 0.8, duty 1: all 50 delivered; balance 5 + 40 - 50 = -5.
    # Community: funded 6 / 12 = 0.5, duty 0.3: 10 x (0.5 + 0.5 x 0.3) = 6.5 delivered,
    # prevention 2 x 0.5 = 1; balance 0 + 6 - 7.5 = -1.5.
    # Social care: funded 10 / 20 = 0.5, duty 0: 10 delivered; balance -1 + 10 - 10 = -1.
    np.testing.assert_allclose(w.activity, [50.0, 6.5, 10.0], rtol=1e-12)
    np.testing.assert_allclose(w.prevention_delivered, [0.0, 1.0, 0.0])
    np.testing.assert_allclose(w.income, [40.0, 6.0, 10.0])
    np.testing.assert_allclose(w.spend, [50.0, 7.5, 10.0])
    np.testing.assert_allclose(w.balance, [-5.0, -1.5, -1.0])
    np.testing.assert_allclose(w.cum_income, [140.0, 16.0, 30.0])
    np.testing.assert_allclose(w.cum_spend, [140.0, 17.5, 30.0])


@pytest.mark.parametrize(
    ("duties", "community", "primary_care"),
    [
        # The defaults: community and mental health 0.3 (10 x (0.4 + 0.6 x 0.3) = 5.8), primary
        # care 0.2 (5.2).
        ({}, 5.8, 5.2),
        # Parameters, not rules: community and mental health at 0.5 (7.0), primary care at 0.1
        # (4.6).
        ({"duty_to_treat_community": 0.5, "duty_to_treat_primary": 0.1}, 7.0, 4.6),
    ],
)
def test_duty_to_treat_by_kind(tiny_world, duties, community, primary_care):
    # One provider of each kind in the place; each asks 10, is paid 4 (funded 0.4) and delivers
    # 10 x (0.4 + 0.6 x duty). Acute and ambulance trusts must treat (duty 1: 10); a local
    # authority must balance its budget (duty 0: 4), whatever the parameters.
    model = tiny_world(
        mental_health_per_place=1,
        primary_care_per_place=1,
        social_care_per_place=1,
        ambulance_per_ics=1,
        **duties,
    )
    w = model.world
    w.claim[:] = 10.0
    w.prevention[:] = 0.0
    w.payment[:] = 4.0
    for trust in model.trusts:
        trust.deliver()
    expected = {
        "acute": 10.0,
        "community": community,
        "mental_health": community,
        "primary_care": primary_care,
        "social_care": 4.0,
        "ambulance": 10.0,
    }
    delivered = {t.kind: float(w.activity[w.org_con_start[t.index]]) for t in model.trusts}
    assert delivered == pytest.approx(expected, rel=1e-12)


def test_overfunded_work_is_delivered_as_claimed_and_the_surplus_kept(tiny_world):
    model = tiny_world()
    w = model.world
    w.claim[:] = [50.0, 10.0]
    w.prevention[:] = [0.0, 2.0]
    w.payment[:] = [60.0, 15.0]
    for trust in model.trusts:
        trust.deliver()
    np.testing.assert_allclose(w.activity, [50.0, 10.0])
    np.testing.assert_allclose(w.prevention_delivered, [0.0, 2.0])
    np.testing.assert_allclose(w.balance, [10.0, 3.0])


# -------------------------------------------------------------------------- update_trust (7.10)
@pytest.mark.parametrize(
    ("levers", "trust_in_breacher", "trust_in_keeper"),
    [
        # breach: 0.5 - 0.25 x 0.5 = 0.375; kept: 0.5 + 0.03 x (1 - 0.5) = 0.515
        ({}, 0.375, 0.515),
        # conflict resolution absorbs 60% of the fall: 0.5 - 0.25 x 0.4 x 0.5 = 0.45
        ({"conflict_resolution": 1.0}, 0.45, 0.515),
        # half of it: 0.5 - 0.25 x 0.7 x 0.5 = 0.4125
        ({"conflict_resolution": 0.5}, 0.4125, 0.515),
        # system leadership with typical leaders (1) doubles the rise: 0.5 + 0.03 x 2 x 0.5 = 0.53
        ({"system_leadership": 1.0}, 0.375, 0.53),
        # weak leaders (0.5): gain 0.03 x (1 + 1 x 0.5) = 0.045: 0.5 + 0.045 x 0.5 = 0.5225
        ({"system_leadership": 1.0, "leadership": 0.5}, 0.375, 0.5225),
        # half the lever, strong leaders (1.5): 0.03 x (1 + 0.5 x 1.5) = 0.0525: 0.52625
        ({"system_leadership": 0.5, "leadership": 1.5}, 0.375, 0.52625),
    ],
)
def test_trust_rises_after_kept_agreements_and_falls_after_breaches(
    tiny_world, edge, levers, trust_in_breacher, trust_in_keeper
):
    levers = dict(levers)
    leadership = levers.pop("leadership", 1.0)
    model = tiny_world(RuleSet(**levers), breach_visibility=1.0)
    w = model.world
    w.trust[:] = 0.5
    w.leadership[:] = leadership
    w.breach[:] = [0.0, 1.0]  # the community trust breached, the acute trust kept its share
    for trust in model.trusts:
        trust.update_trust()
    assert w.trust[edge(model, 0, 1)] == pytest.approx(trust_in_breacher, rel=1e-12)
    assert w.trust[edge(model, 1, 0)] == pytest.approx(trust_in_keeper, rel=1e-12)


@pytest.mark.parametrize(
    ("softening", "expected"),
    [
        (0.0, 0.375),  # absorbs nothing: 0.5 - 0.25 x 0.5
        (0.3, 0.4125),  # 0.5 - 0.25 x (1 - 0.3) x 0.5
        (1.0, 0.5),  # absorbs all of the fall
    ],
)
def test_conflict_softening_sets_how_much_of_the_fall_conflict_resolution_absorbs(
    tiny_world, edge, softening, expected
):
    model = tiny_world(
        RuleSet(conflict_resolution=1.0), breach_visibility=1.0, conflict_softening=softening
    )
    w = model.world
    w.trust[:] = 0.5
    w.breach[:] = [0.0, 1.0]
    for trust in model.trusts:
        trust.update_trust()
    assert w.trust[edge(model, 0, 1)] == pytest.approx(expected, rel=1e-12)


def test_trust_rebuilds_slowly_what_one_breach_destroys(tiny_world, edge):
    model = tiny_world(breach_visibility=1.0)
    w = model.world
    e = edge(model, 0, 1)
    w.trust[e] = 0.8
    w.breach[1] = 1.0
    model.trusts[0].update_trust()
    assert w.trust[e] == pytest.approx(0.6)  # 0.8 - 0.25 x 0.8
    w.breach[1] = 0.0
    months = 0
    while w.trust[e] < 0.8:
        model.trusts[0].update_trust()
        months += 1
    # 1 - T after n kept months is 0.4 x 0.97^n; back to 0.8 when 0.97^n <= 0.5: n = 23.
    assert months == 23


@pytest.mark.parametrize(
    ("collective_choice", "expected"),
    [
        # an imposed sanction: resentment 0.15 on top of the fall: 0.375 x (1 - 0.15) = 0.31875
        (0.0, 0.31875),
        # a sanction under rules made together breeds no resentment
        (1.0, 0.375),
    ],
)
def test_imposed_sanctions_breed_resentment(tiny_world, edge, collective_choice, expected):
    model = tiny_world(RuleSet(collective_choice=collective_choice), breach_visibility=1.0)
    w = model.world
    w.trust[:] = 0.5
    w.breach[:] = [1.0, 1.0]
    w.detected[:] = [1.0, 0.0]  # the acute trust was sanctioned
    for trust in model.trusts:
        trust.update_trust()
    assert w.trust[edge(model, 0, 1)] == pytest.approx(expected, rel=1e-12)
    assert w.trust[edge(model, 1, 0)] == pytest.approx(0.375, rel=1e-12)


@pytest.mark.parametrize(
    ("levers", "seen"),
    [
        # seen = 0.5 + 0.5 x max(monitoring x cover, place's data 0.25 x scope) (ODD 7.10, 7.26),
        # cover = 1 - 0.5 (1 - scope). A boundary over the whole pool:
        ({"scope": 1.0}, 0.625),  # no open books: the place's data
        ({"scope": 1.0, "monitoring": 0.2}, 0.625),  # books that show less add nothing: max
        ({"scope": 1.0, "monitoring": 0.8}, 0.9),
        ({"scope": 1.0, "monitoring": 1.0}, 1.0),
        # No boundary: the books cover the commissioner's contracts (0.5), no place's data.
        ({}, 0.5),
        ({"monitoring": 0.8}, 0.7),
        ({"monitoring": 1.0}, 0.75),
        # Half a boundary: the data show 0.125; the books cover 0.75 and show 0.6.
        ({"scope": 0.5}, 0.5625),
        ({"scope": 0.5, "monitoring": 0.8}, 0.8),
    ],
)
def test_open_books_let_partners_see_conduct_so_trust_follows_it_faster(
    tiny_world, edge, levers, seen
):
    model = tiny_world(RuleSet(**levers), breach_visibility=0.5)
    w = model.world
    w.trust[:] = 0.5
    w.breach[:] = [0.0, 1.0]
    for trust in model.trusts:
        trust.update_trust()
    # Fall 0.25 x seen x 0.5 in the partner that breached; rise 0.03 x seen x 0.5 in the other.
    assert w.trust[edge(model, 0, 1)] == pytest.approx(0.5 - 0.125 * seen, rel=1e-12)
    assert w.trust[edge(model, 1, 0)] == pytest.approx(0.5 + 0.015 * seen, rel=1e-12)


@pytest.mark.parametrize(
    ("record", "graduated", "expected"),
    [
        (1.0, True, 0.375),  # a warning (level 0) breeds no resentment
        (2.0, True, 0.375 - 0.375 * 0.15 * 0.5),  # half the fine: half the resentment
        (5.0, True, 0.375 * 0.85),  # past the full fine: resentment capped at its full level
        (1.0, False, 0.375 * 0.85),  # a flat fine stings from the first breach
    ],
)
def test_resentment_follows_the_sting_of_the_sanction(
    tiny_world, edge, record, graduated, expected
):
    model = tiny_world(RuleSet(graduated_sanctions=graduated), breach_visibility=1.0)
    w = model.world
    w.trust[:] = 0.5
    w.breach[:] = [1.0, 1.0]
    w.detected[:] = [1.0, 0.0]
    w.record[:] = [record, 0.0]
    model.trusts[0].update_trust()
    assert w.trust[edge(model, 0, 1)] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("multiple", "expected"),
    [
        # collective choice 0.5: legitimacy 0.5, resentment 0.15 x 0.5 = 0.075 at full sting.
        (0.0, 0.375),  # the partners voted the fine away: no sting, no resentment
        (0.5, 0.375 - 0.375 * 0.075 * 0.5),  # half the tabled fine: half the sting
        (1.0, 0.375 * (1.0 - 0.075)),  # the tabled fine
        (2.0, 0.375 * (1.0 - 0.075)),  # twice it: the sting is capped at 1
    ],
)
def test_resentment_follows_the_fine_at_the_voted_multiple(tiny_world, edge, multiple, expected):
    rules = RuleSet(collective_choice=0.5, graduated_sanctions=False)
    model = tiny_world(rules, breach_visibility=1.0)
    w = model.world
    w.trust[:] = 0.5
    w.breach[:] = [1.0, 1.0]
    w.detected[:] = [1.0, 0.0]
    w.record[:] = [1.0, 0.0]
    w.fined_multiple[0] = multiple
    model.trusts[0].update_trust()
    assert w.trust[edge(model, 0, 1)] == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------------- learn (7.11)
def test_a_positive_incentive_moves_cooperation_towards_defection(learner):
    model = learner()
    model.trusts[1].learn()
    w = model.world
    # value = (0.9 - 1) + 0.3 x (1 - 0) = 0.2; private 0.2 x 2 = 0.4; no fine, no weight on the
    # system: D = 0.4 / 20 = 0.02; payoff target 0.5 - 20 x 0.02 = 0.1; target
    # max(0.1, 0.6 x 0.5 + 0.4 x 0.1 = 0.34) = 0.34; x' = 0.5 + 0.1 x (0.34 - 0.5) = 0.484.
    assert w.incentive[1] == pytest.approx(0.02, rel=1e-12)
    assert w.selfish_incentive[1] == pytest.approx(0.02, rel=1e-12)
    assert w.cooperation_next[1] == pytest.approx(0.484, rel=1e-12)
    assert w.cooperation[1] == 0.5  # learned, not yet committed
    model.trusts[1].commit()
    assert w.cooperation[1] == pytest.approx(0.484, rel=1e-12)


def test_a_negative_incentive_moves_cooperation_towards_the_norm(learner):
    model = learner(RuleSet(shared_vision=1.0))
    model.trusts[1].learn()
    w = model.world
    # W = 0.6: net = 0.4 - 0.6 x 2 = -0.8; D = -0.04; payoff target 0.5 + 0.8 = 1.3, clamped to 1;
    # self-interest alone: D = 0.02, 0.1; target max(0.1, 0.3 + 0.4 x 1) = 0.7;
    # x' = 0.5 + 0.1 x 0.2 = 0.52.
    assert w.incentive[1] == pytest.approx(-0.04, rel=1e-12)
    assert w.selfish_incentive[1] == pytest.approx(0.02, rel=1e-12)
    assert w.cooperation_next[1] == pytest.approx(0.52, rel=1e-12)


def test_when_self_interest_alone_says_cooperate_no_type_does_less(learner):
    model = learner(RuleSet(funding_model="block"))
    model.trusts[1].learn()
    w = model.world
    # Work beyond a fixed block is not paid: value = -1 + 0.3 = -0.7; D = -1.4 / 20 = -0.07,
    # the same for self-interest alone (W = 0); payoff target 0.5 + 1.4, clamped to 1; the
    # conditional blend 0.3 + 0.4 = 0.7 is below it, so the target is 1: x' = 0.5 + 0.1 x 0.5.
    assert w.incentive[1] == pytest.approx(-0.07, rel=1e-12)
    assert w.cooperation_next[1] == pytest.approx(0.55, rel=1e-12)


def test_a_tariff_paid_acute_trust_gains_its_margin_and_its_targets(learner):
    model = learner()
    w = model.world
    w.selfish_claim[0] = 57.5
    w.cooperation[0] = 0.6
    w.trust[:] = 0.6
    model.trusts[0].learn()
    # value = tariff margin 0 + targets 0.3; private 0.3 x 7.5 = 2.25; D = 2.25 / 90 = 0.025;
    # payoff target 0.6 - 0.5 = 0.1; target max(0.1, 0.6 x 0.6 + 0.4 x 0.1 = 0.4) = 0.4;
    # x' = 0.6 + 0.1 x (0.4 - 0.6) = 0.58.
    assert w.incentive[0] == pytest.approx(0.025, rel=1e-12)
    assert w.cooperation_next[0] == pytest.approx(0.58, rel=1e-12)


def test_cutting_agreed_prevention_is_a_private_gain_and_a_harm_to_the_system(learner):
    model = learner(RuleSet(shared_vision=1.0))
    w = model.world
    w.selfish_claim[1] = w.coop_claim[1] = 10.0
    w.agreed_prevention[1] = 2.0
    model.trusts[1].learn()
    # private = 2; harm = 1.5 x 2 = 3; W = 0.6: net 2 - 1.8 = 0.2; D = 0.01; payoff target
    # 0.5 - 0.2 = 0.3; self-interest alone D = 0.1, target 0; blend 0.3 + 0.4 x 0.3 = 0.42;
    # x' = 0.5 + 0.1 x (0.42 - 0.5) = 0.492.
    assert w.incentive[1] == pytest.approx(0.01, rel=1e-12)
    assert w.selfish_incentive[1] == pytest.approx(0.1, rel=1e-12)
    assert w.cooperation_next[1] == pytest.approx(0.492, rel=1e-12)


def _monitored_learner(learner, graduated: bool):
    """A learner under agreed shares with full monitoring and sanctions of severity 0.5."""
    rules = RuleSet(
        agreed_shares=True,
        scope=1.0,
        partnership_breadth=1.0,
        monitoring=1.0,
        sanction_severity=0.5,
        graduated_sanctions=graduated,
    )
    return learner(rules)


@pytest.mark.parametrize(
    ("graduated", "record", "incentive", "cooperation"),
    [
        # graduated: the next breach would bring only a warning (level 0): no expected fine;
        # as with no rules, x' = 0.484
        (True, 0.0, 0.02, 0.484),
        # graduated, one on record: half the fine, 0.5 x 1 x 0.5 = 0.25 a unit; net 0.4 - 0.5;
        # D = -0.005 for self-interest too: target 0.5 + 0.1 = 0.6 (above 0.3 + 0.24);
        # x' = 0.5 + 0.1 x 0.1
        (True, 1.0, -0.005, 0.51),
        # graduated, two on record: the full fine 0.5 a unit; net 0.4 - 1.0; D = -0.03: target
        # 0.5 + 0.6, clamped to 1; x' = 0.5 + 0.1 x 0.5
        (True, 2.0, -0.03, 0.55),
        # flat: the full fine from the first breach
        (False, 0.0, -0.03, 0.55),
    ],
)
def test_the_expected_fine_deters(learner, graduated, record, incentive, cooperation):
    model = _monitored_learner(learner, graduated)
    w = model.world
    w.record[1] = record
    assert learned(model, 1) == pytest.approx((incentive, cooperation), rel=1e-12)


@pytest.mark.parametrize(
    ("risk", "incentive", "cooperation"),
    [
        # Graduated, one on record: half the fine, 0.25 a unit on 2 units, weighed by the risk
        # attitude. Risk averse (2): net 0.4 - 1.0 = -0.6, D = -0.03: target 1; x' = 0.55.
        (2.0, -0.03, 0.55),
        # risk tolerant (0.5): net 0.4 - 0.25 = 0.15, D = 0.0075: payoff target 0.5 - 0.15 =
        # 0.35; blend 0.3 + 0.14 = 0.44; x' = 0.5 + 0.1 x (0.44 - 0.5) = 0.494
        (0.5, 0.0075, 0.494),
    ],
)
def test_risk_attitude_weighs_the_expected_fine(learner, risk, incentive, cooperation):
    model = _monitored_learner(learner, graduated=True)
    w = model.world
    w.record[1] = 1.0
    w.risk_attitude[1] = risk
    assert learned(model, 1) == pytest.approx((incentive, cooperation), rel=1e-12)


@pytest.mark.parametrize(
    ("levers", "incentive"),
    [
        # silo regulation: the organisation's own targets are worth 0.3 a unit: D = 0.4 / 20
        ({}, 0.02),
        # local autonomy alone changes nothing: silo = 1 - 0 x 1
        ({"local_autonomy": 1.0}, 0.02),
        # whole-system regulation without autonomy: targets still count (silo 1 - 1 x 0 = 1),
        # but W = 0.2: net = 0.4 - 0.2 x 2 = 0
        ({"whole_system_regulation": 1.0}, 0.0),
        # both: no silo targets, value = -0.1; W = 0.2: net = -0.2 - 0.4 = -0.6; D = -0.03
        ({"whole_system_regulation": 1.0, "local_autonomy": 1.0}, -0.03),
        # half of each: silo 1 - 0.25; value = -0.1 + 0.225 = 0.125; W = 0.1:
        # net = 0.25 - 0.2 = 0.05; D = 0.0025
        ({"whole_system_regulation": 0.5, "local_autonomy": 0.5}, 0.0025),
        # an alliance puts 0.2 weight on the system: net = 0.4 - 0.4 = 0
        ({"funding_model": "alliance"}, 0.0),
    ],
)
def test_local_autonomy_and_whole_system_regulation_change_the_incentive(
    learner, levers, incentive
):
    model = learner(RuleSet(**levers))
    model.trusts[1].learn()
    assert model.world.incentive[1] == pytest.approx(incentive, abs=1e-15)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        # D = 0, so the payoff target is where it is, 0.2; belief = mean trust (0.9 + 0.3) / 2 =
        # 0.6. A conditional cooperator: target 0.6 x 0.6 + 0.4 x 0.2 = 0.44; x' = 0.2 + 0.1 x 0.24
        (0, 0.224),
        # a free rider follows its payoff alone: target 0.2, it stays
        (1, 0.2),
        # hump-shaped: min(0.6, 1 - 0.6) = 0.4; target 0.24 + 0.08 = 0.32; x' = 0.2 + 0.012
        (2, 0.212),
        # unclassified: unconditional at the starting mean 0.5; target 0.3 + 0.08 = 0.38
        (3, 0.218),
    ],
)
def test_conditional_cooperation_follows_trusted_partners(tiny_world, edge, kind, expected):
    model = tiny_world(RuleSet(), exploration=0.0, mental_health_per_place=1)
    w = model.world
    w.org_type[:] = kind
    w.cooperation[:] = 0.2
    w.selfish_claim[:] = w.coop_claim[:] = 10.0  # nothing to gain: D = 0
    w.agreed_prevention[:] = 0.0
    w.trust[edge(model, 1, 0)] = 0.9
    w.trust[edge(model, 1, 2)] = 0.3
    model.trusts[1].learn()
    assert w.incentive[1] == 0.0
    assert w.cooperation_next[1] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("collective_choice", "expected"),
    [
        # legitimate: deterrence 0.2 x 1 x belief 0.5 x (1 - 0.5) = +0.05 -> 0.55; no resentment
        (1.0, 0.55),
        # imposed: no deterrence; resentment 0.15 x 1 x 0.5 = -0.075 -> 0.425
        (0.0, 0.425),
        # half: 0.5 + 0.2 x 0.5 x 0.5 x 0.5 = 0.525; then 0.525 - 0.15 x 0.5 x 0.525 = 0.485625
        (0.5, 0.485625),
    ],
)
def test_legitimate_sanctions_deter_and_imposed_sanctions_breed_resentment(
    learner, collective_choice, expected
):
    model = learner(RuleSet(collective_choice=collective_choice))
    w = model.world
    w.selfish_claim[1] = w.coop_claim[1]  # D = 0
    w.detected[1] = 1.0
    model.trusts[1].learn()
    assert w.incentive[1] == 0.0
    assert w.cooperation_next[1] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("multiple", "expected"),
    [
        # half legitimate: 0.5 + 0.2 x 0.5 x 0.5 x 0.5 = 0.525, then resentment 0.15 x 0.5 x
        # sting x 0.525, the sting the flat fine's level 1 at the multiple, capped at 1.
        (0.0, 0.525),
        (0.4, 0.525 - 0.15 * 0.5 * 0.4 * 0.525),
        (3.0, 0.525 - 0.15 * 0.5 * 1.0 * 0.525),
    ],
)
def test_the_sting_of_a_sanction_is_its_fine_at_the_voted_multiple(learner, multiple, expected):
    model = learner(RuleSet(collective_choice=0.5, graduated_sanctions=False))
    w = model.world
    w.selfish_claim[1] = w.coop_claim[1]  # D = 0
    w.detected[1] = 1.0
    w.fined_multiple[1] = multiple
    model.trusts[1].learn()
    assert w.cooperation_next[1] == pytest.approx(expected, rel=1e-12)


def test_exploration_is_a_small_trial_around_the_learned_value(learner):
    values = []
    for seed in range(1, 41):
        model = learner(seed=seed, exploration=0.04)
        w = model.world
        w.selfish_claim[1] = w.coop_claim[1]  # D = 0: without trials x' = 0.5
        model.trusts[1].learn()
        values.append(w.cooperation_next[1])
    values = np.array(values)
    # x' = 0.5 + 0.04 (u - 0.5), u uniform on [0, 1): within 0.5 +- 0.02, and it does vary.
    assert np.all(np.abs(values - 0.5) <= 0.02)
    assert values.std() > 0.005


def test_cooperation_is_clamped_to_the_unit_interval(learner):
    model = learner(RuleSet(collective_choice=1.0))
    w = model.world
    w.cooperation[1] = 1.0
    w.trust[:] = 1.0
    w.selfish_claim[1] = w.coop_claim[1]
    w.detected[1] = 1.0
    model.trusts[1].learn()
    assert w.cooperation_next[1] == 1.0
