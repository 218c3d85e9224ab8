"""The teaching view and the session machinery without a browser: texts written from the games'
parameters, principles in the games' words (and those with no counterpart truly inert), the
appropriation axis through a minute's worth of frames, the play clock, and Play / Pause / Reset
ending in the state of the last call."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest
from app_waits import wait_until

from sim.app.figures import nash_and_optimum
from sim.app.session import PlayClock
from sim.app.settings import panel_rules, set_principle
from sim.app.state import MAX_FRAMES_PER_SECOND, ComparisonState
from sim.app.teaching import GAME_PRINCIPLES, commons_facts, game_text, reference_limits
from sim.core.rules import PRINCIPLES
from sim.model import CareSystem


@pytest.mark.parametrize(("players", "nash"), [(2, "48"), (8, "64"), (100, "71.3")])
def test_commons_text_follows_the_players(players, nash):
    text = game_text("classroom_commons", players)
    assert f"**{players} players**" in text
    assert f"{nash} tokens in all with {players} players" in text
    assert "36 tokens" in text  # the optimum does not depend on the group's size
    model = CareSystem(
        rules="fortress", scenario="classroom_commons", seed=1, n_appropriators=players
    )
    assert commons_facts(players)["nash"] == pytest.approx(nash_and_optimum(model)[0])


def test_public_goods_text_says_when_there_is_no_dilemma():
    assert "no dilemma" in game_text("public_goods", 2)  # 2 x 0.4 < 1
    four = game_text("public_goods", 4)
    assert "1.6 to the group" in four
    assert "no dilemma" not in four


@pytest.mark.parametrize("game", ["classroom_commons", "public_goods"])
def test_principles_marked_nhs_only_change_nothing_in_the_game(game):
    assert set(GAME_PRINCIPLES) == set(PRINCIPLES)
    for base, on in (("shared_governance", False), ("fortress", True)):
        rules = panel_rules(base, "left")
        ref = CareSystem(rules=rules, scenario=game, seed=3).run_for(15).history
        for principle, words in GAME_PRINCIPLES.items():
            switched = set_principle(rules, principle, on)
            history = CareSystem(rules=switched, scenario=game, seed=3).run_for(15).history
            inert = np.allclose(history, ref)
            if words is None:
                assert inert, f"{principle} is marked NHS only but changes the {game}"


def test_teaching_axis_holds_the_data_through_a_minute_of_frames():
    """240 frames (a minute at four frames a second), one round each, then to the last round:
    the axis always holds the data and both reference lines, and never runs away from them."""
    state = ComparisonState("games")
    state.ensure()
    view = state.view.value
    ax, nash, optimum = view.reference
    for frame in range(240 + 24):
        state.step(1 if frame < 240 else 15)
        low, high = ax.get_ylim()
        data = view.reference_data()
        assert low <= min(0.0, data.min())
        assert high >= max(nash, optimum, data.max())
        assert high <= 1.6 * max(nash, optimum, data.max()), (frame, high)
    assert state.month.value == 600


def test_reference_limits():
    assert reference_limits(np.array([]), 64.0, 36.0) == (0.0, 80.0)
    low, high = reference_limits(np.array([10.0, 120.0]), 64.0, 36.0)
    assert low == 0.0
    assert high == pytest.approx(150.0)


def test_play_clock_keeps_the_speed_when_frames_are_late(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    clock = PlayClock(4, MAX_FRAMES_PER_SECOND)
    assert clock.months_due(4) == 1
    assert clock.wait() == pytest.approx(0.25)
    now[0] += 2.0  # a frame that took two seconds: the eight months due are stepped at once
    assert clock.months_due(4) == 8
    now[0] += 60.0  # a long stall: at most eight seconds' worth, then on time again
    assert clock.months_due(4) == 32
    assert clock.wait() == pytest.approx(0.25)


def test_play_pause_reset_end_in_the_state_of_the_last_call():
    state = ComparisonState("place_system")
    state.ensure()
    state.speed.value = 60
    rng = random.Random(14)
    actions = {"play": state.play, "pause": state.pause, "reset": state.reset}
    for name in [rng.choice(list(actions)) for _ in range(58)] + ["play", "reset"]:
        actions[name]()
    assert state.actions.value == 60
    assert state.month.value == 0
    assert state.playing.value is False
    wait_until(lambda: state.loops_running == 0, 30)
    assert state.view.value.pair.month == 0  # no frame landed after the reset
    state.play()
    wait_until(lambda: state.month.value >= 3, 60)
    state.pause()
    month = state.month.value
    wait_until(lambda: state.loops_running == 0, 30)
    assert state.view.value.pair.month == month == state.month.value
