"""Saved and shared scenarios, exports with every setting, the user's own place file, the brief
and the palette of the app (sim/app/snapshot.py, scenario_file.py, share_url.py, export.py,
brief.py, palette.py, describe.py): no browser."""

from __future__ import annotations

import io
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from sim.app import palette, scenario_file
from sim.app.brief import build_brief
from sim.app.describe import organisations_alt, series_alt
from sim.app.export import print_png, replicates_csv, runs_csv
from sim.app.replicates import run_replicates
from sim.app.results_state import results_state
from sim.app.settings import Scenario, panel_rules, set_principle
from sim.app.share_url import MAX_PLACE_CHARS, carries_everything, from_query, to_query
from sim.app.sharing_panel import place_from_upload
from sim.app.snapshot import ScenarioError, Snapshot
from sim.app.state import ComparisonState
from sim.core.params import ParameterError
from sim.engine.placefile import PlaceFileError, parse_place_file

PLACE = Path(__file__).resolve().parent.parent / "experiments" / "places" / "illustrative_ics.toml"


def changed_state() -> ComparisonState:
    """A session whose every kind of setting differs from the page's defaults."""
    state = ComparisonState("place_system")
    state.set_scenario(funding_gap=0.03, need_growth=0.02, ageing=0.005, n_places=4, seed=11)
    state.set_preset("left", "partnership_board")
    state.set_principle("left", "monitoring", True)
    state.set_principle("right", "prevention", False)
    state.set_adopt_year("right", 2)
    state.rep_years.value = 7
    # How the result is read: financial years from 2025/26, the cards at year 4, the deficit.
    state.set_start_year(2025)
    results_state(state).year.value = 4
    results_state(state).outcome.value = "system_deficit"
    return state


def assert_same_view(state: ComparisonState, snap: Snapshot) -> None:
    """`state` reads its result as `snap` says: financial years (live plots included), the
    cards' year and the outcome."""
    rs = results_state(state)
    view = snap.view
    assert state.start_year.value == view["first_financial_year"]
    assert state.view.value.start_year == view["first_financial_year"]  # the live plots' axes
    assert (rs.year.value, rs.outcome.value) == (view["cards_year"], view["outcome"])


def custom_snapshot() -> Snapshot:
    """Rules the switches cannot make (a lever set part-way) and an uploaded place file."""
    system = parse_place_file(PLACE.read_text(), where="mine.toml")
    right = panel_rules("shared_governance", "right").with_levers(monitoring=0.35)
    return Snapshot(
        scenario=Scenario(system="uploaded", uploaded=system, seed=3),
        presets={"left": "fortress", "right": "shared_governance"},
        rules={
            "left": set_principle(panel_rules("fortress", "left"), "boundary", True),
            "right": right,
        },
        adopt_year={"left": 0, "right": 4},
        horizon_years=30,
    )


# --------------------------------------------------------------------------- scenario files
def test_a_saved_scenario_file_loaded_gives_the_same_runs():
    state = changed_state()
    text = scenario_file.dumps(Snapshot.of(state))
    fresh = ComparisonState("place_system")
    fresh.ensure()
    assert not Snapshot.of(fresh).same_runs_as(Snapshot.of(state))
    assert scenario_file.loads(text.encode()).apply(fresh)
    assert Snapshot.of(fresh).same_runs_as(Snapshot.of(state))
    assert_same_view(fresh, Snapshot.of(state))
    for s in (state, fresh):
        s.reset()
        s.step(8)
    pd.testing.assert_frame_equal(state.view.value.pair.frame(), fresh.view.value.pair.frame())


def test_a_scenario_file_carries_the_users_place_file_and_reads_as_toml():
    snap = custom_snapshot()
    back = scenario_file.loads(scenario_file.dumps(snap))
    assert back.same_runs_as(snap)
    assert back.scenario.uploaded.sha256 == snap.scenario.uploaded.sha256
    assert back.rules["right"].monitoring == 0.35
    toml = (
        'format = "care-commons scenario"\n[scenario]\nseed = 9\nfunding_gap = 0.02\n'
        '[panel_b]\nrules = "canterbury_alliance"\nswitched_off = ["monitoring"]\n'
    )
    loaded = scenario_file.loads(toml)
    assert loaded.scenario.seed == 9
    assert loaded.presets["right"] == "canterbury_alliance"
    assert loaded.rules["right"].monitoring == 0.0
    assert loaded.presets["left"] == "fortress"  # missing keys take the page's defaults


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"scenario": {"seed": -1}}', "scenario.seed"),
        ('{"scenario": {"n_places": 0}}', "scenario.n_places"),
        ('{"scenario": {"funding_gap": "high"}}', "scenario.funding_gap"),
        ('{"scenario": {"funding_gap": 0.3}}', "budget growth"),
        ('{"scenario": {"system": "leeds"}}', "scenario.system"),
        ('{"scenario": {"system": "uploaded"}}', "place_file"),
        ('{"panel_a": {"rules": "anarchy"}}', "panel_a.rules"),
        ('{"panel_b": {"switched_on": ["telepathy"]}}', "panel_b.switched_on"),
        ('{"panel_b": {"levers": {"monitoring": 2}}}', "rules.monitoring"),
        ('{"panel_b": {"levers": {"speed": 2}}}', "panel_b.levers.speed"),
        ('{"panel_a": {"adopt_in_year": 11}}', "panel_a.adopt_in_year"),
        ('{"replicates": {"horizon_years": 0}}', "replicates.horizon_years"),
        ('{"view": {"first_financial_year": 2200}}', "view.first_financial_year"),
        ('{"view": {"outcome": "joy"}}', "view.outcome"),
        ('{"view": {"zoom": 2}}', "view.zoom"),
        ('{"colour": "red"}', "colour"),
        ('{"version": 2}', "version"),
        ('{"scenario": {"seed": 1}', "malformed JSON"),
        ("scenario = [", "malformed TOML"),
    ],
)
def test_scenario_file_errors_are_one_line_naming_the_key(text, key):
    with pytest.raises(ScenarioError) as err:
        scenario_file.loads(text, where="my.json")
    message = str(err.value)
    assert key in message
    assert message.startswith("my.json")
    assert "\n" not in message


