"""Component tests of the Solara app (sim/app/app.py) with `solara.render`: no browser.

The controls change the models, reset rebuilds them, the plots receive the new data, extreme
values run, impossible combinations are refused with a message on the page, replicates give fan
charts and a paired difference with its confidence interval, and the exports hold the data.
"""

from __future__ import annotations

import io

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import pandas as pd
import pytest
import solara
from app_waits import wait_until

from sim.app.core import (
    GameScenario,
    LivePair,
    Scenario,
    describe_rules,
    panel_rules,
    run_replicates,
    set_principle,
)
from sim.app.state import REPLICATES, ComparisonState
from sim.core.constants import M as MI
from sim.core.rules import PRESETS


# --------------------------------------------------------------------------- helpers
def render(state: ComparisonState):
    from sim.app.app import ComparisonView

    box, rc = solara.render(ComparisonView(state), handle_error=False)
    wait_until(lambda: state.view.value is not None or state.error.value, 240)
    return box, rc


def button(rc, text: str):
    found = [
        w for w in rc.find(v.Btn).widgets if text in [c for c in w.children if isinstance(c, str)]
    ]
    assert len(found) == 1, f"expected one button {text!r}, found {len(found)}"
    return found[0]


def by_label(rc, cls, label: str):
    return rc.find(cls, label=label).widget


def principle_switch(rc, side: str, label: str):
    switches = [
        w
        for w in rc.find(v.Switch, label=label).widgets
        if f"cc-switch-{side}-" in (w.class_ or "")
    ]
    assert len(switches) == 1
    return switches[0]


def type_into(field, text: str) -> None:
    """Type into a text field and leave it (solara's InputInt applies on focus-out)."""
    field.v_model = text
    field.fire_event("focusout", None)


def images(rc) -> list[bytes]:
    return [w.value for w in rc.find(widgets.Image).widgets]


def texts(rc) -> list[str]:
    """Every plain text on the page (solara.Text)."""
    return [str(c) for w in rc.find(v.Html).widgets for c in w.children if isinstance(c, str)]


def alerts(rc) -> str:
    return " ".join(
        str(c) for w in rc.find(v.Alert).widgets for c in w.children if isinstance(c, str)
    )


# --------------------------------------------------------------------------- tests
def test_page_renders_with_tabs_and_both_panels():
    from sim.app.app import Page

    _box, rc = solara.render(Page(), handle_error=False)
    tabs = [c for w in rc.find(v.Tab).widgets for c in w.children if isinstance(c, str)]
    assert any("NHS place" in t for t in tabs)
    assert any("Teaching" in t for t in tabs)
    assert len(rc.find(v.Select, label="Start from a rule set").widgets) == 2


def test_controls_change_the_model_and_plots_get_new_data():
    state = ComparisonState("place_system")
    _box, rc = render(state)
    view = state.view.value
    assert describe_rules(view.pair.models["left"].rules) == "fortress"
    assert describe_rules(view.pair.models["right"].rules) == "shared_governance"
    assert state.month.value == 0
    before = images(rc)
    assert len(before) == 2
    assert all(before)

    # Step: both runs advance one month, the lines carry the month, the images change.
    button(rc, "Step").click()
    assert state.month.value == 1
    assert view.pair.month == 1
    line = view.lines[("right", "population_health")]
    assert len(line.get_xdata()) == 1
    assert line.get_ydata()[0] == pytest.approx(
        view.pair.models["right"].history[0, MI["population_health"]]
    )
    after = images(rc)
    assert after != before
    button(rc, "Step").click()
    assert state.month.value == 2

    # A principle switch on the right panel rebuilds that run without monitoring, same month.
    principle_switch(rc, "right", "Monitoring (open books)").v_model = False
    rules = state.view.value.pair.models["right"].rules
    assert rules.monitoring == PRESETS["fortress"].monitoring
    assert rules.funding_model == "capitated"  # the other levers are untouched
    assert state.view.value.pair.month == 2
    assert state.view.value is not view
    assert images(rc) != after
    # ... and switching it back on restores shared governance.
    principle_switch(rc, "right", "Monitoring (open books)").v_model = True
    assert describe_rules(state.view.value.pair.models["right"].rules) == "shared_governance"

    # A preset picker changes the left panel's rule set.
    select = rc.find(v.Select, label="Start from a rule set").widgets[0]
    select.v_model = "Canterbury alliance (one system, one budget)"
    assert describe_rules(state.view.value.pair.models["left"].rules) == "canterbury_alliance"

    # Funding pressure, ageing, places and seed reach the model.
    by_label(rc, v.Slider, "Funding gap").v_model = 5.0
    left = state.view.value.pair.models["left"]
    sc = state.scenario.value
    assert left.params["budget_growth"] == pytest.approx(sc.need_growth + sc.ageing - 0.05)
    by_label(rc, v.Slider, "Ageing").v_model = 3.0
    assert state.view.value.pair.models["left"].params["ageing"] == pytest.approx(0.03)
    by_label(rc, v.Slider, "Places").v_model = 5
    assert len(state.view.value.pair.models["right"].places) == 5
    type_into(by_label(rc, v.TextField, "Seed (same seed, same run)"), "7")
    assert state.view.value.pair.models["left"].seed == 7
    assert not state.error.value


