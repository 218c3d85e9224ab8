"""Regulator: risk pooling across the places of an ICS (ODD 7.2, `Regulator.pool_risk`),
monitoring and sanctions (7.8, `Regulator.assess`) and takeover of failing providers (7.12,
`Regulator.intervene`; the oversight segments that decide it are tested in
tests/mechanisms/test_nhs_regulator.py). Expected values are worked out by hand from the ODD's
equations with the default parameter values of ODD section 5."""

from __future__ import annotations

import numpy as np
import pytest
from hand_worlds import overclaiming

from sim import RuleSet


def _monitored(**levers):
    rules = {
        "agreed_shares": True,
        "scope": 1.0,
        "partnership_breadth": 1.0,
        "monitoring": 1.0,  # u < 1 always: every breach by a member is detected
        "sanction_severity": 0.6,
        **levers,
    }
    return RuleSet(**rules)


def _overclaiming(tiny_world, rules, claim=60.0):
    """The acute trust claims `claim` against an agreed 50 (tolerated: 0.05 x 50 = 2.5)."""
    return overclaiming(tiny_world(rules), claim)


# -------------------------------------------------------------------------------- assess (7.8)
def test_graduated_sanctions_a_warning_then_rising_past_the_flat_fine(tiny_world, begin_month):
    model = _overclaiming(tiny_world, _monitored(graduated_sanctions=True))
    w = model.world
    acute = model.trusts[0]
    fines = []
    for _ in range(7):
        begin_month(model)
        model.regulator.assess(acute)
        assert w.breach[0] == 1.0
        assert w.detected[0] == 1.0
        assert w.overclaim[0] == pytest.approx(10.0)
        fines.append(float(w.fine[0]))
    # Fine = 0.6 x 1 x level x 10 with level = clamp((record - 1) / 2, 0, escalation 2): records
    # 1 to 7 give levels 0, 0.5, 1, 1.5, 2, 2, 2.
    assert fines == pytest.approx([0.0, 3.0, 6.0, 9.0, 12.0, 12.0, 12.0], abs=1e-12)
    assert w.record[0] == 7.0
    # Fines move from the provider to its place's pool.
    assert w.balance[0] == pytest.approx(-54.0)
    assert w.pool_balance[0] == pytest.approx(54.0)
    assert w.fines_in[0] == pytest.approx(12.0)  # this month's fine only
    # The community trust kept its share: no breach, no fine.
    model.regulator.assess(model.trusts[1])
    assert w.breach[1] == 0.0
    assert w.fine[1] == 0.0
    assert w.record[1] == 0.0


def test_flat_sanctions_fine_in_full_from_the_first_breach(tiny_world, begin_month):
    model = _overclaiming(tiny_world, _monitored(graduated_sanctions=False))
    w = model.world
    fines = []
    for _ in range(3):
        begin_month(model)
        model.regulator.assess(model.trusts[0])
        fines.append(float(w.fine[0]))
    assert fines == pytest.approx([6.0, 6.0, 6.0], abs=1e-12)  # 0.6 x 1 x 1 x 10
    assert w.balance[0] == pytest.approx(-18.0)
    assert w.pool_balance[0] == pytest.approx(18.0)


@pytest.mark.parametrize(
    ("monitoring", "team", "gain", "rate"),
    [
        (0.5, 0.0, 0.25, 0.5),
        (0.5, 1.0, 0.25, 0.625),  # 0.5 x (1 + 0.25)
        (0.8, 1.0, 0.25, 1.0),  # 0.8 x 1.25 = 1.0
        (0.6, 0.5, 0.5, 0.75),  # 0.6 x (1 + 0.5 x 0.5)
        (0.0, 1.0, 0.25, 0.0),  # a team cannot read books that are not open
    ],
)
def test_a_dedicated_team_finds_more_breaches(monitoring, team, gain, rate):
    from sim.core.jit import as_python
    from sim.core.params import pack, validate
    from sim.core.submodels.regulator import detection_rate

    p = pack("place_system", validate("place_system", team_detection_gain=gain))
    r = RuleSet(scope=1.0, monitoring=monitoring, dedicated_team=team).vector()
    assert as_python(detection_rate)(p, r) == pytest.approx(rate, rel=1e-12)