def test_a_broken_place_file_inside_a_scenario_file_is_named():
    data = custom_snapshot().to_dict()
    data["place_file"]["text"] = data["place_file"]["text"].replace(
        "population = ", "population = -", 1
    )
    with pytest.raises(PlaceFileError, match="population") as err:
        Snapshot.from_dict(data, "x.json")
    assert "\n" not in str(err.value)


# --------------------------------------------------------------------------- share links
def test_a_link_restores_every_setting():
    state = changed_state()
    snap = Snapshot.of(state)
    query = to_query(snap)
    parts = ("gap=3&", "b_off=prevention", "a_on=monitoring", "b_year=3", "years=7", "fy=2025")
    for part in (*parts, "at=4", "outcome=system_deficit"):
        assert part in query
    back = from_query("?" + query)
    assert back.same_runs_as(snap)
    assert to_query(back) == query
    fresh = ComparisonState("place_system")
    fresh.ensure()
    assert fresh.start_year.value == 0
    back.apply(fresh)
    assert_same_view(fresh, snap)
    custom = custom_snapshot()
    assert carries_everything(custom)
    assert from_query(to_query(custom)).same_runs_as(custom)  # levers and place file travel


def test_slider_percentages_survive_the_link_exactly():
    base = Snapshot.of(ComparisonState("place_system"))
    checked = 0
    for gap in np.arange(-10.0, 30.5, 0.5):  # every position of the funding-gap slider
        for need in (1.5, 30.0):
            scenario = replace(
                base.scenario, funding_gap=round(gap / 100, 4), need_growth=round(need / 100, 4)
            )
            try:
                scenario.params()
            except ParameterError:
                continue  # the page refuses it before it reaches the address
            snap = replace(base, scenario=scenario)
            assert from_query(to_query(snap)).scenario == scenario
            checked += 1
    assert checked > 80


def test_a_link_with_no_or_unknown_parameters_gives_the_defaults_and_bad_values_are_named():
    default = Snapshot.of(ComparisonState("place_system"))
    assert from_query("").same_runs_as(default)
    assert from_query("utm_source=mail&fbclid=x").same_runs_as(default)
    for query, key in (
        ("seed=abc", "seed"),
        ("b=mystery", "panel_b.rules"),
        ("system=uploaded&place=!!", "place"),
        ("fy=1800", "view.first_financial_year"),
        ("at=31", "view.cards_year"),
        ("outcome=happiness", "view.outcome"),
    ):
        with pytest.raises(ScenarioError, match=key) as err:
            from_query(query)
        assert str(err.value).startswith("link")


def test_a_place_file_too_large_for_a_link_is_said():
    snap = custom_snapshot()
    noise = "".join(f"# {np.random.default_rng(k).integers(1e12)}\n" for k in range(900))
    big = parse_place_file(snap.scenario.uploaded.text + noise, where="big.toml")
    snap = replace(snap, scenario=replace(snap.scenario, uploaded=big))
    assert not carries_everything(snap)
    assert "place=" not in to_query(snap)
    assert MAX_PLACE_CHARS < 8000


