"""Place: delayed discharges (ODD 7.18, `Place.update_health` then `Trust.plan`), waiting lists in
patients with the elective drop-out (7.21, `Place.update_health`) and winter (7.22,
`Place.update_need`). Expected values are worked out by hand from the ODD's equations with the
default parameter values of ODD section 5: discharge_delay 0.17, joint_discharge 0.2;
elective_share 0.55 and elective_dropout 0.03 (waiting_attrition 0.3 for the rest); costs per case
GBP 520 (acute), 47 (community), 250 (mental health), 45 (primary care), 270 (ambulance), 1,840
(social care); winter_amplitude 0.02, a run starting in April."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import RuleSet

ACUTE, COMMUNITY, MENTAL_HEALTH, PRIMARY_CARE, AMBULANCE, SOCIAL_CARE = range(6)
GROWTH = 1.0 + (0.015 + 0.01) / 12.0


def _left_over(model):
    """Need [50, 10, 4, 0, 2, 20]; delivered 45 acute and 8 community (the tiny world has no
    social care provider: its 20 is all left)."""
    w = model.world
    w.need[0, :] = [50.0, 10.0, 4.0, 0.0, 2.0, 20.0]
    w.activity[:] = [45.0, 8.0]
    w.prevention_delivered[:] = 0.0
    w.health[0] = w.health_base[0] = 0.7
    model.places[0].update_health()
    return w


# ------------------------------------------------------------------------ delayed discharges (7.18)
def test_unmet_social_care_takes_acute_beds_next_month(tiny_world):
    model = tiny_world(RuleSet(funding_model="activity"))
    w = _left_over(model)
    # 20 of social care left unmet: 0.17 x 20 = 3.4 of acute capacity taken by delayed discharges.
    assert w.unmet[0, SOCIAL_CARE] == 20.0
    assert w.delayed[0] == pytest.approx(3.4, rel=1e-12)
    # Next month's plan: the acute trust's capacity 95 less 3.4 = 91.6 bounds its selfish claim
    # (min(91.6, 90 x 1.15)) and its claim (cooperation 0.4: 0.4 x 80 + 0.6 x 91.6 = 86.96).
    w.cooperation[:] = [0.4, 0.8]
    w.trust[:] = 1.0
    w.need[0, ACUTE] = 90.0
    w.need[0, COMMUNITY] = 10.0
    w.available[0] = 100.0
    w.capacity[:] = [95.0, 10.5]
    w.con_base_share[:] = [0.8, 0.2]
    for trust in model.trusts:
        trust.plan()
    assert w.selfish_claim[ACUTE] == pytest.approx(91.6, rel=1e-12)
    assert w.claim[ACUTE] == pytest.approx(0.4 * 80.0 + 0.6 * 91.6, rel=1e-12)
    # The community trust's capacity is not taken: delays block acute beds only.
    assert w.selfish_claim[COMMUNITY] == pytest.approx(10.0, rel=1e-12)
    # Capacity itself is untouched (the delay takes beds for the month, it does not close them).
    assert w.capacity[ACUTE] == 95.0


@pytest.mark.parametrize(
    ("breadth", "params", "social_care", "taken"),
    [
        # The partnership reaches the place's social care provider (breadth 1): partners plan
        # discharges together and avoid joint_discharge 0.2 of the delays, 0.17 x 20 x 0.8 = 2.72.
        (1.0, {}, 1, 2.72),
        # ... half of them where joint planning reaches further: 0.17 x 20 x 0.5 = 1.7.
        (1.0, {"joint_discharge": 0.5}, 1, 1.7),
        # Acute, community, mental health and primary care, not social care (its threshold is
        # 0.8): nobody plans discharges with the local authority, 0.17 x 20 = 3.4.
        (0.79, {}, 1, 3.4),
        # Social care reached (0.8), the ambulance trust not (1): 2.72 again.
        (0.8, {}, 1, 2.72),
        # No partnership at all.
        (0.0, {"joint_discharge": 0.5}, 1, 3.4),
        # A place with no social care provider has nobody to plan discharges with: 3.4.
        (1.0, {}, 0, 3.4),
    ],
)
def test_partners_with_social_care_at_the_table_avoid_part_of_the_delays(
    tiny_world, breadth, params, social_care, taken
):
    rules = RuleSet(funding_model="activity", partnership_breadth=breadth)
    model = tiny_world(rules, social_care_per_place=social_care, **params)
    w = model.world
    # Whether the partners trust each other does not matter: the plan follows whom the
    # partnership reaches.
    w.trust[:] = 0.0
    # Need [50, 10, 4, 0, 2, 20]; 45 acute and 8 community delivered, no social care (its
    # provider, where there is one, delivers none): 20 of social care left unmet.
    w.need[0, :] = [50.0, 10.0, 4.0, 0.0, 2.0, 20.0]
    w.activity[:] = [45.0, 8.0, 0.0][: w.activity.shape[0]]
    w.prevention_delivered[:] = 0.0
    model.places[0].update_health()
    assert w.unmet[0, SOCIAL_CARE] == 20.0
    assert w.delayed[0] == pytest.approx(taken, rel=1e-12)


def test_delays_share_out_among_a_places_acute_trusts_by_size(tiny_world):
    model = tiny_world(acute_per_place=2)  # contracts: acute, acute, community
    w = model.world
    w.delayed[0] = 6.0
    w.con_size[:] = [1.5, 0.5, 1.0]
    w.need[0, ACUTE] = 90.0
    w.available[0] = 100.0
    w.capacity[:] = [80.0, 80.0, 10.0]
    w.cooperation[:] = 0.0  # all selfish: each claims what it can
    for trust in model.trusts:
        trust.plan()
    # Each faces 90 / 2 x size: 67.5 and 22.5, and loses 6 / 2 x size: 4.5 and 1.5 of its 80;
    # selfish min(75.5, 67.5 x 1.15 = 77.625) = 75.5 and min(78.5, 25.875) = 25.875.
    np.testing.assert_allclose(w.selfish_claim[:2], [75.5, 25.875], rtol=1e-12)


# ---------------------------------------------------------------- waiting lists in patients (7.21)
def test_the_acute_list_loses_few_untreated_and_every_list_is_counted_in_patients(tiny_world):
    w = _left_over(tiny_world())
    # Left: [5, 2, 4, 0, 2, 20]. Acute keeps 1 - (0.55 x 0.03 + 0.45 x 0.3) = 1 - 0.1515 of its
    # 5; the others 1 - 0.3: waiting [4.2425, 1.4, 2.8, 0, 1.4, 14] (GBP million).
    expected = np.array([4.2425, 1.4, 2.8, 0.0, 1.4, 14.0])
    np.testing.assert_allclose(w.waiting[0], expected, rtol=1e-12)
    # In patients: 4.2425e6 / 520 = 8,158.7 pathways, 1.4e6 / 47 = 29,787 community nursing
    # contacts, 2.8e6 / 250 = 11,200 mental health care contacts, 1.4e6 / 270 = 5,185 ambulance
    # incidents, 14e6 / 1,840 = 7,609 months of long-term social care.
    cost = np.array([520.0, 47.0, 250.0, 45.0, 270.0, 1840.0])
    np.testing.assert_allclose(w.waiting_patients[0], expected * 1e6 / cost, rtol=1e-12)
    assert w.waiting_patients[0, ACUTE] == pytest.approx(8158.65, abs=0.01)
    assert w.waiting_patients[0, 5] == pytest.approx(7608.70, abs=0.01)


@pytest.mark.parametrize(
    ("elective_share", "dropout", "kept"),
    [
        (1.0, 0.03, 0.97),  # all planned care: 3% of the list a month leaves untreated
        (0.0, 0.03, 0.7),  # all emergency care: it turns over like the other lists
        (0.5, 0.1, 1.0 - (0.05 + 0.15)),
    ],
)
def test_the_elective_share_sets_the_acute_lists_drop_out(
    tiny_world, elective_share, dropout, kept
):
    w = _left_over(tiny_world(elective_share=elective_share, elective_dropout=dropout))
    assert w.waiting[0, ACUTE] == pytest.approx(kept * 5.0, rel=1e-12)
    assert w.waiting[0, COMMUNITY] == pytest.approx(0.7 * 2.0, rel=1e-12)


def test_the_acute_list_builds_up_and_those_who_leave_it_untreated_harm_health(tiny_world):
    # Three months of the same 5 left over on the acute line alone, nothing else left (1 - 0.1515
    # = 0.8485 kept): month 1: 4.2425; month 2: 5 + 4.2425 = 9.2425 left, 7.84226125 kept;
    # month 3: 12.84226125 left, 10.896658670625 kept. Health loses 0.01 x 0.1515 x left / need.
    model = tiny_world()
    w = model.world
    waiting = []
    for _ in range(3):
        w.need[0, :] = [50.0 + w.waiting[0, ACUTE], 10.0, 0.0, 0.0, 0.0, 0.0]
        w.activity[:] = [45.0, 10.0]
        w.prevention_delivered[:] = 0.0
        w.health[0] = w.health_base[0] = 0.7
        model.places[0].update_health()
        waiting.append(w.waiting[0, ACUTE])
    np.testing.assert_allclose(waiting, [4.2425, 7.84226125, 10.896658670625], rtol=1e-12)
    left = 5.0 + 7.84226125
    need = 60.0 + 7.84226125
    assert w.health[0] == pytest.approx(0.7 - 0.01 * 0.1515 * left / need, rel=1e-12)


# --------------------------------------------------------------------------------- winter (7.22)
@pytest.mark.parametrize(
    ("month", "name", "factor"),
    [
        (1, "April", 1.0),  # cos(2 pi 3/12) = 0
        (4, "July", 0.98),  # the trough: cos(pi) = -1
        (7, "October", 1.0),
        (10, "January", 1.02),  # the peak
        (11, "February", 1.0 + 0.02 * math.cos(2.0 * math.pi / 12.0)),  # 1.01732
    ],
)
def test_winter_raises_need_in_january_and_lowers_it_in_july(
    tiny_world, begin_month, month, name, factor
):
    model = tiny_world(winter_amplitude=0.02)
    w = model.world
    for _ in range(month):
        w.need_base[0, :] = [40.0, 10.0, 6.0, 12.0, 4.0, 8.0]
        w.waiting[0, :] = 0.0
        w.spill[0] = 0.0
        w.health[0] = w.health_base[0]
        begin_month(model)
        model.places[0].update_need()
    base = np.array([40.0, 10.0, 6.0, 12.0, 4.0, 8.0]) * GROWTH
    np.testing.assert_allclose(w.need[0], base * factor, rtol=1e-12, atol=1e-12)
    assert w.acute_new[0] == pytest.approx(40.0 * GROWTH * factor, rel=1e-12)


def test_winter_averages_one_over_a_year():
    from sim.core.jit import as_python
    from sim.core.params import pack, validate
    from sim.core.submodels.place import season

    p = pack("place_system", validate("place_system", winter_amplitude=0.1))
    factors = [as_python(season)(p, step) for step in range(1, 25)]
    assert np.mean(factors[:12]) == pytest.approx(1.0, abs=1e-15)
    assert np.mean(factors[5:17]) == pytest.approx(1.0, abs=1e-15)
    assert max(factors) == pytest.approx(1.1)
    assert factors.index(max(factors)) == 9  # January
    assert min(factors) == pytest.approx(0.9)
    assert factors.index(min(factors)) == 3  # July
