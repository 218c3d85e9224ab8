"""The classroom commons (Walker, Gardner & Ostrom CPR game): theory, engine and published table."""

from __future__ import annotations

import numpy as np
import pytest

from sim import CareSystem, run_many
from sim.core.rules import PRESETS
from sim.core.submodels.games import commons_nash, commons_optimum
from sim.validation.teaching import (
    CPR_GAME,
    CPR_PUBLISHED,
    band_check,
    classroom_runs,
    classroom_table,
    efficiency,
    is_nash,
    max_rent,
    nash_closed_form,
    numerical_nash,
    numerical_optimum,
    optimum_closed_form,
    theory_values,
)

# (a, b, w, n, endowment): the published design, its 10-token variant, and other interior games.
GAMES = [
    (23.0, 0.25, 5.0, 8, 25.0),
    (23.0, 0.25, 5.0, 8, 10.0),
    (30.0, 0.5, 2.0, 4, 20.0),
    (15.0, 0.1, 3.0, 12, 30.0),
    (50.0, 1.0, 10.0, 3, 40.0),
]


@pytest.mark.parametrize(("a", "b", "w", "n", "e"), GAMES)
def test_closed_forms_match_independent_numerical_solution(a, b, w, n, e):
    opt = numerical_optimum(a, b, w, n, e)
    nash = numerical_nash(a, b, w, n, e)
    assert opt == pytest.approx(optimum_closed_form(a, b, w), abs=1e-5)
    assert nash == pytest.approx(nash_closed_form(a, b, w, n), abs=1e-5)
    # No player can gain by deviating at the closed-form equilibrium, and the optimum is not one.
    assert is_nash(nash_closed_form(a, b, w, n), a, b, w, n, e)
    assert not is_nash(optimum_closed_form(a, b, w), a, b, w, n, e)


@pytest.mark.parametrize(("a", "b", "w", "n", "e"), GAMES)
def test_engine_closed_forms_match(a, b, w, n, e):
    model = CareSystem(
        scenario="classroom_commons",
        rules="fortress",
        seed=1,
        cpr_a=a,
        cpr_b=b,
        outside_return=w,
        n_appropriators=n,
        endowment=e,
    )
    assert commons_optimum(model.p) == pytest.approx(numerical_optimum(a, b, w, n, e), abs=1e-5)
    assert commons_nash(model.p, n) == pytest.approx(numerical_nash(a, b, w, n, e), abs=1e-5)


def test_model_reproduces_the_published_theory_values():
    """At the published design the model's commons gives the published theory values: the optimum
    and Nash totals, and the rent of each total from the model's own payoffs (group earnings less
    the outside value of every token)."""
    model = CareSystem(scenario="classroom_commons", rules="fortress", seed=1, engine="python")
    n = model.params["n_appropriators"]
    outside_value = model.params["outside_return"] * n * model.params["endowment"]
    assert commons_optimum(model.p) == pytest.approx(CPR_GAME["social_optimum_X"], abs=1e-9)
    assert commons_nash(model.p, n) == pytest.approx(CPR_GAME["nash_X"], abs=1e-9)

    def rent(total):
        model.world.claim[:] = total / n
        model.commissioners[0].pay()
        return float(model.world.earnings[0]) - outside_value

    top = rent(CPR_GAME["social_optimum_X"])
    assert top == pytest.approx(CPR_GAME["max_rent_cents"], abs=1e-9)
    assert top == pytest.approx(max_rent(), abs=1e-9)
    assert rent(CPR_GAME["nash_X"]) / top == pytest.approx(CPR_GAME["nash_efficiency"], abs=1e-9)
    assert rent(CPR_GAME["open_access_X"]) == pytest.approx(0.0, abs=1e-9)


LAB_SANCTIONS_MISS = pytest.mark.xfail(
    strict=True,
    reason=(
        "model v2 (graduated sanctions that escalate past the flat fine, ODD 7.8, and fines the "
        "partners vote, ODD 7.25): shared governance settles at the optimum (200 seeds: X = 36.3, "
        "gross and net 1.00 to two figures), but imposed flat sanctions burn less of the rent than "
        "the laboratory's: success_regime keeps 58% net against the published 9% (a gap of 0.42 "
        "to shared governance, the test asks for 0.5), and with the rules imposed "
        "(collective_choice 0) fines are 2.8 to 4.0 times shared governance's (the test's seeds: "
        "348 against 124; 200 seeds: 476 against 119), not the 10 times of the laboratory, and "
        "cooperation is 0.011 lower (0.980 against 0.991), not 0.2; a missed target, reported, "
        "not tuned away"
    ),
)


def test_model_settles_near_the_published_nash_and_optimum():
    """One run of 40 rounds: non-cooperative rules settle within 10% of the Nash total (64),
    full shared governance within 10% of the social optimum (36)."""
    for rules, target in (
        ("fortress", CPR_GAME["nash_X"]),
        ("shared_governance", CPR_GAME["social_optimum_X"]),
    ):
        model = CareSystem(scenario="classroom_commons", rules=rules, seed=1).run_for(40)
        assert model.summary()["total_appropriation"] == pytest.approx(target, rel=0.10), rules