def test_a_dedicated_team_turns_a_missed_breach_into_a_detected_one(tiny_world, begin_month):
    # Monitoring 0.8 alone misses a breach whose draw u is at or above 0.8; with the team the
    # detection rate is 1 and it is found. Find such a month by the keyed draw, then compare.
    from sim.core.constants import RNG_MONITORING
    from sim.core.jit import as_python
    from sim.core.rng import uniform

    detected = {}
    for team in (0.0, 1.0):
        model = _overclaiming(tiny_world, _monitored(monitoring=0.8, dedicated_team=team))
        w = model.world
        for _ in range(200):
            begin_month(model)
            step = int(w.clock[0])
            u = as_python(uniform)(w.key[1], w.key[2], step, 0, RNG_MONITORING)
            if u >= 0.8:
                break
        else:
            pytest.fail("no draw at or above 0.8 in 200 months")
        model.regulator.assess(model.trusts[0])
        detected[team] = float(w.detected[0])
    assert detected == {0.0: 0.0, 1.0: 1.0}


def test_a_shortfall_in_agreed_prevention_counts_as_overclaim(tiny_world, begin_month):
    model = _overclaiming(tiny_world, _monitored(), claim=50.0)
    w = model.world
    w.claim[1] = 10.0
    w.agreed_prevention[1] = 4.0
    w.prevention[1] = 1.0  # 3 short of the agreed 4; tolerated 0.05 x (10 + 4) = 0.7
    begin_month(model)
    model.regulator.assess(model.trusts[1])
    assert w.overclaim[1] == pytest.approx(3.0)
    assert w.breach[1] == 1.0
    assert w.detected[1] == 1.0
    assert w.fine[1] == pytest.approx(0.6 * 3.0)


@pytest.mark.parametrize(("claim", "breach"), [(52.5, 0.0), (52.6, 1.0)])
def test_overclaims_within_tolerance_are_not_breaches(tiny_world, begin_month, claim, breach):
    model = _overclaiming(tiny_world, _monitored(), claim=claim)
    begin_month(model)
    model.regulator.assess(model.trusts[0])
    assert model.world.breach[0] == breach
    assert model.world.detected[0] == breach


@pytest.mark.parametrize(
    "rules",
    [
        _monitored(monitoring=0.0),  # nobody looks
        # Not members of the agreement, and no fine for the regulator to impose (with one, it
        # holds them to its control totals: tests/mechanisms/test_alone.py).
        _monitored(partnership_breadth=0.1, sanction_severity=0.0),
        # No agreement to breach, and no fine for the regulator to impose on a breach of its
        # control total (with one, it finds it: tests/mechanisms/test_alone.py).
        RuleSet(monitoring=1.0),
    ],
    ids=["no-monitoring", "not-members", "no-agreement"],
)
def test_breaches_outside_a_monitored_agreement_go_undetected(tiny_world, begin_month, rules):
    model = _overclaiming(tiny_world, rules)
    w = model.world
    begin_month(model)
    model.regulator.assess(model.trusts[0])
    assert w.breach[0] == 1.0  # partners still see the breach (it moves their trust)
    assert w.detected[0] == 0.0
    assert w.fine[0] == 0.0
    assert w.record[0] == 0.0
    assert w.balance[0] == 0.0


def test_detection_happens_with_the_monitoring_probability(tiny_world, begin_month):
    model = _overclaiming(tiny_world, _monitored(monitoring=0.5, sanction_severity=0.0))
    detected = 0
    months = 400
    for _ in range(months):
        begin_month(model)
        model.regulator.assess(model.trusts[0])
        detected += int(model.world.detected[0])
    # Binomial(400, 0.5): mean 200, s.d. 10.
    assert abs(detected - 200) <= 40
    assert model.world.record[0] == detected


# ----------------------------------------------------------------------------- intervene (7.12)
# A provider is taken over when special measures did not turn it round: in segment 4 for
# `special_measures_limit` (18) months without a break (ODD 7.12, 7.23).
def _failing(tiny_world, balance, segment=4.0, months=18.0):
    model = tiny_world()
    w = model.world
    w.org_income_ref[0] = 10.0  # annual income 120; financial concern 1 at -0.5 x 120 = -60
    w.balance[0] = balance
    w.record[0] = 3.0
    w.cooperation[0] = 0.3
    w.pool_balance[0] = 0.0
    w.segment[0] = segment
    w.special_months[0] = months
    return model


