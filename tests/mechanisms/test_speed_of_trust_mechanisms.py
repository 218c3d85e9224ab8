"""Behaviour at the speed of trust (ODD 7.10, 7.11), on the tiny world by hand: a shared vision the
rules ask for is taken up at the speed of trust and dropped at once, and a sanction deters as far
as the sanctioned organisation trusts its partners to keep the rules too (quasi-voluntary
compliance)."""

import pytest

from sim import RuleSet

VISION_RULES = RuleSet(shared_vision=1.0)  # asks for weight 0.6 on the system's outcome


def test_a_run_starts_with_the_vision_its_rules_ask_for(tiny_world):
    # shared vision 0.6 x 1 + whole-system regulation 0.2 x 0.5 = 0.7, for every organisation
    model = tiny_world(RuleSet(shared_vision=1.0, whole_system_regulation=0.5))
    assert model.world.vision.tolist() == pytest.approx([0.7, 0.7], rel=1e-12)


@pytest.mark.parametrize(
    ("levers", "leadership", "expected"),
    [
        # seen 0.5 (no open books): gain 0.03 x 0.5 = 0.015; vision 0 + 0.015 x (0.6 - 0) = 0.009
        ({}, 1.0, 0.009),
        # system leadership with typical leaders doubles the gain: 0.03 x 0.6 = 0.018
        ({"system_leadership": 1.0}, 1.0, 0.018),
        # strong leaders (1.5): 0.015 x (1 + 1.5) x 0.6 = 0.0225
        ({"system_leadership": 1.0}, 1.5, 0.0225),
        # open books (monitoring 1 over scope 1): everything seen, gain 0.03: 0.018
        ({"monitoring": 1.0, "scope": 1.0}, 1.0, 0.018),
    ],
)
def test_a_shared_vision_adopted_mid_run_is_taken_up_at_the_speed_of_trust(
    tiny_world, levers, leadership, expected
):
    model = tiny_world(RuleSet(), breach_visibility=0.5)
    w = model.world
    model.step()  # a month under rules that ask for no weight on the system
    assert w.vision.tolist() == [0.0, 0.0]
    model.set_rules(RuleSet(shared_vision=1.0, **levers))
    assert w.vision.tolist() == [0.0, 0.0]  # a change of rules does not change minds
    w.leadership[:] = leadership
    model.trusts[0].update_trust()
    assert w.vision[0] == pytest.approx(expected, rel=1e-12)
    assert w.vision[1] == 0.0  # only the organisation that updated


def test_a_shared_vision_takes_years_to_reach_most_of_the_way(tiny_world):
    model = tiny_world(RuleSet(), breach_visibility=0.5)
    w = model.world
    model.step()
    model.set_rules(VISION_RULES)
    months = 0
    while w.vision[0] < 0.5 * 0.6:
        model.trusts[0].update_trust()
        months += 1
    # 0.6 - v after n months is 0.6 x 0.985^n: half way when 0.985^n <= 0.5, n = 46.
    assert months == 46


def test_a_shared_vision_the_rules_drop_is_dropped_at_once(tiny_world):
    model = tiny_world(VISION_RULES)
    w = model.world
    model.step()
    assert w.vision[0] == pytest.approx(0.6, rel=1e-12)
    model.set_rules(RuleSet(shared_vision=0.5))  # asks for 0.3
    assert w.vision[0] == pytest.approx(0.6, rel=1e-12)
    model.trusts[0].update_trust()
    assert w.vision[0] == pytest.approx(0.3, rel=1e-12)


def test_rules_set_before_the_first_month_are_held_as_if_the_run_began_with_them(tiny_world):
    # A schedule that starts with rules B is the same run whether built with B or built with A
    # and switched before the first month (CareSystem.set_rules at month 0).
    switched = tiny_world(RuleSet())
    switched.set_rules(VISION_RULES)
    built = tiny_world(VISION_RULES)
    assert switched.world.vision.tolist() == built.world.vision.tolist()
    assert switched.world.vision[0] == pytest.approx(0.6, rel=1e-12)


@pytest.mark.parametrize("vision", [0.0, 0.3, 0.6])
def test_the_incentive_weighs_the_harm_to_the_system_by_the_vision_held(learner, vision):
    # The learner's community trust overclaims 2 on an income of 20 (value 0.9 - 1 + targets 0.3):
    # private gain 0.2 x 2 = 0.4, harm to the system 2 (no prevention): incentive
    # (0.4 - v x 2) / 20, and 0.4 / 20 = 0.02 with no weight on the system.
    model = learner(VISION_RULES)
    w = model.world
    w.vision[1] = vision
    model.trusts[1].learn()
    assert w.selfish_incentive[1] == pytest.approx(0.02, rel=1e-12)
    assert w.incentive[1] == pytest.approx((0.4 - vision * 2.0) / 20.0, rel=1e-12)


def test_an_organisation_without_partners_is_deterred_in_full(tiny_world):
    # A place with one acute trust alone: no partners to trust or wait on (b = 1). Nothing to
    # gain (D = 0), so without the sanction it stays at 0.5; deterred: 0.5 + 0.2 x 1 x 1 x 0.5.
    model = tiny_world(RuleSet(collective_choice=1.0), community_per_place=0, exploration=0.0)
    w = model.world
    assert w.edge_start[0] == w.edge_end[0]  # no partner edges
    w.cooperation[0] = 0.5
    w.selfish_claim[0] = w.coop_claim[0] = 50.0
    w.agreed_prevention[0] = 0.0
    w.detected[0] = 1.0
    model.trusts[0].learn()
    assert w.cooperation_next[0] == pytest.approx(0.6, rel=1e-12)


