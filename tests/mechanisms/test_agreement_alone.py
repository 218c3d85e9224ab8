"""The parts of an agreement on their own (ODD 7.26): a fair share chosen with no agreement to bind
it (`open_choice`), a share agreed with no partnership, which is an activity plan agreed with the
commissioner alone (`plan_marginal_rate`), and the alternative rule for partners, talk at one table
(`partner_talk`, 0 by default; at the defaults partners alone act only by planning discharges with
social care, ODD 7.18, tested in test_nhs_place.py). Each is checked on the
tiny hand-built world against values worked out by hand from the ODD's equations and the defaults
of ODD section 5 (`open_choice` 0.5, `plan_marginal_rate` 0.3, `trust_gate` 0.5, `join_trust`
0.25, `payoff_sensitivity` 20, `conditional_weight` 0.6, `learning_rate` 0.1, `target_value`
0.3), and each is checked to be inert where the rules hold the other parts too (talk, at its
default)."""

from __future__ import annotations

import numpy as np
import pytest
from hand_worlds import learned, planning

from sim import RuleSet
from sim.core.jit import as_python
from sim.core.params import pack, validate
from sim.core.rules import PRESETS

ACUTE, COMMUNITY = 0, 1
EVERYONE = {"partnership_breadth": 1.0}


# ------------------------------------------- partners who talk: the alternative rule (7.10, 7.11)
@pytest.mark.parametrize(
    ("levers", "params", "cooperation"),
    [
        # Nobody at the table: belief 0.5, payoff target 0.5 - 20 x 0.02 = 0.1; target
        # 0.6 x 0.5 + 0.4 x 0.1 = 0.34; x' = 0.5 + 0.1 x (0.34 - 0.5) = 0.484.
        ({}, {"partner_talk": 0.5}, 0.484),
        # Both at the table, talk at its default 0: as nobody, 0.484.
        (EVERYONE, {}, 0.484),
        # Talk half the way: belief 0.5 + 0.5 x 0.5 = 0.75; target 0.45 + 0.04 = 0.49;
        # x' = 0.5 + 0.1 x (0.49 - 0.5) = 0.499; the same with shares agreed.
        (EVERYONE, {"partner_talk": 0.5}, 0.499),
        ({**EVERYONE, "agreed_shares": True}, {"partner_talk": 0.5}, 0.499),
        # Talk all the way: belief 1; target 0.6 + 0.04 = 0.64; x' = 0.514.
        (EVERYONE, {"partner_talk": 1.0}, 0.514),
    ],
)
def test_talk_at_one_table_lifts_belief_in_partners(learner, levers, params, cooperation):
    model = learner(RuleSet(**levers), **params)
    # Talk changes no payoff: the incentive stays 0.02.
    assert learned(model, 1) == pytest.approx((0.02, cooperation), rel=1e-12)


@pytest.mark.parametrize(
    ("levers", "params", "kept", "member"),
    [
        # Trust 0.2: kept = x (1 - 0.5 x 0.8) = 0.6 x of cooperation 0.4 and 0.8; nobody eligible.
        ({}, {"partner_talk": 0.5}, (0.24, 0.48), 0.0),
        # Agreed, no talk: belief 0.2, inside 0.2 / 0.25 = 0.8 of the way.
        ({**EVERYONE, "agreed_shares": True}, {}, (0.24, 0.48), 0.8),
        # Talk: belief 0.2 + 0.5 x 0.8 = 0.6: kept = x (1 - 0.5 x 0.4) = 0.8 x; fully inside
        # (0.6 is above 0.25).
        ({**EVERYONE, "agreed_shares": True}, {"partner_talk": 0.5}, (0.32, 0.64), 1.0),
    ],
)
def test_talk_eases_the_trust_gate_and_keeps_partners_in(tiny_world, levers, params, kept, member):
    model = planning(tiny_world(RuleSet(**levers), **params))
    w = model.world
    w.trust[:] = 0.2
    for trust in model.trusts:
        trust.plan()
    np.testing.assert_allclose(w.kept, kept, rtol=1e-12)
    np.testing.assert_allclose(w.org_member, member, rtol=1e-12)


