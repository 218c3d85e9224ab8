"""Principles on their own (ODD 7.26): a defined boundary without open books (the place's own data),
open books without a defined boundary, sanctions without an agreement (the regulator's control
totals) and an involved public without a tabled prevention slice. Each is checked on the tiny
hand-built world against values worked out by hand from the ODD's equations and the defaults of
ODD section 5 (`place_data_sight` 0.25, `unbounded_cover` 0.5, `control_total_detection` 0.25,
`public_prevention` 0.01), and each is checked to be inert where the rules hold the principles it
usually acts through (the place's data alone change what the partnership board sees)."""

from __future__ import annotations

import numpy as np
import pytest
from hand_worlds import learned, overclaiming, planning

from sim import RuleSet
from sim.core.constants import RNG_MONITORING
from sim.core.jit import as_python
from sim.core.params import pack, validate
from sim.core.rng import uniform
from sim.core.rules import PRESETS

ACUTE, COMMUNITY = 0, 1


def _p(**params):
    return pack("place_system", validate("place_system", **params))


# ------------------------------------------------------------ open books without a boundary
@pytest.mark.parametrize(
    ("scope", "unbounded", "cover"),
    [
        (0.0, 0.5, 0.5),  # the commissioner's contracts only
        (0.5, 0.5, 0.75),  # 1 - 0.5 x 0.5
        (1.0, 0.5, 1.0),  # the whole pool
        (0.0, 0.0, 0.0),  # without a boundary the books show nothing
        (0.2, 0.3, 0.44),  # 1 - 0.7 x 0.8
    ],
)
def test_open_books_cover_what_the_boundary_bounds_and_part_of_the_rest(scope, unbounded, cover):
    from sim.core.submodels.regulator import detection_rate, open_books_cover

    p = _p(unbounded_cover=unbounded)
    r = RuleSet(scope=scope, monitoring=0.8).vector()
    assert as_python(open_books_cover)(p, r) == pytest.approx(cover, rel=1e-12, abs=1e-15)
    # Detection reads the same books: 0.8 x cover (no team).
    assert as_python(detection_rate)(p, r) == pytest.approx(0.8 * cover, rel=1e-12, abs=1e-15)


def test_full_scope_covers_exactly_the_whole_pool_whatever_the_cover_without_it():
    from sim.core.submodels.regulator import open_books_cover

    for unbounded in (0.0, 0.1, 0.3, 0.7, 1.0):
        r = RuleSet(scope=1.0, monitoring=1.0).vector()
        assert as_python(open_books_cover)(_p(unbounded_cover=unbounded), r) == 1.0


# --------------------------------------------------- sanctions without an agreement (7.8, 7.26)
def _fortress_overclaiming(tiny_world, claim=60.0, **levers):
    """Fortress with sanctions: the acute trust claims `claim` against its historical share 50
    (tolerated 0.05 x 50 = 2.5); nothing is agreed and nobody is a member."""
    rules = RuleSet(**{"sanction_severity": 0.6, **levers})
    return overclaiming(tiny_world(rules, control_total_detection=1.0), claim)


def test_the_regulator_fines_a_breach_of_its_control_total_where_nothing_is_agreed(
    tiny_world, begin_month
):
    model = _fortress_overclaiming(tiny_world)
    w = model.world
    assert w.org_member.tolist() == [0.0, 0.0]
    fines = []
    for _ in range(3):
        begin_month(model)
        model.regulator.assess(model.trusts[0])
        assert w.detected[0] == 1.0
        fines.append(float(w.fine[0]))
    assert fines == pytest.approx([6.0, 6.0, 6.0], abs=1e-12)  # flat: 0.6 x 1 x 10
    assert w.record[0] == 3.0
    assert w.balance[0] == pytest.approx(-18.0)  # from the provider to the place's pool
    assert w.pool_balance[0] == pytest.approx(18.0)
    model.regulator.assess(model.trusts[1])  # the community trust kept its share
    assert (w.breach[1], w.detected[1], w.fine[1]) == (0.0, 0.0, 0.0)


def test_graduated_control_totals_warn_first_then_rise(tiny_world, begin_month):
    model = _fortress_overclaiming(tiny_world, graduated_sanctions=True)
    fines = []
    for _ in range(4):
        begin_month(model)
        model.regulator.assess(model.trusts[0])
        fines.append(float(model.world.fine[0]))
    assert fines == pytest.approx([0.0, 3.0, 6.0, 9.0], abs=1e-12)  # levels 0, 0.5, 1, 1.5