# --------------------------------------------------------------------------- own place
def test_an_uploaded_place_file_runs_in_both_panels():
    state = ComparisonState("place_system")
    state.ensure()
    system = place_from_upload("mine.toml", PLACE.read_bytes())
    state.set_scenario(system="uploaded", uploaded=system)
    assert not state.error.value
    for model in state.view.value.pair.models.values():
        assert len(model.trusts) == len(system.organisations)
    assert state.params()["place_file"] is system
    # and both panels step through months of that system
    state.step(3)
    for side in ("left", "right"):
        history = state.view.value.pair.history(side)
        assert history.shape[0] == 3, side
        assert np.isfinite(history).all(), side
    for model in state.view.value.pair.models.values():
        assert len(model.trusts) == len(system.organisations)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"[[places]]\nname = 'X'\npopulation = 5\n", "population"),
        (b"[[places]\n", "malformed TOML"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[system]\nname = 'only a name'\n", "mine.toml"),
    ],
)
def test_an_uploaded_place_file_with_a_problem_gives_one_line(data, expected):
    with pytest.raises(PlaceFileError) as err:
        place_from_upload("mine.toml", data)
    assert expected in str(err.value)
    assert str(err.value).startswith("mine.toml")
    assert "\n" not in str(err.value)


# --------------------------------------------------------------------------- exports
def test_exports_carry_every_setting_and_the_seed():
    state = changed_state()
    state.step(3)
    snap = Snapshot.of(state)
    frame = pd.read_csv(io.BytesIO(runs_csv(state.view.value, snap)))
    assert (frame["setting_seed"] == 11).all()
    assert (frame["setting_n_places"] == 4).all()
    assert (frame["panel_b_switched_off"] == "prevention").all()
    assert (frame["panel_b_adopt_in_year"] == 3).all()
    assert from_query(frame["setting_link_query"][0]).same_runs_as(snap)
    result = run_replicates(
        state.schedule("left", 12), state.schedule("right", 12), "place_system", state.params(),
        11, 12, 4, level=0.95,
    )  # fmt: skip
    reps = pd.read_csv(io.BytesIO(replicates_csv(result, snap)))
    assert len(reps) == 2 * 4 * 12
    assert {"replicate", "setting_seed", "base_seed", "panel_a_lever_monitoring"} <= set(reps)
    assert (reps["panel_a_lever_monitoring"] == 0.8).all()
    image = Image.open(io.BytesIO(print_png(state.view.value.series_fig)))
    assert image.info["dpi"][0] == pytest.approx(300, abs=0.5)
    assert image.size[0] >= 3000


def test_the_brief_is_one_html_page_with_settings_alt_text_and_language():
    state = changed_state()
    state.step(12)
    snap = Snapshot.of(state)
    html = build_brief(snap, state.view.value, None, "B ends with less deficit.", "http://x/")

    class Images(HTMLParser):
        def __init__(self):
            super().__init__()
            self.alts, self.lang = [], None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "html":
                self.lang = attrs.get("lang")
            if tag == "img":
                self.alts.append(attrs.get("alt", ""))

    parsed = Images()
    parsed.feed(html)
    assert parsed.lang == "en"
    assert len(parsed.alts) == 2
    assert all(len(a) > 40 for a in parsed.alts)
    assert "month 12" in parsed.alts[0]
    assert to_query(snap).replace("&", "&amp;") in html
    assert "B ends with less deficit." in html
    assert "Monitoring (open books)" in html
    assert "adopted in year 3" in html


def test_alt_texts_describe_both_panels():
    state = ComparisonState("place_system")
    state.ensure()
    assert "No steps run yet" in series_alt(state.view.value)
    state.step(2)
    text = series_alt(state.view.value)
    assert "Panel A: fortress" in text
    assert "Panel B: shared governance" in text
    assert "Population health: A 0." in text
    assert "organisations in deficit" in organisations_alt(state.view.value)


# --------------------------------------------------------------------------- palette
def test_ciede2000_matches_a_published_pair():
    # Sharma, Wu & Dalal (2005), test pairs 1 and 17
    assert palette.delta_e(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])) == (
        pytest.approx(2.0425, abs=1e-4)
    )
    assert palette.delta_e(np.array([50, 2.5, 0]), np.array([73, 25, -18])) == pytest.approx(
        27.1492, abs=1e-4
    )


def test_panels_stay_apart_in_colour_blindness_and_greyscale():
    a, b = palette.SIDE_COLOURS["left"], palette.SIDE_COLOURS["right"]
    worst, *_ = palette.worst_difference(palette.SIDE_COLOURS)
    assert worst > 20  # CIEDE2000, under normal vision and each form of dichromacy
    assert abs(palette.lightness(a) - palette.lightness(b)) > 20  # greyscale / black-and-white
    assert min(palette.contrast_with_white(c) for c in (a, b)) >= 3  # WCAG graphics
    assert palette.SIDE_MARKERS["left"] != palette.SIDE_MARKERS["right"]


def test_kinds_of_organisation_stay_apart_in_colour_blindness():
    worst, first, second, vision = palette.worst_difference(palette.KIND_COLOURS)
    assert worst > 10, f"{first} and {second} differ by {worst:.1f} under {vision}"
    acute, community = palette.KIND_COLOURS["acute"], palette.KIND_COLOURS["community"]
    assert palette.difference(acute, community, "deuteranopia") > 10  # was 7 (issue 14)