def test_reset_rebuilds_the_runs():
    state = ComparisonState("place_system")
    _box, rc = render(state)
    for _ in range(3):
        button(rc, "Step").click()
    old = state.view.value
    assert old.pair.month == 3
    button(rc, "Reset").click()
    assert state.view.value is not old
    assert state.month.value == 0
    assert state.view.value.pair.month == 0
    assert len(state.view.value.pair.models["left"].history) == 0


def test_play_and_pause():
    state = ComparisonState("place_system")
    _box, rc = render(state)
    state.speed.value = 12
    button(rc, "Play").click()
    wait_until(lambda: state.month.value >= 3, 30)
    button(rc, "Pause").click()
    assert state.playing.value is False
    # The loop finishes the frame it is drawing, then stops: no loop is left to step the runs.
    wait_until(lambda: state.loops_running == 0, 30)
    month = state.month.value
    assert state.view.value.pair.month == month
    assert not button(rc, "Step").disabled
    assert not button(rc, "Play").disabled
    button(rc, "Step").click()  # stepping by hand works again, one month at a time
    assert state.month.value == month + 1


@pytest.mark.parametrize(
    "changes",
    [
        {"funding_gap": 0.025},  # zero budget growth (need 1.5% + ageing 1%)
        {"need_growth": 0.3, "funding_gap": 0.1},  # maximum need growth
        {"ageing": 0.2, "funding_gap": 0.2},  # maximum ageing, zero budget growth
        {"n_places": 1},
        {"n_places": 50},
        {"funding_gap": -0.1},  # plenty: budget outgrows need
    ],
)
def test_extreme_values_do_not_crash(changes):
    state = ComparisonState("place_system")
    state.ensure()
    state.set_scenario(**changes)
    assert not state.error.value, state.error.value
    state.step(12)
    hist = state.view.value.pair.history("left")
    assert hist.shape[0] == 12
    assert np.isfinite(hist).all()
    assert state.images.value["series"]
    if "funding_gap" in changes and changes == {"funding_gap": 0.025}:
        assert state.view.value.pair.params["budget_growth"] == 0.0


def test_impossible_combinations_are_refused_with_a_message():
    state = ComparisonState("place_system")
    _box, rc = render(state)
    button(rc, "Step").click()
    view = state.view.value
    # A 30-point gap would need the budget to shrink by 27.5% a year: not allowed.
    by_label(rc, v.Slider, "Funding gap").v_model = 30.0
    assert "impossible" in state.error.value
    assert "budget growth" in state.error.value
    assert "impossible" in alerts(rc)
    assert state.view.value is view  # the last valid runs stay on the page
    assert button(rc, "Step").disabled
    assert button(rc, "Play").disabled
    # A negative seed is refused too.
    by_label(rc, v.Slider, "Funding gap").v_model = 1.0
    assert not state.error.value
    assert not alerts(rc)
    type_into(by_label(rc, v.TextField, "Seed (same seed, same run)"), "-3")
    assert "seed" in state.error.value
    assert "seed" in alerts(rc)
    type_into(by_label(rc, v.TextField, "Seed (same seed, same run)"), "3")
    assert not state.error.value
    assert not button(rc, "Step").disabled


def test_the_funding_gap_slider_offers_only_gaps_the_model_accepts():
    from sim.app.controls import gap_range
    from sim.core.params import parameter

    state = ComparisonState("place_system")
    _box, rc = render(state)
    slider = by_label(rc, v.Slider, "Funding gap")
    assert (slider.min, slider.max) == gap_range(state.scenario.value)  # the page's ends
    bg = parameter("budget_growth")
    for need, ageing in [(0.015, 0.01), (0.0, 0.0), (0.05, 0.03)]:
        low, high = gap_range(Scenario(need_growth=need, ageing=ageing))
        for gap in np.arange(low, high + 0.25, slider.step):  # every value offered gives runs
            budget = Scenario(need_growth=need, ageing=ageing, funding_gap=round(gap / 100, 4))
            assert bg.low <= budget.budget_growth <= bg.high, (need, ageing, gap)
        for beyond in (low - slider.step, high + slider.step):  # only the page's own ends -10
            budget = Scenario(need_growth=need, ageing=ageing, funding_gap=round(beyond / 100, 4))
            inside = bg.low <= budget.budget_growth <= bg.high
            assert not inside or beyond < -10 or beyond > 30, (need, ageing, beyond)


