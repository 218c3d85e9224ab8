"""Time in years and financial years on the app's plots, and their values on hover (no browser).

The hover layer's areas must sit where matplotlib drew the data (checked through the figure's
own data-to-pixel transform at the saved size) and say the values the runs hold at that time;
the financial year setting must reach the live plots, the fan and difference charts and their
tooltips. The browser test (tests/test_app_browser.py) hovers a real plot.
"""

from __future__ import annotations

import html
import re
import time

import numpy as np
import pytest

from sim.analysis.stats import fan_quantiles
from sim.app.hover import month_bands, number, when
from sim.app.replicates import REPLICATE_PLOTS, replicate_images, run_replicates
from sim.app.settings import SIDES, panel_rules
from sim.app.state import ComparisonState
from sim.core.constants import M as MI

PRESETS = {"left": "fortress", "right": "shared_governance"}

AREA = re.compile(
    r'<div class="cc-area" style="left:([\d.]+)%;top:([\d.]+)%;width:([\d.]+)%;'
    r'height:([\d.]+)%" title="([^"]*)"></div>'
)


def areas(layer: str) -> list[tuple[float, float, float, float, str]]:
    found = [
        (float(a), float(b), float(c), float(d), html.unescape(t))
        for a, b, c, d, t in AREA.findall(layer)
    ]
    assert len(found) == layer.count('class="cc-area"')
    return found