# ------------------------------------------------------------ a fair share chosen openly (7.5)
@pytest.mark.parametrize(
    ("levers", "params", "norms"),
    [
        # Fortress: the historical shares 0.8 and 0.2 of 100.
        ({"collective_choice": 1.0}, {"open_choice": 0.0}, (80.0, 20.0)),
        # Chosen openly, half the way to need: need 90 and 25 of 115; acute
        # 0.8 + 0.5 x (90/115 - 0.8) = 0.791304..., community 0.2 + 0.5 x (25/115 - 0.2).
        (
            {"collective_choice": 1.0},
            {},
            (100 * (0.8 + 0.5 * (90 / 115 - 0.8)), 100 * (0.2 + 0.5 * (25 / 115 - 0.2))),
        ),
        # Half a choice, chosen openly all the way: 0.5 x 1, half the way, as above.
        (
            {"collective_choice": 0.5},
            {"open_choice": 1.0},
            (100 * (0.8 + 0.5 * (90 / 115 - 0.8)), 100 * (0.2 + 0.5 * (25 / 115 - 0.2))),
        ),
        # Shares agreed, but the agreement reaches nobody (breadth 0): the shares it imposes are
        # the historical ones, and nothing is chosen openly.
        ({"collective_choice": 1.0, "agreed_shares": True}, {}, (80.0, 20.0)),
    ],
)
def test_a_fair_share_chosen_with_no_agreement_moves_part_of_the_way_to_need(
    tiny_world, levers, params, norms
):
    model = planning(tiny_world(RuleSet(**levers), **params))
    w = model.world
    w.need[0, COMMUNITY] = 25.0
    for trust in model.trusts:
        trust.plan()
    np.testing.assert_allclose(w.coop_claim, norms, rtol=1e-12)
    np.testing.assert_allclose(w.agreed, norms, rtol=1e-12)


# ------------------------------------------------ a share agreed with the commissioner alone (7.6)
def _acute_over_plan(tiny_world, rules, **params):
    """Acute (contract 0), community (1) and mental health (2): the acute trust claims 60 against
    an agreed share of 50; emergency share of acute need 6 / 60 = 0.1; tariff margin 0.1; 200
    available, so the blocks (30 + 2 and 20 + 1) are paid in full."""
    model = tiny_world(rules, mental_health_per_place=1, tariff_margin=0.1, **params)
    w = model.world
    w.claim[:] = [60.0, 30.0, 20.0]
    w.agreed[:] = [50.0, 30.0, 20.0]
    w.prevention[:] = [0.0, 2.0, 1.0]
    w.need[0, ACUTE] = 60.0
    w.spill[0] = 6.0
    w.available[0] = 200.0
    w.pool_balance[0] = 0.0
    return model


@pytest.mark.parametrize(
    ("levers", "params", "acute"),
    [
        # Nothing agreed: 1.1 x 54 + 1.1 x 0.3 x 6 = 61.38 (tests/mechanisms/test_commissioner.py).
        ({}, {}, 61.38),
        # Agreed with the commissioner alone: within the plan 50, 1.1 x 45 + 1.1 x 0.3 x 5 =
        # 51.15; the 10 above it would get 1.1 x 9 + 1.1 x 0.3 x 1 = 10.23, and get 0.3 of it,
        # 3.069: 54.219.
        ({"agreed_shares": True}, {}, 54.219),
        # At a marginal rate of a half: 51.15 + 0.5 x 10.23 = 56.265.
        ({"agreed_shares": True}, {"plan_marginal_rate": 0.5}, 56.265),
        # At the full tariff the plan changes nothing: 61.38.
        ({"agreed_shares": True}, {"plan_marginal_rate": 1.0}, 61.38),
        # The partnership reaches it: its agreement governs its claims, not a plan: 61.38.
        ({"agreed_shares": True, **EVERYONE}, {}, 61.38),
    ],
)
def test_acute_activity_above_a_plan_agreed_alone_is_paid_at_its_marginal_rate(
    tiny_world, levers, params, acute
):
    model = _acute_over_plan(tiny_world, RuleSet(funding_model="activity", **levers), **params)
    w = model.world
    model.commissioners[0].pay()
    np.testing.assert_allclose(w.payment, [acute, 32.0, 21.0], rtol=1e-12)
    # What the plan does not pay stays in the pool: it pays out the payments and 2% on them.
    assert w.pool_balance[0] == pytest.approx(-(acute + 53.0) * 1.02, rel=1e-12)


def test_what_the_plan_does_not_pay_the_acute_trust_goes_to_the_blocks_when_money_is_short(
    tiny_world,
):
    model = _acute_over_plan(tiny_world, RuleSet(funding_model="activity", agreed_shares=True))
    w = model.world
    w.available[0] = 60.0
    model.commissioners[0].pay()
    # Acute 54.219 (above); the blocks share the 5.781 left in proportion to their 32 and 21.
    # Without the plan acute's 61.38 would take all 60 and leave the blocks nothing.
    ratio = (60.0 - 54.219) / 53.0
    np.testing.assert_allclose(w.payment, [54.219, 32.0 * ratio, 21.0 * ratio], rtol=1e-12)
    assert w.payment.sum() == pytest.approx(60.0, rel=1e-12)  # all that is available, no more


