"""Place files (docs/place_files.md): the user's own system, field by field, on both engines,
with money conserved; every malformed file refused with its line and field, nothing written."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import CareSystem, run_many
from sim.commands import main
from sim.core.params import defaults
from sim.engine.placefile import PlaceFileError, load_place_file, parse_place_file
from sim.engine.placemap import KINDS, derived_need_index, place_file_text

ROOT = Path(__file__).resolve().parents[1]
ILLUSTRATIVE = ROOT / "experiments" / "places" / "illustrative_ics.toml"

TWO_PLACES = """\
[system]
name = "Two places"
reference_per_head = 2000

[[places]]
name = "North"
population = 200000
need_index = 1.1
allocation = 440.0

[[places]]
name = "South"
population = 300000
allocation_per_head = 2000

[[organisations]]
name = "North acute"
kind = "acute"
budget = 200
places = ["North"]

[[organisations]]
name = "North acute 2"
kind = "acute"
budget = 100
places = ["North"]

[[organisations]]
name = "Both community"
kind = "community"
budget = 100
unit_cost = 1.1
balance = -5
places = {North = 0.25, South = 0.75}

[[organisations]]
name = "Ambulance"
kind = "ambulance"
budget = 40
places = ["North", "South"]

[[organisations]]
name = "South social care"
kind = "social_care"
budget = 50
places = ["South"]
"""


@pytest.fixture
def two_places(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(TWO_PLACES)
    return path


def test_two_place_file_gives_the_initial_state_by_hand(two_places):
    w = CareSystem(rules="fortress", seed=3, place_file=two_places).world
    d = defaults("place_system")
    # Places: North 440 GBP m a year over 200,000 people = 2,200 a head, 1.1 x the reference of
    # 2,000; South 2,000 a head = 600 GBP m a year, index 1; South's need index: no figures, 1.
    assert np.allclose(w.population, [200_000, 300_000])
    assert np.allclose(w.alloc_base, [440 / 12, 600 / 12])
    assert np.allclose(w.alloc_index, [1.1, 1.0])
    assert np.allclose(w.need_index, [1.1, 1.0])
    # Need at the allocation net of running costs (the indices agree: no pressure), by line.
    net = (1 - d["running_cost_share"]) * np.array([440 / 12, 600 / 12])
    shares = np.array([0.46, 0.10, 0.11, 0.13, 0.04, 0.16])
    assert np.allclose(w.need_base, net[:, None] * shares[None, :])
    # Starting health: d = 0.1 / need_spread, health 0.7 (1 - health_spread d) = 0.644 at defaults.
    north = d["initial_health"] * (1 - d["health_spread"] * 0.1 / d["need_spread"])
    assert np.allclose(w.health, [north, d["initial_health"]])
    assert np.isclose(w.health[0], 0.644)
    # Organisations in the file's order; one place: its home place; several: -1.
    assert list(w.org_kind) == [0, 0, 1, 4, 5]
    assert list(w.org_place) == [0, 0, -1, -1, 1]
    assert np.allclose(w.unit_cost, [1, 1, 1.1, 1, 1])
    assert np.allclose(w.balance, [0, 0, -5, 0, 0])
    # Contracts: one per place served, grouped by organisation.
    assert list(w.con_org) == [0, 1, 2, 2, 3, 3, 4]
    assert list(w.con_place) == [0, 0, 0, 1, 0, 1, 1]
    # North's two acute trusts weigh 200 and 100: sizes 2 x 200/300 and 2 x 100/300.
    assert np.allclose(w.con_size, [4 / 3, 2 / 3, 1, 1, 1, 1, 1])
    # Shares: North covers acute, community and ambulance (0.60 of spend), South community,
    # ambulance and social care (0.30).
    north_acute = 0.46 / 0.60 / 2
    expected = [north_acute * 4 / 3, north_acute * 2 / 3, 0.10 / 0.60, 0.10 / 0.30]
    expected += [0.04 / 0.60, 0.04 / 0.30, 0.16 / 0.30]
    assert np.allclose(w.con_base_share, expected)
    # Partners share a place: the four North organisations pair up (12 edges), South social
    # care with the community and ambulance trusts (4).
    assert len(w.edge_dst) == 16
    social = w.edge_dst[w.edge_start[4] : w.edge_end[4]]
    assert list(social) == [2, 3]
    # Capacity: the contract's part of need with headroom.
    part = w.need_base[0, 0] / 2 * 4 / 3
    assert np.isclose(w.capacity[0], part * (1 + d["capacity_headroom"]))


def test_population_split_and_derived_need_index(tmp_path):
    system = parse_place_file(TWO_PLACES)
    ambulance = system.organisations[3]
    assert ambulance.shares == ((0, 0.4), (1, 0.6))  # 200,000 and 300,000 people
    # Age and deprivation: the English average gives 1; older and more deprived gives more.
    assert derived_need_index(0.184, 21.7) == pytest.approx(1.0)
    assert derived_need_index(0.30, None) > 1.0
    assert derived_need_index(None, 43.4) == pytest.approx(1.15)


@pytest.mark.parametrize("rules", ["fortress", "shared_governance"])
def test_engines_identical_with_a_place_file(two_places, rules):
    fast = CareSystem(rules=rules, seed=7, place_file=two_places).run_for(6)
    slow = CareSystem(rules=rules, seed=7, place_file=two_places, engine="python").run_for(6)
    assert np.array_equal(fast.history, slow.history)
    for name, array in fast.world._asdict().items():
        assert np.array_equal(array, getattr(slow.world, name)), name


def test_money_is_conserved_with_a_place_file(two_places):
    model = CareSystem(rules="partnership_board", seed=2, place_file=two_places)
    for _ in range(12):
        w = model.world
        pool, providers = float(np.sum(w.pool_balance)), float(np.sum(w.balance))
        model.step()
        m = model.current()
        costs = m["transaction_costs"] + m["governance_costs"] + m["takeover_costs"]
        change = float(np.sum(w.pool_balance)) - pool + float(np.sum(w.balance)) - providers
        assert np.isclose(m["allocation"], m["provider_spend"] + costs + change, rtol=1e-9)


def test_priors_a_place_file_leaves_idle_are_not_drawn(two_places, tmp_path):
    """With a place file its own allocations, unit costs, balances and budgets replace the draws
    of the generated world, so a probabilistic run does not draw the spreads behind those draws:
    in run_many and in an experiment file, while both still draw every other prior."""
    from sim.core.priors_table import PRIOR_INDEX
    from sim.engine.placemap import IDLE_WITH_PLACE_FILE
    from sim.experiment.spec import parse_experiment

    assert set(IDLE_WITH_PLACE_FILE) <= set(PRIOR_INDEX)  # each has a prior to leave out
    generated = run_many("fortress", replicates=2, months=2, seed=5, uncertainty=True)
    placed = run_many(
        "fortress", replicates=2, months=2, seed=5, uncertainty=True, place_file=two_places
    )
    for name in IDLE_WITH_PLACE_FILE:
        assert name in generated.columns
        assert name not in placed.columns
    drawn = set(generated.columns) - set(IDLE_WITH_PLACE_FILE)
    assert drawn <= set(placed.columns)  # every other prior still drawn
    text = (
        'name = "own"\nscenario = "place_system"\nrules = ["fortress"]\nreplicates = 2\n'
        "months = 2\nseed = 5\nplace_file = {path!r}\n[uncertainty]\nparameters = {names}\n"
    )
    for names in ('"all"', str(["unit_cost_spread", "demand_noise"]).replace("'", '"')):
        exp = parse_experiment(text.format(path=str(two_places), names=names), where="own.toml")
        assert not set(IDLE_WITH_PLACE_FILE) & set(exp.uncertainty.names)
        assert "demand_noise" in exp.uncertainty.names


def test_run_many_matches_care_system_and_differs_from_the_generated_world(two_places):
    frame = run_many("fortress", replicates=2, months=4, seed=5, place_file=two_places)
    alone = CareSystem(rules="fortress", seed=5, run=1, place_file=two_places).run_for(4)
    assert frame.loc[1, "population_health"] == alone.summary()["population_health"]
    generated = run_many("fortress", replicates=2, months=4, seed=5)
    assert not np.allclose(frame["population_health"], generated["population_health"])
    with pytest.raises(PlaceFileError, match="n_places=4 is set by the place file"):
        run_many("fortress", replicates=1, months=1, place_file=two_places, n_places=4)


BAD = [
    (
        TWO_PLACES.replace("allocation = 440.0", "allocation = 100.0"),
        "line 9",
        "places[0].allocation = 100.0 is 0.25 times the reference per head",
    ),
    ("[system\nname = 1", "line 1", "malformed TOML"),
    (
        TWO_PLACES.replace("budget = 200", 'budget = 200\ncolour = "red"'),
        "line 20",
        "organisations[0].colour",
    ),
    (
        TWO_PLACES.replace("population = 200000", 'population = "many"'),
        "line 7",
        "places[0].population = 'many' has type str",
    ),
    (
        TWO_PLACES.replace("population = 200000", "population = -5"),
        "line 7",
        "places[0].population = -5 is not allowed; allowed: a number in [1000, 5e+06]",
    ),
    (
        TWO_PLACES.replace('places = ["South"]', 'places = ["East"]'),
        "line 46",
        "organisations[4].places = 'East' is not a place",
    ),
    (
        TWO_PLACES.replace('places = ["North", "South"]', 'places = ["North"]')
        .replace('places = ["South"]', 'places = ["North"]')
        .replace("{North = 0.25, South = 0.75}", '["North"]'),
        "line 12",
        "places[1].name = 'South' has no organisation",
    ),
    (
        TWO_PLACES.replace('name = "North acute 2"', 'name = "North acute"'),
        "line 23",
        "organisations[1].name = 'North acute' is a duplicate",
    ),
    (
        TWO_PLACES.replace('kind = "ambulance"', 'kind = "hospice"'),
        "line 38",
        "organisations[3].kind = 'hospice'",
    ),
    (TWO_PLACES.replace("South = 0.75", "South = 0.5"), "line 34", "does not sum to 1"),
    (TWO_PLACES.replace("allocation_per_head = 2000", ""), "line 11", "places[1].allocation"),
    (TWO_PLACES.replace("population = 200000", "", 1), "line 5", "places[0].population is missing"),
]


@pytest.mark.parametrize(("text", "line", "field"), BAD)
def test_malformed_files_name_the_line_and_field(tmp_path, text, line, field):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(PlaceFileError) as caught:
        load_place_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {line}: "), message
    assert field in message
    assert "allowed:" in message
    assert "\n" not in message


def _experiment(tmp_path, place_text):
    (tmp_path / "places").mkdir(exist_ok=True)
    (tmp_path / "places" / "mine.toml").write_text(place_text)
    exp = tmp_path / "exp.toml"
    exp.write_text(
        'name = "mine"\nscenario = "place_system"\nplace_file = "places/mine.toml"\n'
        'rules = ["fortress", "shared_governance"]\nreplicates = 3\nmonths = 6\nseed = 1\n'
    )
    return exp


def test_cli_refuses_a_malformed_place_file_and_writes_nothing(tmp_path, capsys):
    exp = _experiment(tmp_path, TWO_PLACES.replace("population = 200000", "population = 0"))
    out = tmp_path / "out"
    assert main(["run", str(exp), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "place_file:" in err
    assert "line 7: places[0].population = 0" in err
    assert not out.exists()


def test_cli_runs_with_a_place_file_and_records_it(tmp_path):
    import json

    from sim import load_results

    exp = _experiment(tmp_path, TWO_PLACES)
    out = tmp_path / "out"
    assert main(["run", str(exp), "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    record = manifest["place_file"]
    assert record["content"] == TWO_PLACES
    assert record["sha256"] == parse_place_file(TWO_PLACES).sha256
    # Rebuilt from the manifest alone: the recorded file gives the recorded results.
    frame = load_results(out).summaries
    rebuilt = parse_place_file(record["content"], record["path"])
    again = CareSystem(rules="shared_governance", seed=1, run=2, place_file=rebuilt).run_for(6)
    row = frame[(frame["rules"] == "shared_governance") & (frame["replicate"] == 2)]
    assert row["population_health"].item() == again.summary()["population_health"]
    # A changed place file refuses to resume.
    (tmp_path / "places" / "mine.toml").write_text(TWO_PLACES.replace("1.1", "1.2"))
    assert main(["run", str(exp), "--out", str(out), "--quiet"]) == 2


def test_the_illustrative_system_runs_in_care_system_and_the_cli(tmp_path):
    model = CareSystem(rules="shared_governance", seed=1, place_file=ILLUSTRATIVE).run_for(3)
    assert [p.name for p in load_place_file(ILLUSTRATIVE).places] == [
        "Herefordshire",
        "Worcestershire",
    ]
    assert len(model.trusts) == 9
    assert len(model.places) == 2
    assert np.all(np.isfinite(model.history))
    out = tmp_path / "illustrative"
    path = ROOT / "experiments" / "illustrative_place.toml"
    args = ["run", str(path), "--out", str(out), "--quiet", "--replicates", "2"]
    assert main(args) == 0
    assert "| place file | Illustrative ICS" in (out / "report.md").read_text()


def test_a_model_with_a_place_file_pickles_and_continues(two_places):
    import pickle

    model = CareSystem(rules="shared_governance", seed=4, place_file=two_places).run_for(3)
    copy = pickle.loads(pickle.dumps(model))
    assert copy.place_system == model.place_system
    assert np.array_equal(model.run_for(3).history, copy.run_for(3).history)


def test_the_illustrative_need_indices_follow_age():
    herefordshire, worcestershire = load_place_file(ILLUSTRATIVE).places
    # 48,400 of 187,100 aged 65 and over: (1 + 1.5 x 0.2587) / (1 + 1.5 x 0.184) = 1.0878.
    assert herefordshire.need_index == pytest.approx(1.0878, abs=1e-4)
    assert worcestershire.need_index == 1.0  # no figure: the English average
    assert herefordshire.allocation == pytest.approx(187_100 * 1732 / 1e6)


@st.composite
def place_systems(draw):
    """A random valid system: 1 to 3 places, 1 to 7 organisations, every place served."""
    n_places = draw(st.integers(1, 3))
    names = [f"P{q}" for q in range(n_places)]
    places = [
        {
            "name": name,
            "population": draw(st.integers(10_000, 900_000)),
            "need_index": draw(st.floats(0.7, 1.4)),
            "allocation_per_head": draw(st.floats(1_500.0, 3_500.0)),
        }
        for name in names
    ]
    orgs = []
    for i in range(draw(st.integers(1, 7))):
        served = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        orgs.append(
            {
                "name": f"O{i}",
                "kind": draw(st.sampled_from(KINDS)),
                "budget": draw(st.floats(1.0, 500.0)),
                "unit_cost": draw(st.floats(0.8, 1.2)),
                "balance": draw(st.floats(-50.0, 50.0)),
                "places": served,
            }
        )
    for q, name in enumerate(names):  # a place nobody serves gets the first organisation
        if not any(name in org["places"] for org in orgs):
            orgs[q % len(orgs)]["places"].append(name)
    return parse_place_file(place_file_text({"places": places, "organisations": orgs}))


@settings(max_examples=12, deadline=None)
@given(system=place_systems(), rules=st.sampled_from(["fortress", "shared_governance"]))
def test_random_systems_identical_on_both_engines_with_money_conserved(system, rules):
    fast = CareSystem(rules=rules, seed=3, place_file=system)
    slow = CareSystem(rules=rules, seed=3, place_file=system, engine="python")
    for _ in range(4):
        w = fast.world
        pool, providers = float(np.sum(w.pool_balance)), float(np.sum(w.balance))
        fast.step()
        slow.step()
        m = fast.current()
        costs = m["transaction_costs"] + m["governance_costs"] + m["takeover_costs"]
        change = float(np.sum(w.pool_balance)) - pool + float(np.sum(w.balance)) - providers
        assert np.isclose(m["allocation"], m["provider_spend"] + costs + change, rtol=1e-9)
    assert np.array_equal(fast.history, slow.history)
    for name, array in fast.world._asdict().items():
        assert np.array_equal(array, getattr(slow.world, name)), name


def test_the_documented_example_is_a_valid_place_file():
    text = (ROOT / "docs" / "place_files.md").read_text()
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    system = parse_place_file(example, "docs/place_files.md")
    assert [p.name for p in system.places] == ["North", "South"]
    community = system.organisations[1]
    assert community.shares == ((0, 0.4), (1, 0.6))
    assert np.isfinite(CareSystem(seed=1, place_file=system).run_for(2).history).all()


def test_commons_run_takes_a_place_file_in_place_of_the_experiments(tmp_path, monkeypatch):
    import json

    from sim import load_results

    exp = tmp_path / "generic.toml"
    exp.write_text(
        'name = "generic"\nscenario = "place_system"\nrules = ["fortress"]\n'
        "replicates = 2\nmonths = 4\nseed = 3\n"
    )
    (tmp_path / "mine.toml").write_text(TWO_PLACES)
    monkeypatch.chdir(tmp_path)  # the option's path is read from the working folder
    out = tmp_path / "out"
    assert main(["run", str(exp), "--place-file", "mine.toml", "--out", str(out), "--quiet"]) == 0
    assert json.loads((out / "manifest.json").read_text())["place_file"]["content"] == TWO_PLACES
    again = CareSystem(rules="fortress", seed=3, run=1, place_file=tmp_path / "mine.toml")
    row = load_results(out).summaries.query("replicate == 1")
    assert row["system_deficit"].item() == again.run_for(4).summary()["system_deficit"]
    # A place file that does not parse is refused before anything is written.
    (tmp_path / "bad.toml").write_text("[system\n")
    bad_out = tmp_path / "bad_out"
    assert main(["run", str(exp), "--place-file", "bad.toml", "--out", str(bad_out)]) == 2
    assert not bad_out.exists()