@pytest.mark.parametrize(
    "levers",
    [
        {"sanction_severity": 0.0},  # no sanction to impose: the regulator does not look
        # An agreement that reaches both: sanctions enforce it, through its open books (none).
        {"agreed_shares": True, "partnership_breadth": 1.0},
    ],
)
def test_the_regulator_stands_aside_without_a_fine_or_beside_an_agreement(
    tiny_world, begin_month, levers
):
    model = _fortress_overclaiming(tiny_world, **levers)
    w = model.world
    begin_month(model)
    model.regulator.assess(model.trusts[0])
    assert w.breach[0] == 1.0
    assert (w.detected[0], w.fine[0], w.record[0]) == (0.0, 0.0, 0.0)


def test_a_provider_an_agreement_does_not_reach_answers_to_the_regulator(tiny_world, begin_month):
    # Breadth 0.1 reaches neither the acute nor the community trust (thresholds 0.2): the acute
    # trust's breach of its control total is found and fined as if nothing were agreed.
    model = _fortress_overclaiming(tiny_world, agreed_shares=True, partnership_breadth=0.1)
    w = model.world
    assert w.org_eligible.tolist() == [0.0, 0.0]
    begin_month(model)
    model.regulator.assess(model.trusts[0])
    assert (w.detected[0], w.fine[0]) == (1.0, pytest.approx(6.0, abs=1e-12))


def test_the_regulator_finds_a_breach_when_its_keyed_draw_falls_below_its_chance(
    tiny_world, begin_month
):
    # At the default chance 0.25 a breach is found exactly in the months whose draw is below it.
    model = tiny_world(RuleSet(sanction_severity=0.6))
    w = model.world
    found, expected = [], []
    for _ in range(40):
        begin_month(model)
        w.claim[:] = [60.0, 10.0]
        w.coop_claim[:] = [50.0, 10.0]
        w.agreed_prevention[:] = 0.0
        w.prevention[:] = 0.0
        model.regulator.assess(model.trusts[0])
        u = as_python(uniform)(w.key[1], w.key[2], int(w.clock[0]), 0, RNG_MONITORING)
        found.append(float(w.detected[0]))
        expected.append(1.0 if u < 0.25 else 0.0)
    assert found == expected
    assert 0.0 < sum(found) < 40.0  # both outcomes occur


def _fortress_learner(learner, **levers):
    return learner(RuleSet(sanction_severity=0.5, **levers))


@pytest.mark.parametrize(
    ("graduated", "record", "incentive", "cooperation"),
    [
        # No sanctions: the learner's net gain 0.4 on 2 units overclaimed, D = 0.4 / 20 = 0.02;
        # x' = 0.484 (as in tests/mechanisms/test_trust.py::test_the_expected_fine_deters).
        (None, 0.0, 0.02, 0.484),
        # Flat: the regulator's chance 0.25 x the fine 0.5 a unit = 0.125 a unit on 2 units:
        # net 0.4 - 0.25 = 0.15, D = 0.0075: payoff target 0.5 - 0.15 = 0.35; target
        # 0.6 x 0.5 + 0.4 x 0.35 = 0.44; x' = 0.5 + 0.1 x (0.44 - 0.5) = 0.494.
        (False, 0.0, 0.0075, 0.494),
        # Graduated with nothing on record: the next breach brings a warning, no expected fine.
        (True, 0.0, 0.02, 0.484),
        # Graduated, two on record: the full fine, as flat.
        (True, 2.0, 0.0075, 0.494),
    ],
)
def test_the_regulators_expected_fine_deters_where_nothing_is_agreed(
    learner, graduated, record, incentive, cooperation
):
    if graduated is None:
        model = learner(RuleSet())
    else:
        model = _fortress_learner(learner, graduated_sanctions=graduated)
    w = model.world
    w.record[1] = record
    assert learned(model, 1) == pytest.approx((incentive, cooperation), rel=1e-12)


@pytest.mark.parametrize(
    ("levers", "member", "incentive", "cooperation"),
    [
        # An agreement that does not reach it (breadth 0.1 < 0.2): the regulator's 0.25 x 0.5 a
        # unit, as where nothing is agreed: D = 0.0075, x' = 0.494.
        ({"agreed_shares": True, "partnership_breadth": 0.1}, None, 0.0075, 0.494),
        # An agreement that reaches it, without open books: the books find nothing and the
        # regulator leaves it to the agreement: D = 0.02, x' = 0.484 ...
        ({"agreed_shares": True, "partnership_breadth": 1.0}, None, 0.02, 0.484),
        # ... even when it has left the agreement for want of trust (member 0): it is still a
        # provider the partnership reaches (ODD 7.8, 7.26).
        ({"agreed_shares": True, "partnership_breadth": 1.0}, 0.0, 0.02, 0.484),
    ],
)
def test_the_regulators_expected_fine_falls_on_providers_the_agreement_does_not_reach(
    learner, levers, member, incentive, cooperation
):
    model = _fortress_learner(learner, graduated_sanctions=False, **levers)
    w = model.world
    if member is not None:
        w.org_member[1] = member
    assert learned(model, 1) == pytest.approx((incentive, cooperation), rel=1e-12)