def test_engine_efficiency_is_rent_share():
    model = CareSystem(scenario="classroom_commons", rules="fortress", seed=3).run_for(5)
    hist = model.history
    from sim.core.constants import M

    x = hist[:, M["total_appropriation"]]
    assert np.allclose(hist[:, M["efficiency"]], efficiency(x))


@pytest.fixture(scope="module")
def lab_runs():
    return classroom_runs(replicates=200, rounds=40, seed=1)


@pytest.mark.slow
def test_fortress_near_nash_and_shared_governance_near_optimum(lab_runs):
    summary, _ = lab_runs
    th = theory_values()
    fortress = band_check(summary, "fortress", th["nash_X"])
    shared = band_check(summary, "shared_governance", th["optimum_X"])
    assert fortress["within"], fortress
    assert shared["within"], shared


@pytest.mark.slow
def test_rent_kept_orders_like_the_published_table(lab_runs):
    summary, _ = lab_runs
    gross = summary.groupby("rules")["efficiency"].mean()
    net = summary.groupby("rules")["net_efficiency"].mean()
    # No agreement < talk without teeth < talk with chosen sanctions (OWG 1992 ordering).
    assert gross["fortress"] < gross["partnership_board"] < gross["shared_governance"]
    # Talk without teeth keeps what the lab's talk kept: between one-shot (55%) and repeated (73%)
    # communication, give or take 5 points.
    low = CPR_PUBLISHED.loc["oneshot_comm", "gross"] - 0.05
    high = CPR_PUBLISHED.loc["repeated_comm", "gross"] + 0.05
    assert low <= gross["partnership_board"] <= high
    # Imposed sanctions: a large gap between gross and net (fines burn the rent), as 37% -> 9%.
    gap = gross["success_regime"] - net["success_regime"]
    assert gap > 0.3


@pytest.mark.slow
def test_chosen_sanctions_keep_the_published_rent(lab_runs):
    summary, _ = lab_runs
    table = classroom_table(summary)
    assert set(table.index) == set(PRESETS)
    # Sanctions the group chose keep about the published 93% of the rent (within 10 points).
    for rules in ("canterbury_alliance", "shared_governance"):
        model_gross = table.loc[rules, "gross efficiency"]
        assert model_gross == pytest.approx(table.loc[rules, "published gross"], abs=0.10), rules


@pytest.mark.slow
@LAB_SANCTIONS_MISS
def test_imposed_sanctions_burn_the_rent_as_in_the_lab(lab_runs):
    # The laboratory's imposed sanctions kept 9% net against chosen ones' 90%: a gap over 0.5.
    summary, _ = lab_runs
    net = summary.groupby("rules")["net_efficiency"].mean()
    assert net["success_regime"] < net["shared_governance"] - 0.5


@pytest.fixture(scope="module")
def imposed_runs():
    """Shared governance with its rules chosen, and the same rules imposed, 40 rounds."""
    imposed = PRESETS["shared_governance"].with_levers(name="imposed", collective_choice=0.0)
    runs = run_many(
        ["shared_governance", imposed], scenario="classroom_commons", replicates=40, months=40
    )
    return runs.groupby("rules")[["fines", "mean_cooperation", "efficiency"]].mean()


@pytest.mark.slow
def test_imposed_sanctions_fine_more_and_keep_less_than_chosen_ones(imposed_runs):
    # The direction of the laboratory's finding (OWG 1992): the same sanctions imposed rather than
    # chosen are used more, and keep less cooperation and less of the rent.
    means = imposed_runs
    assert means.loc["imposed", "fines"] > means.loc["shared_governance", "fines"], means
    assert (
        means.loc["imposed", "mean_cooperation"]
        < means.loc["shared_governance", "mean_cooperation"]
    ), means
    assert means.loc["imposed", "efficiency"] < means.loc["shared_governance", "efficiency"], means


@pytest.mark.slow
@LAB_SANCTIONS_MISS
def test_sanctions_without_agreement_in_the_lab(imposed_runs):
    # The laboratory's size of that finding: ten times the fines, and far less cooperation.
    means = imposed_runs
    assert means.loc["imposed", "fines"] > 10 * means.loc["shared_governance", "fines"], means
    assert (
        means.loc["imposed", "mean_cooperation"]
        < means.loc["shared_governance", "mean_cooperation"] - 0.2
    ), means


def test_python_engine_plays_the_same_game():
    """The Mesa agents (the teaching engine) and the kernel give the same rounds."""
    a = CareSystem(scenario="classroom_commons", rules="shared_governance", seed=5, run=2).run_for(
        15
    )
    b = CareSystem(
        scenario="classroom_commons", rules="shared_governance", seed=5, run=2, engine="python"
    ).run_for(15)
    np.testing.assert_allclose(a.history, b.history, rtol=0, atol=1e-9)
    r = run_many("shared_governance", scenario="classroom_commons", replicates=3, months=15, seed=5)
    assert r.loc[2, "total_appropriation"] == pytest.approx(a.summary()["total_appropriation"])
