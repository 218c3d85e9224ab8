"""The app's result in words (sim/app/verdict.py, timing.py, results_panel.py): verdicts and cards
from hand-built runs where the better panel and the margin are known, P(B better) over parameter
draws, the time to benefit of a constructed series, the stale flag, years on the axes and axes
that hold their data through redraws. No browser.
"""

from __future__ import annotations

import numpy as np
import pytest
import solara
from app_waits import wait_until

from sim.app.frames import nice_top
from sim.app.live import LivePair, LiveView
from sim.app.settings import GameScenario, panel_rules
from sim.app.state import CONFIDENCE, ComparisonState
from sim.app.timing import advantage, benefit_figure, benefit_words, time_to_benefit
from sim.app.verdict import BY_NAME, cards, financial_year, outcome_series, summary_words
from sim.core.constants import MEASURES
from sim.core.constants import M as MI

REPS, MONTHS = 20, 24


def cube(values: dict, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Runs where each named measure is constant (plus optional noise), the others 0."""
    rng = np.random.default_rng(seed)
    out = np.zeros((REPS, MONTHS, len(MEASURES)))
    for name, value in values.items():
        out[:, :, MI[name]] = value + noise * rng.standard_normal((REPS, MONTHS))
    return out


def hand_built():
    """B has 400 less deficit, 0.05 better health, the same unmet need, more patients waiting."""
    a = cube(
        {
            "system_deficit": 1000,
            "population_health": 0.66,
            "unmet_need": 0.1,
            "waiting_patients": 40_000,
        },
        noise=1e-3,
        seed=1,
    )
    b = cube(
        {
            "system_deficit": 600,
            "population_health": 0.71,
            "unmet_need": 0.1,
            "waiting_patients": 50_000,
        },
        noise=1e-3,
        seed=2,
    )
    return {"left": a, "right": b}


def test_cards_and_words_from_a_known_comparison():
    series = hand_built()
    draws = np.arange(REPS) // 2  # 10 parameter draws, 2 seeds each
    by = {c.outcome.name: c for c in cards(series, 2, draws, 0.95, 0)}
    assert by["system_deficit"].status == "better"
    assert by["system_deficit"].diff == pytest.approx(-400, abs=0.1)
    assert by["population_health"].status == "better"
    assert by["unmet_need"].status == "same"
    assert by["waiting_patients"].status == "worse"
    assert by["system_deficit"].p_better == 1.0
    assert by["waiting_patients"].p_better == 0.0
    assert by["system_deficit"].low < -399
    assert by["system_deficit"].high > -401
    score, head, chance, trade = summary_words(list(by.values()), 2, "population_health", 2025)
    assert "better than A on 2 of 7" in score
    assert "worse on 1" in score
    assert head.startswith("By the end of year 2 (2026/27), B has £400m less deficit")
    assert "population health 0.050 higher" in head
    assert head.endswith(
        "10,000 more patients waiting. Unmet need, avoidable admissions, providers taken over "
        "and organisations in deficit are about the same."
    )
    assert "10,000 more patients waiting" in head
    assert "every one of the plausible worlds (10 parameter draws" in chance
    assert "pays with patients waiting (50,000 against 40,000)" in trade
    # Seeds only (no draws): the share is over runs, and said so.
    seeds_only = cards(series, 2, None, 0.95, 0)
    assert "runs, parameters at their defaults" in seeds_only[0].p_basis


def test_chance_is_the_share_of_draws_where_b_is_better():
    a = cube({"population_health": 0.7})
    b = cube({"population_health": 0.7})
    draws = np.arange(REPS) // 2
    # B is better by 0.01 in 7 of the 10 draws, worse by 0.01 in 3; seeds agree within a draw.
    for d in range(10):
        b[draws == d, :, MI["population_health"]] += 0.01 if d < 7 else -0.01
    (card,) = cards({"left": a, "right": b}, 2, draws, 0.95, 0, (BY_NAME["population_health"],))
    assert card.p_better == pytest.approx(0.7)
    assert card.diff == pytest.approx(0.004)


def test_one_live_run_gives_no_interval_and_says_so():
    series = {s: c[:1] for s, c in hand_built().items()}
    words = summary_words(cards(series, 1, None, CONFIDENCE), 1)
    assert "run the replicates" in words[2]
    assert np.isnan(cards(series, 1, None, CONFIDENCE)[0].low)


def test_flows_are_averaged_over_the_year_stocks_read_at_its_end():
    c = np.zeros((1, 36, len(MEASURES)))
    c[0, :, MI["unmet_need"]] = np.arange(36)
    c[0, :, MI["system_deficit"]] = np.arange(36)
    unmet = outcome_series(c, BY_NAME["unmet_need"])[0]
    assert unmet[11] == pytest.approx(100 * np.mean(np.arange(12)))
    assert unmet[23] == pytest.approx(100 * np.mean(np.arange(12, 24)))
    assert unmet[0] == 0.0
    assert outcome_series(c, BY_NAME["system_deficit"])[0, 23] == 23


def test_time_to_benefit_of_constructed_series():
    assert time_to_benefit([-1, -1, 1, -0.5, 1, 1, 1]) == 5
    assert time_to_benefit([0.1, 0.2, 0.3]) == 1
    assert time_to_benefit([1, 1, -1]) is None
    assert time_to_benefit([1, 0, 1]) == 3  # no advantage (0) does not count as a benefit
    assert time_to_benefit([]) is None
    # Through `advantage`: B's deficit falls below A's from month 14 on (lower is better).
    a = cube({"system_deficit": 100.0})
    b = a.copy()
    b[:, :13, MI["system_deficit"]] = 120.0
    b[:, 13:, MI["system_deficit"]] = 90.0
    adv = advantage(
        {"left": a, "right": b}, BY_NAME["system_deficit"], np.arange(REPS) // 2, CONFIDENCE
    )
    assert adv.benefit == 14
    assert adv.firm == 14
    words = benefit_words(adv, start_year=2025, adopt_year=1)
    assert "from month 14, year 2 (2026/27)" in words
    assert "adopts its rules in year 2" in words
    fig = benefit_figure(adv, 2025, {"left": 0, "right": 1})
    ax = fig.axes[0]
    assert ax.get_xlabel() == "financial year"
    (marker,) = [ln for ln in ax.lines if ln.get_label().startswith("time to benefit")]
    assert marker.get_xdata()[0] == pytest.approx(14 / 12)
    assert marker.get_label() == "time to benefit: year 2"
    low, high = ax.get_ylim()
    assert low <= adv.low.min()
    assert high >= adv.high.max()


def test_the_confidence_level_is_required_and_honoured():
    """Cards and the time to benefit take the level they are given: no 95% of their own."""
    series = hand_built()
    for name in ("population_health", "waiting_patients"):  # B's values noisy around their level
        series["right"][:, :, MI[name]] += (
            0.02
            * np.random.default_rng(3).standard_normal((REPS, MONTHS))
            * series["right"][:, :, MI[name]]
        )
    draws = np.arange(REPS) // 2
    with pytest.raises(TypeError, match="level"):
        cards(series, 2, draws)
    with pytest.raises(TypeError, match="level"):
        advantage(series, BY_NAME["population_health"], draws)
    wide = {c.outcome.name: c for c in cards(series, 2, draws, 0.95, 7)}
    narrow = {c.outcome.name: c for c in cards(series, 2, draws, 0.8, 7)}
    for name in ("population_health", "waiting_patients"):
        w, n = wide[name], narrow[name]
        assert w.low < n.low < n.high < w.high, (name, w, n)
    outcome = BY_NAME["population_health"]
    adv_wide = advantage(series, outcome, draws, 0.95, 7)
    adv_narrow = advantage(series, outcome, draws, 0.8, 7)
    assert (adv_wide.level, adv_narrow.level) == (0.95, 0.8)
    assert np.all(adv_wide.low <= adv_narrow.low)
    assert np.all(adv_narrow.high <= adv_wide.high)
    assert np.all(adv_wide.high - adv_wide.low > adv_narrow.high - adv_narrow.low)
    assert "its 80% interval" in benefit_words(adv_narrow)


def test_financial_years():
    assert financial_year(1, 2025) == "2025/26"
    assert financial_year(75, 2025) == "2099/00"


def test_the_stale_flag_turns_on_after_a_change_and_off_after_a_rerun():
    from sim.app.results_panel import ResultsSummary, stale_reasons

    state = ComparisonState("place_system")
    state.ensure()
    state.rep_years.value = 1
    state.run_replicates()
    result = state.rep_result.value
    assert result.uncertainty
    assert len(set(result.draws)) == 50
    assert stale_reasons(result, state) == []
    box, _rc = solara.render(ResultsSummary(state), handle_error=False)
    assert "Out of date" not in html(box)
    assert "plausible worlds" in html(box)
    state.set_principle("right", "monitoring", False)
    assert stale_reasons(result, state) == ["panel B's rules"]
    wait_until(lambda: "Out of date" in html(box))
    state.set_scenario(funding_gap=0.03)
    state.rep_years.value = 2
    assert stale_reasons(result, state) == ["the scenario", "panel B's rules", "the horizon"]
    state.run_replicates()
    assert stale_reasons(state.rep_result.value, state) == []
    wait_until(lambda: "Out of date" not in html(box))


def test_the_page_states_the_live_result_at_the_year_picked():
    from sim.app.results_panel import ResultsSummary, results_state

    state = ComparisonState("place_system")
    state.ensure()
    box, _rc = solara.render(ResultsSummary(state), handle_error=False)
    assert "Press <strong>Step</strong>" in html(box)
    state.step(30)
    wait_until(lambda: "By the end of year 3," in html(box))
    assert "One run of each panel" in html(box)
    assert html(box).count("<span class='cc-a'>A ") == 7  # one card per outcome
    view = results_state(state)
    view.year.value = 1
    view.start_year.value = 2025
    wait_until(lambda: "By the end of year 1 (2025/26)," in html(box))
    # the cards read month 12 of the live runs
    deficit = state.view.value.pair.history("left")[11, MI["system_deficit"]]
    assert f"A {deficit:,.0f}" in html(box)
    view.outcome.value = "system_deficit"
    wait_until(
        lambda: "Time to benefit on deficit" in html(box) or "benefit on deficit" in html(box)
    )


def test_live_axes_hold_their_data_through_redraws_in_years():
    pair = LivePair(panel_rules("fortress", "left"), panel_rules("shared_governance", "right"))
    view = LiveView(pair)
    for _ in range(4):
        view.step(9)
        for ax in view.series_axes:
            low, high = ax.get_ylim()
            for line in ax.lines:
                y = np.asarray(line.get_ydata(), dtype=float)
                if y.size:
                    assert low <= y.min()
                    assert y.max() <= high
            assert ax.get_xlim()[1] == pytest.approx(nice_top(pair.month) / 12)  # whole years
    assert view.series_axes[-1].get_xlabel() == "year"
    x = view.lines[("left", "population_health")].get_xdata()
    assert x[-1] == pytest.approx(pair.month / 12)


def test_the_teaching_chart_does_not_grow_at_every_redraw():
    pair = LivePair(
        panel_rules("fortress", "left"),
        panel_rules("shared_governance", "right"),
        scenario="classroom_commons",
        params=GameScenario().params(),
    )
    view = LiveView(pair)
    tops = []
    for _ in range(20):
        view.step(1)
        tops.append(view.reference[0].get_ylim()[1])
    ax, nash, _optimum = view.reference
    data = max(max(np.max(line.get_ydata()) for line in ax.lines if len(line.get_ydata())), nash)
    assert tops[-1] <= 1.3 * data  # not 1.25 ** 20 times the first limit


def html(box) -> str:
    """Every text in the rendered widget tree under `box` (markdown, HTML, strings)."""
    texts, stack = [], [box]
    while stack:
        w = stack.pop()
        if isinstance(w, str):
            texts.append(w)
            continue
        template = getattr(w, "template", None)
        texts.append(str(getattr(template, "template", template) or ""))
        for name in ("unsafe_innerHTML", "value", "label"):
            value = getattr(w, name, None)
            if isinstance(value, str):
                texts.append(value)
        stack += list(getattr(w, "children", None) or ())
    return " ".join(texts)
