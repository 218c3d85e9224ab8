"""The per-agent Python engine and the numba kernel agree to the bit; batches do not depend on
threads, chunking or order."""

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import clean, place_params, rule_sets

from sim import CareSystem, ParameterError, run_many, simulate
from sim.core.constants import N_MEASURES, SCENARIOS
from sim.core.params import pack, validate
from sim.core.rng import _mix_array, uniform
from sim.core.state import FIELD_NAMES, FIELDS


def assert_same_bits(a, b, what):
    """Two arrays of the same dtype and shape with the same values, to the bit: NaNs in the same
    places and zeros of the same sign (which `np.array_equal` alone would not tell apart); only
    NaN payloads are not compared."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype, (what, a.dtype, b.dtype)
    assert a.shape == b.shape, (what, a.shape, b.shape)
    if a.dtype.kind != "f":
        assert np.array_equal(a, b), what
        return
    assert np.array_equal(a, b, equal_nan=True), what
    assert np.array_equal(np.signbit(a) & ~np.isnan(a), np.signbit(b) & ~np.isnan(b)), (
        what,
        "sign of zero",
    )


def assert_same_state(fast, slow):
    """Every field of the state (`FIELDS`), in two `World`s, at its declared dtype and to the
    bit (`assert_same_bits`)."""
    assert tuple(fast._fields) == tuple(slow._fields) == FIELD_NAMES
    for field in FIELDS:
        assert getattr(fast, field.name).dtype == np.dtype(field.dtype), field.name
        assert_same_bits(getattr(fast, field.name), getattr(slow, field.name), field.name)


@settings(max_examples=20, deadline=None)
@given(params=place_params(max_places=2), rules=rule_sets(), seed=st.integers(0, 2**40))
def test_engines_bit_identical_on_random_worlds(params, rules, seed):
    kw = dict(rules=rules, seed=seed, **clean(params))
    fast = CareSystem(engine="numba", **kw)
    slow = CareSystem(engine="python", **kw)
    for month in range(1, 19):
        fast.step()
        slow.step()
        assert_same_bits(fast.measures, slow.measures, f"measures of month {month}")
    assert_same_state(fast.world, slow.world)


@pytest.mark.parametrize("scenario", ["classroom_commons", "public_goods"])
@pytest.mark.parametrize("rules", ["fortress", "partnership_board", "shared_governance"])
def test_engines_bit_identical_on_laboratory_games(scenario, rules):
    """Every round's measures and, at the end, the whole state."""
    fast = CareSystem(scenario=scenario, rules=rules, seed=9).run_for(25)
    slow = CareSystem(scenario=scenario, rules=rules, seed=9, engine="python").run_for(25)
    assert fast.history.shape == (25, N_MEASURES)
    assert_same_bits(fast.history, slow.history, "measures")
    assert_same_state(fast.world, slow.world)


def test_random_numbers_are_keyed():
    a = uniform(1, 2, 3, 4, 5)
    assert a == uniform(1, 2, 3, 4, 5)
    others = {uniform(2, 2, 3, 4, 5), uniform(1, 3, 3, 4, 5), uniform(1, 2, 4, 4, 5)}
    others |= {uniform(1, 2, 3, 5, 5), uniform(1, 2, 3, 4, 6)}
    assert a not in others
    assert len(others) == 5
    draws = np.array([uniform(7, 0, t, i, 1) for t in range(50) for i in range(50)])
    assert draws.max() < 1.0
    assert abs(draws.mean() - 0.5) < 0.02
    # Uniform on [0, 1): every draw in it, each tenth holding about a tenth of the 2,500 draws
    # (binomial sd 15).
    counts = np.histogram(draws, bins=10, range=(0.0, 1.0))[0]
    assert counts.sum() == len(draws)
    assert counts.min() > 250 - 75, counts
    assert counts.max() < 250 + 75, counts


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    run=st.integers(0, 2**40),
    step=st.integers(-1, 10_000),
    agent=st.integers(0, 100_000),
    purpose=st.integers(0, 63),
)
def test_a_draw_is_the_hash_chain_of_its_key(seed, run, step, agent, purpose):
    """A compiled draw is the SplitMix64 chain over its key's five parts, recomputed here with the
    NumPy version the priors draw with (sim.core.priors)."""
    h = _mix_array(np.array([seed], dtype=np.uint64))
    for part in (run, step + 1, agent + 1, purpose):
        h = _mix_array(h ^ np.uint64(part))
    expected = float(h[0] >> np.uint64(11)) / 2.0**53
    assert uniform(seed, run, step, agent, purpose) == expected