@pytest.mark.parametrize(
    ("levers", "incentive", "cooperation"),
    [
        # 10 above the norm at the tariff's margin 0 plus the target's pull 0.3: D = 3 / 90; the
        # payoff target 0.5 - 20 x 0.0333 < 0 is 0; target max(0, 0.6 x 0.5 + 0) = 0.3;
        # x' = 0.5 + 0.1 x (0.3 - 0.5) = 0.48.
        ({}, 3.0 / 90.0, 0.48),
        # Above a plan agreed alone: 1 x 0.3 - 1 + 0.3 = -0.4 a unit: D = -4 / 90; payoff
        # target 1; target max(1, 0.3 + 0.4) = 1; x' = 0.55.
        ({"agreed_shares": True}, -4.0 / 90.0, 0.55),
        # Reached by the partnership: as with nothing agreed.
        ({"agreed_shares": True, **EVERYONE}, 3.0 / 90.0, 0.48),
    ],
)
def test_a_plan_agreed_alone_makes_acute_overclaiming_cost(learner, levers, incentive, cooperation):
    model = learner(RuleSet(funding_model="activity", **levers))
    w = model.world
    w.selfish_claim[ACUTE] = 60.0
    assert learned(model, ACUTE) == pytest.approx((incentive, cooperation), rel=1e-12)


# ------------------------------------------------------------ neutral values, whole runs
@pytest.mark.parametrize(
    ("levers", "neutral", "exact"),
    [
        # Collective choice with nothing agreed, at open_choice 0 and no running cost: fortress.
        ({"collective_choice": 1.0}, {"open_choice": 0.0, "cost_collective_choice": 0.0}, True),
        # Agreed shares with no partnership, paid the full price above the plan: fortress, up to
        # round-off (the claim is paid in two parts).
        ({"agreed_shares": True}, {"plan_marginal_rate": 1.0}, False),
        # Partners with nothing agreed, no talk (its default) and no joint discharge planning:
        # fortress; at their defaults, and with talk, they act.
        (EVERYONE, {"partner_talk": 0.0, "joint_discharge": 0.0}, True),
    ],
)
def test_at_their_neutral_values_the_two_terms_leave_fortress_as_it_was(levers, neutral, exact):
    from sim import run_many

    fortress = PRESETS["fortress"]
    alone = fortress.with_levers(name="alone", **levers)
    runs = run_many([fortress, alone], replicates=2, months=36, seed=3, **neutral)
    # The outcomes: not the run's keys, nor the columns that name each rule set's levers.
    keys = {"point", "replicate", "seed"}
    numeric = [
        c for c in runs.select_dtypes("number").columns if c not in keys and "lever_" not in c
    ]
    a = runs[runs["rules"] == "fortress"][numeric].to_numpy()
    b = runs[runs["rules"] == "alone"][numeric].to_numpy()
    if exact:
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    # ... and in force each acts on its own: the same runs with that term at its default (talk at
    # 0.5, since its default is 0) and the others neutral; a running cost stays at 0, so that
    # what moves is the mechanism.
    for term in (k for k in neutral if not k.startswith("cost_")):
        params = {k: v for k, v in neutral.items() if k != term}
        if term == "partner_talk":
            params[term] = 0.5
        acting = run_many([fortress, alone], replicates=2, months=36, seed=3, **params)
        a = acting[acting["rules"] == "fortress"][numeric].to_numpy()
        b = acting[acting["rules"] == "alone"][numeric].to_numpy()
        assert not np.allclose(a, b, rtol=1e-9, atol=1e-9), f"{term} in force moves nothing"


# ------------------------------------------------------------- inert beside the other parts
def _p(scenario="place_system", **params):
    return pack(scenario, validate(scenario, **params))


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_the_two_terms_are_inert_in_every_preset(name):
    """Every preset that chooses shares agrees them, and every preset that agrees shares reaches
    the acute trusts (kinds reached at breadth 0.2): no open choice, no plan."""
    from sim.core.constants import MEMBERSHIP_THRESHOLD
    from sim.core.submodels.commissioner import planned
    from sim.core.submodels.place import need_choice

    rules = PRESETS[name]
    r = rules.vector()
    p = _p(open_choice=1.0)
    assert as_python(need_choice)(p, r)[1] == 0.0
    acute_reached = 1.0 if rules.partnership_breadth >= MEMBERSHIP_THRESHOLD[ACUTE] else 0.0
    assert as_python(planned)(r, acute_reached) == 0.0


@pytest.mark.parametrize("scenario", ["classroom_commons", "public_goods"])
def test_a_laboratory_game_has_no_open_choice_plan_or_talk_of_its_own(scenario):
    """A game's shares are equal whoever chooses them; it has no tariff; its talk is its
    communication treatment's agreement (sim.app.classroom)."""
    from sim.core.params import PX

    p = _p(scenario)
    assert (p[PX.open_choice], p[PX.plan_marginal_rate], p[PX.partner_talk]) == (0.0, 1.0, 0.0)
