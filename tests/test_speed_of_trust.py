"""Validation targets of behaviour at the speed of trust (issue 12, item 1), measured on the kernel
with the functions of scripts/speed_of_trust.py (which prints the same figures over more seeds for
docs/ODD.md, section 7.14). The targets are not tuned for: a miss is a finding to report."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import speed_of_trust as sot

SEEDS = (1, 2, 3, 4, 5)


SWITCH_SEEDS = tuple(range(1, 11))


@pytest.fixture(scope="module")
def switches():
    """Mean cooperation month by month after the switch at month 60, per seed."""
    return {seed: sot.switch_path(seed) for seed in SWITCH_SEEDS}


@pytest.fixture(scope="module")
def switch_months(switches):
    """Months for mean cooperation to pass 0.5 after the switch, per seed (None: not within 60)."""
    return {seed: sot.months_to_pass(path) for seed, path in switches.items()}


def test_after_a_switch_to_shared_governance_cooperation_takes_over_a_year_to_pass_half(
    switches, switch_months
):
    # The target at the default parameters, read of the expected system: the mean path over ten
    # seeds, and the median seed. Before deterrence waited on trust and a shared vision took time
    # to take up (ODD 7.10, 7.11), the mean path passed 0.5 at month 11 and the median seed at 13.
    months = switch_months
    passed = sot.months_to_pass(np.mean(list(switches.values()), axis=0))
    message = (
        f"months for mean cooperation to pass 0.5 after the switch at month 60: {months}; "
        f"the mean path over the seeds: {passed}"
    )
    # and the expected system does get there within the 60 months: no trap on average
    assert passed is not None, message
    assert passed > 12, message
    assert np.median([math.inf if m is None else m for m in months.values()]) > 12, message


@pytest.mark.xfail(
    strict=True,
    reason="speed of trust (ODD 7.14): over 50 seeds mean cooperation passes 0.5 after a median "
    "of 29.5 months after the switch at month 60 (of the 28 that pass within 60 months), but in 8 "
    "of the 50 within 12 months (seed 10 here: 11 months), and in 22 not within 60 months "
    "(seeds 4, 6, 7 and 8 here: trust that fortress broke to near 0 is not rebuilt while partners "
    "still breach). Graded trust (trust_grading 1) meets it in 49 of the 50 seeds, at the cost of "
    "another check, trust falling at least twice as fast as it rises (ODD 7.14); the default "
    "stays binary. Reported, not tuned away",
)
def test_in_every_seed_cooperation_takes_over_a_year_and_gets_there(switch_months):
    months = switch_months
    message = f"months for mean cooperation to pass 0.5 after the switch at month 60: {months}"
    for m in months.values():
        assert m is not None, message  # within the 60 months the path covers
        assert m > 12, message


def test_graded_trust_takes_over_a_year_in_every_seed():
    # Graded trust (trust_grading 1, ODD 7.10 and 7.14), the alternative rule: the low-trust trap
    # opens and every system passes 0.5 after a year and within five.
    months = {s: sot.months_to_pass(sot.switch_path(s, trust_grading=1.0)) for s in SWITCH_SEEDS}
    message = f"months to pass 0.5 after the switch, graded trust: {months}"
    for m in months.values():
        assert m is not None, message  # within the 60 months the path covers
        assert m > 12, message


@pytest.fixture(scope="module")
def defections():
    return {seed: sot.fall_and_rise(sot.defection(seed)) for seed in SEEDS}


def _message(rows) -> str:
    return "per seed (monthly fall, monthly rise, months down, months back): " + str(
        {
            seed: tuple(round(x, 4) if isinstance(x, float) else x for x in row)
            for seed, row in rows.items()
        }
    )


def _fall_and_rise(defections) -> tuple[float, float]:
    """Mean monthly fall and rise of trust in the defector over the seeds, after checking that
    each seed sees the defection."""
    message = _message(defections)
    for fall, _rise, months_down, _ in defections.values():
        assert fall > 0.005, message  # the defection is seen: trust falls
        assert months_down >= 1, message
    mean_fall = sum(row[0] for row in defections.values()) / len(defections)
    mean_rise = sum(row[1] for row in defections.values()) / len(defections)
    return mean_fall, mean_rise


def test_trust_in_a_defector_falls_faster_than_it_recovers(defections):
    # The criterion: trust falls faster after a detected breach than it rose.
    mean_fall, mean_rise = _fall_and_rise(defections)
    assert mean_fall > mean_rise, _message(defections)


def test_trust_in_a_defector_falls_at_least_twice_as_fast_as_it_recovers(defections):
    # The project's stronger reading, months to break and years to build: at least twice as fast.
    mean_fall, mean_rise = _fall_and_rise(defections)
    assert mean_fall > 2.0 * mean_rise, _message(defections)


@pytest.mark.xfail(
    strict=True,
    reason="speed of trust (ODD 7.14): on average trust in a defector falls 2.21 times as fast as "
    "it rises (seeds 1-5), but not in seed 3, where it falls 0.026 a month over the 33 months the "
    "defector takes to stop breaching and rises 0.029 after (0.025 before partners planned "
    "discharges together, ODD 7.18: a thin margin that tipped). Reported, not tuned away",
)
def test_in_every_seed_trust_in_a_defector_falls_faster_than_it_recovers(defections):
    message = _message(defections)
    for fall, rise, _, _ in defections.values():
        assert fall > rise, message


@pytest.mark.slow
def test_replicates_differ():
    seeds = list(range(1, 21))
    spreads = {rules: sot.spreads(rules, seeds) for rules in ("fortress", "shared_governance")}
    message = "between-seed spread over 20 seeds: " + "; ".join(
        f"{rules} {name} mean {s['mean']:.4f} sd {s['sd']:.4f} cv {s['cv']:.3%}"
        for rules, by_name in spreads.items()
        for name, s in by_name.items()
    )
    print(message)
    for by_name in spreads.values():
        assert by_name["population_health"]["sd"] > 0.0, message
        assert by_name["system_deficit"]["sd"] > 0.0, message
    # Shared governance, where behaviour and trust carry the outcome, differs by more than 1%
    # in its deficit between seeds.
    assert spreads["shared_governance"]["system_deficit"]["cv"] > 0.01, message