def test_a_provider_that_left_the_agreement_is_found_by_neither_books_nor_regulator(
    tiny_world, begin_month
):
    # Reached by the agreement (breadth 1), full open books, but out of it for want of trust
    # (member 0): the books find only members, the regulator only providers outside its reach.
    model = _fortress_overclaiming(
        tiny_world, agreed_shares=True, partnership_breadth=1.0, monitoring=1.0, scope=1.0
    )
    w = model.world
    begin_month(model)
    w.org_member[:] = 0.0
    model.regulator.assess(model.trusts[0])
    assert (w.breach[0], w.detected[0], w.fine[0]) == (1.0, 0.0, 0.0)
    w.org_member[:] = 1.0  # back in: the books find it
    begin_month(model)
    model.regulator.assess(model.trusts[0])
    assert w.detected[0] == 1.0


# --------------------------------------------------------- the public's own prevention (7.26)
def _plan(tiny_world, rules, **params):
    """tests/mechanisms/hand_worlds.planning (expected need 120 a month), with the community
    trust's need 25, above its share of what is left, so that the slice shows in its norm."""
    model = planning(tiny_world(rules, **params))
    w = model.world
    w.need[0, COMMUNITY] = 25.0
    for trust in model.trusts:
        trust.plan()
    return w


@pytest.mark.parametrize(
    ("levers", "params", "slice_"),
    [
        ({}, {}, 0.0),  # fortress: no prevention budget
        ({"public_involvement": 1.0}, {}, 0.01),  # the public's ask, 0.01 x 1
        ({"public_involvement": 0.5}, {}, 0.005),
        ({"public_involvement": 1.0}, {"public_prevention": 0.04}, 0.04),
        # A tabled slice above the public's ask stands: max(0.03, 0.01).
        ({"public_involvement": 1.0, "prevention_slice": 0.03}, {}, 0.03),
    ],
)
def test_an_involved_public_asks_for_prevention_where_none_is_tabled(
    tiny_world, levers, params, slice_
):
    w = _plan(tiny_world, RuleSet(**levers), **params)
    assert w.chosen_slice[0] == pytest.approx(slice_, rel=1e-12, abs=0.0)
    # The community trust's budget is slice x 120; it delivers 0.8 of it.
    np.testing.assert_allclose(w.agreed_prevention, [0.0, slice_ * 120.0], rtol=1e-12)
    np.testing.assert_allclose(w.prevention, [0.0, 0.8 * slice_ * 120.0], rtol=1e-12)
    # The norm is its share of what is left after the slice: 0.2 x (1 - slice) x 100 (below its
    # need of 25).
    assert w.coop_claim[COMMUNITY] == pytest.approx(20.0 * (1.0 - slice_), rel=1e-12)


# ------------------------------------------------------------- inert beside their requirements
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_the_terms_on_their_own_are_inert_in_every_preset(name):
    """Each preset that monitors bounds the books over the whole pool and monitors at least as much
    as the place's data show, each that sanctions has an agreement that reaches every kind but
    the success regime's (breadth 0.6), and each that involves the public tables at least its ask:
    so the terms change nothing there but for the partnership board (a boundary without open
    books sees the place's data) and the success regime's ambulance and social care (outside its
    agreement, held to the regulator's control totals)."""
    from sim.core.submodels.choice import tabled_slice
    from sim.core.submodels.regulator import (
        control_total_chance,
        open_books_cover,
        outside,
        visibility,
    )

    r = PRESETS[name].vector()
    for p in (_p(), _p(unbounded_cover=0.0, control_total_detection=1.0, public_prevention=0.0)):
        if PRESETS[name].monitoring > 0.0:
            assert as_python(open_books_cover)(p, r) == 1.0
            assert as_python(visibility)(p, r) == 0.5 + 0.5 * PRESETS[name].monitoring
        regulated = as_python(control_total_chance)(p, r) * as_python(outside)(
            PRESETS[name].agreed_shares, 1.0
        )
        assert regulated == 0.0  # no provider the agreement reaches answers to the regulator
        assert as_python(tabled_slice)(p, r) == PRESETS[name].prevention_slice