def test_a_failing_provider_is_taken_over(tiny_world, begin_month):
    model = _failing(tiny_world, balance=-70.0)
    begin_month(model)
    model.regulator.intervene(model.trusts[0])
    w = model.world
    # Deficit 70 written off against the pool, plus the takeover cost 0.02 x 120 = 2.4.
    assert w.pool_balance[0] == pytest.approx(-72.4)
    assert w.takeover_cost[0] == pytest.approx(2.4)
    assert w.balance[0] == 0.0
    assert w.failures[0] == 1.0
    assert w.record[0] == 0.0  # record wiped
    assert w.cooperation[0] == 0.3  # culture carries on
    assert w.segment[0] == 1.0  # a new start, rated again at the next review
    assert w.special_months[0] == 0.0


def test_a_provider_taken_over_for_access_keeps_its_reserves(tiny_world, begin_month):
    # In special measures for long waits, not money: nothing to write off; the takeover costs 2.4.
    model = _failing(tiny_world, balance=15.0)
    begin_month(model)
    model.regulator.intervene(model.trusts[0])
    w = model.world
    assert w.pool_balance[0] == pytest.approx(-2.4)
    assert w.balance[0] == 15.0
    assert w.failures[0] == 1.0


@pytest.mark.parametrize(
    ("balance", "segment", "months"),
    [
        (-70.0, 4.0, 17.0),  # special measures, one month short of the limit
        (-70.0, 3.0, 40.0),  # past the old failure threshold, but not in special measures
        (-59.0, 3.0, 0.0),
        (0.0, 1.0, 0.0),
    ],
)
def test_a_provider_short_of_failure_after_special_measures_is_not_taken_over(
    tiny_world, begin_month, balance, segment, months
):
    model = _failing(tiny_world, balance=balance, segment=segment, months=months)
    begin_month(model)
    model.regulator.intervene(model.trusts[0])
    w = model.world
    assert w.balance[0] == balance
    assert w.failures[0] == 0.0
    assert w.record[0] == 3.0
    assert w.pool_balance[0] == 0.0
    assert w.takeover_cost[0] == 0.0
    assert w.segment[0] == segment


def test_a_failing_provider_of_two_places_is_written_off_against_both(tiny_world, begin_month):
    # Two places, one acute trust each, and an ambulance trust serving both (organisation 2).
    model = tiny_world(n_places=2, community_per_place=0, ambulance_per_ics=1)
    w = model.world
    assert model.trusts[2].kind == "ambulance"
    w.org_income_ref[2] = 5.0  # annual 60
    w.balance[2] = -40.0
    w.segment[2] = 4.0
    w.special_months[2] = 18.0
    w.pool_balance[:] = 0.0
    begin_month(model)
    model.regulator.intervene(model.trusts[2])
    # (40 + 0.02 x 60) / 2 = 20.6 from each pool; takeover cost 0.6 in each.
    np.testing.assert_allclose(w.pool_balance, [-20.6, -20.6])
    np.testing.assert_allclose(w.takeover_cost, [0.6, 0.6])
    assert w.balance[2] == 0.0
    assert w.failures[2] == 1.0


# ----------------------------------------------------------------------------- pool_risk (7.2)
@pytest.mark.parametrize(
    ("nested", "expected"),
    [
        (1.0, [-10.0, -10.0]),  # both to the mean of -40 and 20
        (0.5, [-25.0, 5.0]),  # half way: -40 + 0.5 x 30, 20 - 0.5 x 15 x 2
        (0.0, [-40.0, 20.0]),  # no nesting: each place bears its own risk
    ],
)
def test_places_of_one_ics_pool_their_risk(tiny_world, nested, expected):
    model = tiny_world(RuleSet(nested_coordination=nested), n_places=2, community_per_place=0)
    w = model.world
    w.pool_balance[:] = [-40.0, 20.0]
    model.regulator.pool_risk()
    np.testing.assert_allclose(w.pool_balance, expected)


def test_risk_is_not_pooled_across_systems(tiny_world):
    model = tiny_world(RuleSet(nested_coordination=1.0), n_ics=2, n_places=2, community_per_place=0)
    w = model.world
    w.pool_balance[:] = [-40.0, 20.0, 100.0, 0.0]  # places 0, 1 in ICS 0; 2, 3 in ICS 1
    model.regulator.pool_risk()
    np.testing.assert_allclose(w.pool_balance, [-10.0, -10.0, 50.0, 50.0])