def tick_labels(ax) -> list[str]:
    ax.figure.canvas.draw()
    return [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


def test_bands_numbers_and_times():
    assert month_bands(0) == []
    assert month_bands(30) == [(m, m) for m in range(1, 31)]
    assert month_bands(120)[:2] == [(1, 3), (4, 6)]
    assert len(month_bands(120)) == 40
    assert month_bands(600)[-1] == (577, 600)
    assert len(month_bands(600)) == 25
    assert all(len(month_bands(n)) <= 40 for n in (1, 41, 359, 600, 6000))
    assert [number(x) for x in (0.71234, -8.345, 12.34, 1234.5, -0.0001)] == [
        "0.712",
        "-8.35",
        "12.3",
        "1,234",
        "0",
    ]
    assert when(30, 12) == "month 30, year 3"
    assert when(30, 12, 2025) == "month 30, year 3 (2027/28)"
    assert when(7, 1) == "round 7"


@pytest.fixture(scope="module")
def playing_state():
    state = ComparisonState("place_system")
    state.ensure()
    state.step(30)
    return state


def test_live_hover_sits_on_the_data_and_says_its_values(playing_state):
    view = playing_state.view.value
    view.images()  # lays the figures out, as the page does before it reads the layer
    found = areas(view.hover()["series"])
    fig = view.series_fig
    width, height = fig.canvas.get_width_height()
    plots = view.plots
    assert len(found) == 30 * len(plots)  # one area a month on every axes
    k = [t for _names, t, *_ in plots].index("Population health")
    ax = view.series_axes[k]
    health = [a for a in found if "Population health" in a[4]]
    assert len(health) == 30
    for month in (1, 17, 30):
        area = next(a for a in health if a[4].startswith(f"month {month},"))
        a, b = (view.pair.history(s)[month - 1, MI["population_health"]] for s in SIDES)
        assert f"A {number(a)}, B {number(b)}" in area[4]
        # the data point of that month lies inside its area (pixels from the top left)
        px, py = ax.transData.transform((month / 12, b))
        left, top = area[0] / 100 * width, area[1] / 100 * height
        assert left <= px <= left + area[2] / 100 * width
        assert top <= height - py <= top + area[3] / 100 * height
    organisations = areas(view.hover()["organisations"])
    n = sum(len(view.pair.models[s].trusts) for s in SIDES)
    assert len(organisations) == 2 * n  # each organisation's bar and dot
    first = view.pair.models["left"].trusts[0]
    assert any(f"balance {number(first.balance)} GBP million" in a[4] for a in organisations)


def test_live_time_axes_in_years_then_financial_years(playing_state):
    state = playing_state
    view = state.view.value
    bottom = view.series_axes[-1]
    assert bottom.get_xlabel() == "year"
    assert bottom.get_xlim() == (0, 5)  # month 30: the axis runs to the end of year 5
    assert tick_labels(bottom) == ["0", "1", "2", "3", "4", "5"]
    before = state.images.value["series"]
    state.set_start_year(2025)
    assert bottom.get_xlabel() == "financial year"
    assert tick_labels(bottom) == ["2025/26", "2026/27", "2027/28", "2028/29", "2029/30"]
    assert state.images.value["series"] != before  # redrawn with the new labels
    view.images()
    assert "month 30, year 3 (2027/28)" in view.hover()["series"]
    state.set_start_year(0)
    assert tick_labels(bottom) == ["0", "1", "2", "3", "4", "5"]


def test_replicate_charts_hover_and_financial_years():
    rules = {side: panel_rules(p, side) for side, p in PRESETS.items()}
    result = run_replicates(
        rules["left"], rules["right"], "place_system", {}, 3, 24, 10, level=0.95
    )
    images = replicate_images(result, 2025)
    assert images["fan"][:4] == b"\x89PNG"
    assert images["difference"][:4] == b"\x89PNG"
    fan = areas(images["fan_hover"])
    plots = REPLICATE_PLOTS["place_system"]
    assert len(fan) == 24 * len(plots)
    area = next(a for a in fan if a[4].startswith("month 24, year 2 (2026/27): Population health"))
    q = fan_quantiles(result.series["right"][:, :, MI["population_health"]], axis=0)
    assert f"B median {number(q[0.5][-1])}" in area[4]
    assert f"25-75%: {number(q[0.25][-1])} to {number(q[0.75][-1])}" in area[4]
    mean, low, _high = result.difference("unmet_need")
    diff = next(
        a for a in areas(images["difference_hover"]) if "month 12," in a[4] and "Unmet need" in a[4]
    )
    assert f"B - A {number(mean[11] * 100)} (95% CI {number(low[11] * 100)}" in diff[4]
    assert "(2025/26)" in diff[4]


def test_replicate_statistics_unchanged_by_the_faster_charts():
    """The charts read cached quantiles and differences: the same numbers as computed afresh."""
    rules = {side: panel_rules(p, side) for side, p in PRESETS.items()}
    result = run_replicates(
        rules["left"], rules["right"], "place_system", {}, 5, 12, 10, level=0.95
    )
    replicate_images(result)
    for name in ("pool_balance", "unmet_need"):
        cached = result.difference(name)
        result.__dict__.pop("_cache")
        fresh = result.difference(name)
        for x, y in zip(cached, fresh, strict=True):
            np.testing.assert_array_equal(x, y)
        q = fan_quantiles(result.series["left"][:, :, MI[name]], axis=0)
        for k, arr in result.fan("left", name).items():
            np.testing.assert_array_equal(arr, q[k])


def test_state_redraws_replicate_charts_in_financial_years():
    state = ComparisonState("place_system")
    state.ensure()
    state.rep_years.value = 1
    state.run_replicates()
    assert state.rep_images.value["start_year"] == 0
    assert "(20" not in state.rep_images.value["fan_hover"]
    state.set_start_year(2030)
    assert state.rep_images.value["start_year"] == 2030
    assert "month 12, year 1 (2030/31)" in state.rep_images.value["fan_hover"]


@pytest.mark.parametrize("kind", ["place_system", "games"])
def test_frames_redraw_only_the_axes_that_changed_pixel_for_pixel(kind):
    """A frame that redraws only the axes whose limits changed (and puts back unchanged titles
    from their pixels) is the same image, pixel for pixel, as one drawn on a fresh background."""
    import io

    from PIL import Image

    from sim.app.frames import FrameRenderer

    state = ComparisonState(kind)
    state.ensure()
    if kind == "place_system":
        state.set_start_year(2025)
    view = state.view.value
    fresh = {n: FrameRenderer(r.fig, r.moving) for n, r in view.renderers.items()}

    def pixels(data: bytes) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))

    for months in (1, 2, 3, 6, 6, 12, 12, 24, 60, 120):
        state.step(months)
        for name, renderer in view.renderers.items():
            fresh[name].invalidate()
            np.testing.assert_array_equal(pixels(renderer.png()), pixels(fresh[name].png()))
    assert view.renderers["series"].axes_draws > 0  # the axes alone were redrawn at times
    assert view.renderers["series"].full_draws <= 2