@pytest.mark.parametrize("scenario", ["classroom_commons", "public_goods"])
def test_a_laboratory_game_has_no_commissioner_place_data_regulator_or_public(scenario):
    """The four terms are the place-based system's: in a game the books cover exactly the scope,
    nothing is seen beyond the books and the group total, no regulator fines, and the tabled slice
    is the rule set's, whatever the levers."""
    from sim.core.params import PX
    from sim.core.submodels.choice import tabled_slice
    from sim.core.submodels.regulator import control_total_chance, open_books_cover, visibility

    p = pack(scenario, validate(scenario, breach_visibility=0.5))
    for name in ("unbounded_cover", "place_data_sight", "control_total_detection"):
        assert p[getattr(PX, name)] == 0.0
    levers = {"monitoring": 0.8, "sanction_severity": 0.6, "public_involvement": 1.0}
    for scope in (0.0, 0.3, 1.0):
        r = RuleSet(scope=scope, **levers).vector()
        assert as_python(open_books_cover)(p, r) == pytest.approx(scope, abs=1e-15)
        assert as_python(visibility)(p, r) == pytest.approx(0.5 + 0.5 * 0.8 * scope, abs=1e-15)
        assert as_python(control_total_chance)(p, r) == 0.0
        assert as_python(tabled_slice)(p, r) == 0.0


def test_the_publics_slice_stands_at_the_partners_vote_where_no_shares_are_agreed(tiny_world):
    """Members (all partners in) vote at month 12, but with no agreed shares the slice is not put to
    the vote (ODD 7.25): the tabled slice, the public's 0.01, stays in force."""
    model = tiny_world(
        RuleSet(public_involvement=1.0, collective_choice=1.0, partnership_breadth=1.0)
    )
    w = model.world
    assert w.chosen_slice[0] == pytest.approx(0.01, rel=1e-12)
    model.run_for(13)
    assert w.clock[0] == 13.0
    assert w.org_member.sum() > 0.0  # the vote was held among members
    assert w.chosen_slice[0] == pytest.approx(0.01, rel=1e-12)


def test_the_publics_slice_is_tabled_by_the_partners_then_moved_by_their_vote(tiny_world):
    """With agreed shares the public's tabled 0.01 is put to the vote at month 12 and moves to
    the members' median ideal, as a tabled slice does (tests/mechanisms/test_choice.py)."""
    rules = RuleSet(
        public_involvement=1.0,
        collective_choice=1.0,
        partnership_breadth=1.0,
        agreed_shares=True,
        shared_vision=1.0,
    )
    model = tiny_world(rules)
    w = model.world
    model.run_for(11)
    assert w.chosen_slice[0] == pytest.approx(0.01, rel=1e-12)  # months 1-11: the tabled slice
    model.run_for(1)  # month 12: the planning round
    assert any(v == pytest.approx(w.chosen_slice[0], rel=1e-12) for v in w.vote_slice)
    assert w.chosen_slice[0] != pytest.approx(0.01)


def test_a_schedule_that_involves_the_public_tables_its_slice_from_that_month():
    from sim import CareSystem

    model = CareSystem(rules=[(0, "fortress"), (6, RuleSet(public_involvement=1.0))], seed=2)
    w = model.world
    model.run_for(5)
    assert w.chosen_slice.tolist() == [0.0] * len(w.chosen_slice)
    model.run_for(2)
    np.testing.assert_allclose(w.chosen_slice, 0.01, rtol=1e-12)


NEUTRAL = {
    "unbounded_cover": 0.0,
    "place_data_sight": 0.0,
    "control_total_detection": 0.0,
    "public_prevention": 0.0,
    "open_choice": 0.0,
    "plan_marginal_rate": 1.0,
}


def test_at_their_neutral_values_the_six_terms_give_the_model_without_them():
    """At their neutral values the six terms vanish (cover = scope, nothing seen beyond the
    books, no regulator's fines, the rule set's slice, no open choice, the full price above a
    plan; tests/mechanisms/test_agreement_alone.py). At their defaults every preset runs exactly
    as at 0 but the partnership board (a boundary without open books: it sees the place's data) and the success
    regime (whose agreement does not reach ambulance and social care: the regulator fines them)."""
    from sim import run_many

    presets = list(PRESETS)
    default = run_many(presets, replicates=2, months=24, seed=5)
    neutral = run_many(presets, replicates=2, months=24, seed=5, **NEUTRAL)
    numeric = default.select_dtypes("number").columns
    for name in presets:
        a = default[default["rules"] == name][numeric].to_numpy()
        b = neutral[neutral["rules"] == name][numeric].to_numpy()
        same = np.array_equal(a, b)
        assert same == (name not in ("partnership_board", "success_regime")), name