def test_the_need_growth_help_gives_what_the_runs_made_of_it():
    state = ComparisonState("place_system")
    _box, rc = render(state)
    assert "these runs" not in " ".join(texts(rc))  # nothing before year 2
    state.step(36)
    said = next(t for t in texts(rc) if "Need growth from multimorbidity" in t)
    growth = {}
    for side in ("left", "right"):
        new_need = state.view.value.pair.history(side)[:, MI["new_need"]]
        growth[side] = f"{100 * ((new_need[35] / new_need[11]) ** 0.5 - 1):+.1f}%"  # years 1-3
    assert f"grown {growth['left']} a year in A and {growth['right']} in B" in said


def test_run_replicates_button_gives_fans_and_difference():
    state = ComparisonState("place_system")
    _box, rc = render(state)
    state.rep_years.value = 5
    button(rc, f"Run {REPLICATES} replicates").click()
    wait_until(lambda: state.rep_result.value is not None and not state.rep_running.value, 300)
    result = state.rep_result.value
    assert result.series["left"].shape == (REPLICATES, 60, len(MI))
    q = result.quantiles("left", "population_health")
    assert q.shape == (5, 60)
    assert (np.diff(q, axis=0) >= -1e-12).all()
    mean, low, high = result.difference("population_health")
    assert (low <= mean + 1e-12).all()
    assert (mean <= high + 1e-12).all()
    # shared governance keeps the place healthier than fortress, and the CI excludes zero
    assert low[-1] > 0
    wait_until(lambda: len(images(rc)) == 5, 30)  # live 2, fan, difference, time to benefit
    table = result.end_table()
    assert {"median A", "median B", "B - A (mean)", "95% CI low", "95% CI high"} <= set(table)
    raw = pd.read_csv(io.BytesIO(result.csv()))
    assert len(raw) == 2 * REPLICATES * 60
    assert {"panel", "replicate", "month"} <= set(raw)


def test_csv_and_png_exports():
    state = ComparisonState("place_system")
    state.ensure()
    state.step(5)
    frame = pd.read_csv(io.BytesIO(state.view.value.pair.csv()))
    assert len(frame) == 10
    assert set(frame["panel"]) == {"Panel A", "Panel B"}
    assert {"month", "pool_balance", "population_health", "lever_monitoring"} <= set(frame)
    for name in ("series", "organisations"):
        assert state.images.value[name][:8] == b"\x89PNG\r\n\x1a\n"


def test_teaching_view_commons_game_and_public_goods():
    state = ComparisonState("games")
    _box, rc = render(state)
    view = state.view.value
    assert view.pair.scenario == "classroom_commons"
    assert len(view.pair.models["left"].trusts) == 8
    assert view.reference[1:] == pytest.approx((64.0, 36.0))  # Nash and optimum, 8 players
    for _ in range(3):
        button(rc, "Step").click()
    assert state.month.value == 3
    appropriation = view.lines[("left", "total_appropriation")].get_ydata()
    assert len(appropriation) == 3
    # Public goods game from the game picker.
    by_label(rc, v.Select, "Laboratory game").v_model = "Public goods game (Fehr & Gaechter 2000)"
    assert state.view.value.pair.scenario == "public_goods"
    assert state.view.value.pair.month == 3
    assert ("left", "mean_contribution") in state.view.value.lines
    assert len(state.view.value.pair.models["left"].trusts) == 4  # Fehr & Gaechter's groups