@pytest.mark.parametrize("kind", ["place_system", "games"])
def test_axes_drawn_in_one_session_are_put_back_in_another_pixel_for_pixel(kind):
    """A session that puts back an axes another session drew (the shared `CELLS`) shows the same
    image, pixel for pixel, as one drawn from scratch; a session whose axes differ (financial
    years on the time axis) is never given another's."""
    import io

    from PIL import Image

    from sim.app.frames import CELLS, FrameRenderer

    def pixels(data: bytes) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))

    CELLS.clear()
    steps = (1, 12, 60)  # months 1, 13 and 73: the time axis ends at 1, 2 and 10 years
    first = ComparisonState(kind)
    first.ensure()
    for months in steps:
        first.step(months)
        first.view.value.images()
    drawn = CELLS.misses
    assert drawn > 0
    states = [ComparisonState(kind), ComparisonState(kind)]
    if kind == "place_system":
        states[1].set_start_year(2025)
    else:
        states[1].set_scenario(n_players=4)
    for state in states:
        state.ensure()
    hits = []
    for state in states:
        view = state.view.value
        fresh = {n: FrameRenderer(r.fig, r.moving) for n, r in view.renderers.items()}
        before = CELLS.hits
        for months in steps:
            state.step(months)
            for name, renderer in view.renderers.items():
                fresh[name].invalidate()
                np.testing.assert_array_equal(pixels(renderer.png()), pixels(fresh[name].png()))
        hits.append(CELLS.hits - before)
    assert hits[0] > 0  # the same page: axes put back from the first session's frames
    assert CELLS.misses > drawn  # the other page drew its own


def test_an_axes_signature_follows_what_it_draws_and_not_what_moves():
    from matplotlib.figure import Figure

    from sim.app.frames import axes_signature

    fig = Figure()
    ax = fig.add_subplot()
    (moving,) = ax.plot([0, 1], [0, 1])
    ax.axhline(0.5)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    skip = {id(moving)}
    base = axes_signature(ax, skip)
    moving.set_data([0, 1], [1, 0])
    assert axes_signature(ax, skip) == base
    for change in (
        lambda: ax.set_ylim(0, 2),
        lambda: ax.set_title("health"),
        lambda: ax.set_ylabel("index"),
        lambda: ax.lines[1].set_ydata([0.6, 0.6]),
        lambda: ax.legend(["a line"]),
    ):
        before = axes_signature(ax, skip)
        change()
        assert axes_signature(ax, skip) != before


def test_many_sessions_playing_share_the_frames():
    from sim.app.session import FRAME_BUDGET, MIN_FRAMES_PER_SECOND, PlayingSessions

    playing = PlayingSessions()
    assert playing.frame_rate(4) == 4
    with playing.playing(), playing.playing():
        assert playing.frame_rate(4) == min(4, FRAME_BUDGET / 2)
        with playing.playing(), playing.playing(), playing.playing():
            assert playing.frame_rate(4) == FRAME_BUDGET / 5
    assert playing.count == 0
    for _ in range(100):
        playing.count += 1
    assert playing.frame_rate(4) == MIN_FRAMES_PER_SECOND


def test_frames_are_drawn_one_at_a_time_in_the_order_asked():
    import threading

    from sim.app.session import PlayingSessions

    playing = PlayingSessions()
    inside, most, order = [0], [0], []
    count = threading.Lock()
    first_in = threading.Event()
    release_first = threading.Event()

    def frame(name, wanted=lambda: True):
        with playing.turn(wanted, poll=0.01) as mine:
            if not mine:
                order.append(f"{name} gave up")
                return
            with count:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            order.append(name)
            if name == "first":
                first_in.set()
                release_first.wait(10)
            with count:
                inside[0] -= 1

    gone = threading.Event()
    first = threading.Thread(target=frame, args=("first",))
    first.start()
    assert first_in.wait(10)
    # Queue the others behind the first one in a known order; one pauses while it waits.
    threads = []
    for name in ("second", "paused", "third"):
        wanted = (lambda: not gone.is_set()) if name == "paused" else (lambda: True)
        thread = threading.Thread(target=frame, args=(name, wanted))
        thread.start()
        threads.append(thread)
        deadline = time.monotonic() + 10
        while playing._next_ticket < 1 + len(threads) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert playing._next_ticket == 1 + len(threads), f"{name} never queued"
    gone.set()
    threads[1].join(10)  # the paused one leaves the queue before its turn
    assert not threads[1].is_alive()
    assert order == ["first", "paused gave up"]
    release_first.set()
    for thread in (first, *threads):
        thread.join(10)
        assert not thread.is_alive()
    assert order == ["first", "paused gave up", "second", "third"]
    assert most[0] == 1  # never two frames at once
    with playing.turn() as mine:  # the skipped ticket does not hold the queue up
        assert mine