def test_run_many_equals_single_models():
    frame = run_many(["fortress", "canterbury_alliance"], replicates=3, months=30, seed=21)
    for _, row in frame.iterrows():
        model = CareSystem(rules=row["rules"], seed=21, run=int(row["replicate"])).run_for(30)
        for key, value in model.summary().items():
            assert row[key] == value, (row["rules"], key)


def test_run_many_same_on_one_and_two_threads():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.fail("this machine gives numba fewer than 2 threads")
    kw = dict(rules=["fortress", "shared_governance"], replicates=20, months=36, seed=3)
    one = run_many(threads=1, **kw)
    two = run_many(threads=2, **kw)
    assert one.equals(two)


def test_results_do_not_depend_on_order_or_chunking():
    scenario = "place_system"
    p = pack(scenario, validate(scenario))
    from sim.core.rules import PRESETS

    levers = np.array(
        [PRESETS[n].vector() for n in ("fortress", "shared_governance") for _ in range(6)]
    )
    params = np.tile(p, (len(levers), 1))
    worlds = np.zeros(len(levers), dtype=np.int64)
    seeds = np.full(len(levers), 5)
    runs = np.tile(np.arange(6), 2)
    base, _ = simulate(params, levers, worlds, seeds, runs, 24)
    order = np.random.default_rng(0).permutation(len(levers))
    shuffled, _ = simulate(
        params[order], levers[order], worlds[order], seeds[order], runs[order], 24, chunk=5
    )
    assert np.array_equal(shuffled, base[order])


def test_series_kept_only_when_asked():
    _summaries, series = run_many("fortress", replicates=4, months=12, series=True)
    assert len(series) == 4 * 12
    assert set(series["month"]) == set(range(1, 13))
    model = CareSystem(rules="fortress", seed=0, run=2).run_for(12)
    rows = series[series["replicate"] == 2].drop(columns=["rules", "point", "replicate", "month"])
    assert np.array_equal(rows.to_numpy(), model.history)
    _, none = simulate(*_one_run(), 12, series=False)
    assert none is None


def _one_run():
    p = pack("place_system", validate("place_system"))
    from sim.core.rules import PRESETS

    zero = np.zeros(1, dtype=np.int64)
    return (p[None], PRESETS["fortress"].vector()[None], zero, zero, zero)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"replicates": -1}, "replicates=-1"),
        ({"replicates": 0}, "replicates=0"),
        ({"rules": "no_such_preset"}, "no_such_preset"),
        ({"rules": []}, "rules=[]"),
        ({"months": 0}, "months=0"),
        ({"threads": 0}, "threads=0"),
        ({"seed": -5}, "seed=-5"),
        ({"scenario": "mars"}, "mars"),
        ({"budget_growth": 9.0}, "budget_growth=9.0"),
    ],
)
def test_run_many_rejects_bad_arguments(kwargs, fragment):
    with pytest.raises(ParameterError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        run_many(**{"replicates": 2, "months": 2, **kwargs})


def test_simulate_rejects_mismatched_lengths():
    params, levers, worlds, seeds, runs = _one_run()
    with pytest.raises(ParameterError, match="levers has 2 rows"):
        simulate(params, np.vstack([levers, levers]), worlds, seeds, runs, 5)


def test_every_scenario_runs_in_batches_as_it_runs_alone():
    # Each batch row is the run `CareSystem` gives for the same seed and run key, in every scenario.
    for scenario in SCENARIOS:
        frame = run_many("shared_governance", scenario=scenario, replicates=2, months=12, seed=7)
        assert len(frame) == 2
        assert np.all(np.isfinite(frame.select_dtypes("number").to_numpy()))
        alone = CareSystem(scenario=scenario, rules="shared_governance", seed=7, run=1)
        summary = alone.run_for(12).summary()
        for name, value in summary.items():
            if name in frame.columns:
                assert frame.loc[1, name] == value, (scenario, name)


def test_summaries_do_not_depend_on_keeping_series():
    """Costly measures (the Gini coefficient) are skipped in months a batch does not keep."""
    kw = dict(rules=["fortress", "shared_governance"], replicates=3, months=30, seed=8)
    plain = run_many(**kw)
    kept, _ = run_many(series=True, **kw)
    assert plain.equals(kept)
    assert (plain["gini"] > 0).all()