def test_core_helpers():
    rs = panel_rules("shared_governance", "right")
    off = set_principle(rs, "graduated_sanctions", False)
    assert off.sanction_severity == 0.0
    assert off.graduated_sanctions is False
    assert set_principle(off, "graduated_sanctions", True) == rs
    assert Scenario(funding_gap=0.025).budget_growth == 0.0
    with pytest.raises(Exception, match="impossible"):
        Scenario(funding_gap=0.3).params()
    pair = LivePair(
        panel_rules("fortress", "left"),
        rs,
        scenario="classroom_commons",
        params=GameScenario().params(),
    )
    pair.step(2)
    assert pair.month == 2
    result = run_replicates(
        pair.left, pair.right, "classroom_commons", GameScenario().params(), 1, 10, 20, level=0.8
    )
    assert result.series["right"].shape[:2] == (20, 10)
    # The caller's confidence level reaches the intervals and the table.
    _mean, low80, high80 = result.difference("mean_cooperation")
    _, low99, high99 = result.difference("mean_cooperation", level=0.99)
    assert ((high80 - low80) <= (high99 - low99) + 1e-12).all()
    assert ((high80 - low80) < (high99 - low99)).any()
    assert {"80% CI low", "80% CI high"} <= set(result.end_table())


def test_a_panel_can_adopt_its_rules_in_a_later_year():
    """Policy schedule in the app: the right panel runs fortress for two years, then shared
    governance; the live run and the replicates both follow the schedule."""
    state = ComparisonState("place_system")
    _box, rc = render(state)
    label = "Panel B: adopt these rules in year (1: from the start; fortress before)"
    by_label(rc, v.Slider, label).v_model = 3
    assert state.adopt_year["right"].value == 2
    model = state.view.value.pair.models["right"]
    assert [m for m, _ in model.schedule.steps] == [0, 24]
    assert describe_rules(model.rules) == "fortress"  # in force now, month 0
    assert "from year 3 (fortress before)" in state.labels()["right"]
    state.step(25)
    assert describe_rules(state.view.value.pair.models["right"].rules) == "shared_governance"
    # The left panel, adopting nothing, is untouched; a fortress run with the right panel's
    # seed matches the right panel's first 24 months exactly (the same rules, the same draws).
    fortress = state.view.value.pair.models["left"]
    right = state.view.value.pair.models["right"]
    np.testing.assert_array_equal(right.history[:24], fortress.history[:24])
    assert not np.array_equal(right.history[24:], fortress.history[24:])
    # The replicates run the schedule too: the two panels agree until month 24 in every run.
    state.rep_years.value = 3
    state.run_replicates()
    result = state.rep_result.value
    left, right = result.series["left"], result.series["right"]
    np.testing.assert_array_equal(left[:, :24], right[:, :24])
    assert not np.array_equal(left[:, 24:], right[:, 24:])


def test_the_illustrative_system_runs_in_both_panels():
    state = ComparisonState("place_system")
    _box, rc = render(state)
    select = by_label(rc, v.Select, "System")
    select.v_model = "Illustrative ICS (shaped like Herefordshire and Worcestershire)"
    assert state.scenario.value.system == "illustrative"
    wait_until(lambda: state.view.value is not None and not state.error.value, 240)
    for side in ("left", "right"):
        model = state.view.value.pair.models[side]
        assert len(model.places) == 2  # Herefordshire and Worcestershire
        assert len(model.trusts) == 9
        assert model.place_system.name.startswith("Illustrative ICS")
    button(rc, "Step").click()
    assert state.view.value.pair.month == 1
    assert all(images(rc))
    # Replicates run on the same system; back to the generic system, three places again.
    result = run_replicates(
        panel_rules("fortress", "left"),
        panel_rules("shared_governance", "right"),
        "place_system",
        state.params(),
        seed=1,
        months=6,
        replicates=3,
        level=0.95,
    )
    assert result.series["left"].shape == (3, 6, len(MI))
    state.set_scenario(system="generic")
    assert len(state.view.value.pair.models["left"].places) == 3


def test_replicates_that_end_before_the_adoption_run_fortress_throughout():
    # Adoption in year 10 with a 5-year horizon: the replicates' runs end before it, so they run
    # fortress throughout (a step past the runs' end is refused by run_many); a live panel, which
    # may step on past the horizon, keeps its schedule.
    from sim import run_many
    from sim.app.settings import panel_rules, panel_schedule

    rules = panel_rules("shared_governance", "left")
    ends_first = panel_schedule(rules, 10, months=60)
    assert ends_first.vector().tolist() == PRESETS["fortress"].vector().tolist()
    runs = run_many([ends_first], replicates=2, months=60, seed=1)
    fortress = run_many(["fortress"], replicates=2, months=60, seed=1)
    assert runs["population_health"].tolist() == fortress["population_health"].tolist()
    live = panel_schedule(rules, 10)
    assert [month for month, _ in live.steps] == [0, 120]
    within = panel_schedule(rules, 3, months=60)
    assert [month for month, _ in within.steps] == [0, 36]