def test_the_hover_layers_come_with_the_images_under_the_lock_and_not_while_playing():
    state = ComparisonState("place_system")
    state.ensure()
    state.step(3)
    assert "month 3," in state.hover.value["series"]  # made with the images, not at render
    state.playing.value = True
    state.step(1)
    assert state.hover.value == {}  # playing: no layer
    state.pause()
    assert "month 4," in state.hover.value["series"]  # paused: the layer of the month shown


def test_every_live_measure_fills_a_fair_part_of_its_axes():
    """Each live measure's own values span at least a quarter of its axes' height at year 10 (a
    pool balance that shared an axis with the system deficit spanned 14% of it, and lay flat)."""
    state = ComparisonState("place_system")
    state.ensure()
    state.step(120)
    view = state.view.value
    for ax, (names, title, _unit, scale) in zip(view.series_axes, view.plots, strict=True):
        low, high = ax.get_ylim()
        for name in names:
            values = np.concatenate([view.pair.history(s)[:, MI[name]] * scale for s in SIDES])
            assert np.ptp(values) >= 0.25 * (high - low) > 0, (title, name, np.ptp(values))


def test_many_places_lie_on_a_grid_each_organisation_nearest_its_own_place():
    """At 50 places (a ring of them was a blur) each organisation lies nearer the middle of its own
    place's cluster than of any other; only partnerships within a place are drawn, while the
    title's mean trust is still over every partnership."""
    from sim.app.figures import trust_graph

    state = ComparisonState("place_system")
    state.set_scenario(n_places=50)
    state.ensure()
    state.step(12)
    view = state.view.value
    model = view.pair.models["right"]
    pos = view.pair.positions["right"]
    places = sorted({t.place for t in model.trusts if t.place >= 0})
    assert len(places) == 50
    middle = {
        p: np.mean([pos[i] for i, t in enumerate(model.trusts) if t.place == p], axis=0)
        for p in places
    }
    for i, t in enumerate(model.trusts):
        if t.place < 0:
            continue
        nearest = min(places, key=lambda p: np.hypot(*(np.asarray(pos[i]) - middle[p])))
        assert nearest == t.place
    place_at = {tuple(np.round(pos[i], 9)): t.place for i, t in enumerate(model.trusts)}
    for (x0, y0), (x1, y1) in view.edge_collections["right"].get_segments():
        a, b = place_at[(round(x0, 9), round(y0, 9))], place_at[(round(x1, 9), round(y1, 9))]
        assert a == b >= 0
    g = trust_graph(model)
    trusts = np.clip([g.edges[e]["trust"] for e in g.edges], 0, 1)
    assert len(view.edge_collections["right"].get_segments()) < len(trusts)
    assert f"mean trust {np.mean(trusts):.2f}" in view.net_titles["right"].get_text()


def test_a_bounded_measures_axes_stay_inside_the_range_it_can_take():
    """Cooperation and trust run from 0 to 1 and shares from 0 to 100%: their axes' round limits
    with headroom had reached -0.5 to 1.5; now they stop a sliver past the bounds, while unbounded
    money axes keep their headroom."""
    from sim.app.frames import BOUND_SLIVER, BOUNDS

    state = ComparisonState("place_system")
    state.ensure()
    checked = 0
    for months in (1, 11, 48, 60):
        state.step(months)
        view = state.view.value
        for ax, (names, title, _unit, _scale) in zip(view.series_axes, view.plots, strict=True):
            low, high = ax.get_ylim()
            if all(name in BOUNDS for name in names):
                b_low = min(BOUNDS[n][0] for n in names)
                b_high = max(BOUNDS[n][1] for n in names)
                sliver = BOUND_SLIVER * (b_high - b_low)
                assert low >= b_low - sliver - 1e-12, (title, months, low)
                assert high <= b_high + sliver + 1e-12, (title, months, high)
                checked += 1
    assert checked == 4 * 4  # health, acute share, unmet need, cooperation and trust