@pytest.mark.parametrize(
    ("trust", "expected"),
    [
        # blend 0.6 x 0 + 0.4 x 0.5 = 0.2, below self-interest alone (0.5): stays 0.5; no deterrence
        (0.0, 0.5),
        # target 0.3 + 0.2 = 0.5: stays 0.5; deterrence 0.2 x 1 x 0.5 x (1 - 0.5) = 0.05
        (0.5, 0.55),
        # target 0.6 + 0.2 = 0.8: 0.53; deterrence 0.2 x 1 x 1 x 0.47 = 0.094: 0.624
        (1.0, 0.624),
    ],
)
def test_a_legitimate_sanction_deters_as_far_as_partners_are_trusted(learner, trust, expected):
    model = learner(RuleSet(collective_choice=1.0))
    w = model.world
    w.selfish_claim[1] = w.coop_claim[1]  # D = 0
    w.trust[:] = trust
    w.detected[1] = 1.0
    model.trusts[1].learn()
    assert w.cooperation_next[1] == pytest.approx(expected, rel=1e-12)


# ----------------------------------------------------------------- graded trust (ODD 7.10, 7.14)
@pytest.mark.parametrize(
    ("claim", "prevention", "expected"),
    [
        # selfish 80, norm 50, claims 60: kept 80 - 60 = 20 of the 30 between them, plus all 2 of
        # its agreed prevention: (20 + 2) / (30 + 2)
        (60.0, 2.0, 22.0 / 32.0),
        # half its prevention cut: (20 + 1) / 32
        (60.0, 1.0, 21.0 / 32.0),
        # the whole way to its norm (or below it: capped at 1)
        (50.0, 2.0, 1.0),
        (45.0, 2.0, 1.0),
        # all it could bill and no prevention: none of the way
        (80.0, 0.0, 0.0),
    ],
)
def test_conduct_is_the_share_of_the_way_from_selfish_claim_to_norm_kept(
    tiny_world, claim, prevention, expected
):
    model = tiny_world(RuleSet(agreed_shares=True, scope=1.0, partnership_breadth=1.0))
    w = model.world
    w.selfish_claim[:] = [80.0, 10.0]
    w.coop_claim[:] = [50.0, 10.0]
    w.claim[:] = [claim, 10.0]
    w.agreed_prevention[:] = [2.0, 0.0]
    w.prevention[:] = [prevention, 0.0]
    model.regulator.assess(model.trusts[0])
    assert w.conduct[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("grading", "breach", "conduct", "expected"),
    [
        # no grading: the breach alone decides (trust 0.5, gain 0.03, loss 0.25, all seen)
        (0.0, 1.0, 0.9, 0.5 - 0.25 * 0.5),
        (0.0, 0.0, 0.2, 0.5 + 0.03 * 0.5),
        # full grading: s = 1 - conduct = 0.25: 0.5 + 0.03 x 0.5 x 0.75 - 0.25 x 0.5 x 0.25
        (1.0, 1.0, 0.75, 0.5 + 0.03 * 0.5 * 0.75 - 0.25 * 0.5 * 0.25),
        (1.0, 0.0, 0.75, 0.5 + 0.03 * 0.5 * 0.75 - 0.25 * 0.5 * 0.25),
        # half: s = 0.5 x 1 + 0.5 x 0.25 = 0.625
        (0.5, 1.0, 0.75, 0.5 + 0.03 * 0.5 * 0.375 - 0.25 * 0.5 * 0.625),
    ],
)
def test_graded_trust_moves_by_the_share_of_its_norm_a_partner_kept(
    tiny_world, edge, grading, breach, conduct, expected
):
    model = tiny_world(RuleSet(), breach_visibility=1.0, trust_grading=grading)
    w = model.world
    w.trust[:] = 0.5
    w.breach[:] = [0.0, breach]
    w.conduct[:] = [1.0, conduct]
    model.trusts[0].update_trust()
    assert w.trust[edge(model, 0, 1)] == pytest.approx(expected, rel=1e-12)


def test_graded_trust_settles_between_the_extremes_where_binary_trust_does_not(tiny_world, edge):
    # A partner that keeps 80% of the way to its norm and breaches every month: binary trust
    # falls to 0; graded trust settles where the rise balances the fall,
    # 0.03 (1 - t) 0.8 = 0.25 t 0.2: t = 0.024 / 0.074.
    ends = {}
    for grading in (0.0, 1.0):
        model = tiny_world(RuleSet(), breach_visibility=1.0, trust_grading=grading)
        w = model.world
        w.trust[:] = 0.5
        for _ in range(600):
            w.breach[:] = [0.0, 1.0]
            w.conduct[:] = [1.0, 0.8]
            model.trusts[0].update_trust()
        ends[grading] = float(w.trust[edge(model, 0, 1)])
    assert ends[0.0] < 1e-12
    assert ends[1.0] == pytest.approx(0.024 / 0.074, rel=1e-9)
