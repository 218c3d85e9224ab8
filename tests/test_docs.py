"""The documents describe the code that is there."""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import odd_tables  # noqa: E402

from sim.core.jit import SOURCE_HASH  # noqa: E402
from sim.core.rules import PRINCIPLES  # noqa: E402
from sim.core.submodels import PHASES  # noqa: E402


def _odd() -> str:
    return (ROOT / "docs" / "ODD.md").read_text()


def test_odd_tables_match_the_code():
    text = _odd()
    for table in (
        odd_tables.parameter_table(),
        odd_tables.prior_table(),
        odd_tables.preset_table(),
        odd_tables.principle_table(),
    ):
        assert table in text, "docs/ODD.md is out of date: run python scripts/odd_tables.py"


def test_odd_schedule_lists_every_phase_in_order():
    text = _odd()
    positions = [text.index(f"| `{name}` |") for name in (phase.name for phase in PHASES)]
    assert positions == sorted(positions)


def test_every_principle_is_in_the_rules_docstring():
    import sim.core.rules

    for spec in PRINCIPLES.values():
        for lever in spec["levers"]:
            assert lever in sim.core.rules.__doc__


def test_every_parameter_has_a_source_whose_references_exist():
    import re

    from sim.core.params import PARAMETERS

    references = (ROOT / "docs" / "references.md").read_text()
    keys = set(re.findall(r"^- \[([A-Za-z0-9-]+)\]", references, flags=re.M))
    for p in PARAMETERS:
        assert p.source.strip(), f"{p.name} has no source or reasoning"
        for cited in re.findall(r"\[([A-Za-z]+[A-Za-z0-9-]*\d[A-Za-z0-9-]*)", p.source):
            for key in re.split(r",\s*", cited):
                assert key in keys, f"{p.name} cites [{key}], not in docs/references.md"


def test_the_reports_sources_of_spread_are_odd_7_15s():
    """The report quotes the shares of between-run variance that scripts/replicate_spread.py
    printed into docs/ODD.md 7.15: each share it quotes is in that section's table."""
    import re

    from sim.experiment.report_outcomes import SOURCES

    section = _odd().split("### 7.15")[1].split("### 7.16")[0]
    quoted = re.findall(r"\d+\.\d%", SOURCES)
    assert len(quoted) >= 10
    for share in quoted:
        assert f"| {share} |" in section, share


@pytest.mark.parametrize(
    "name",
    ["principles.md", "crossover.md", "validation.md", "discovery.md", "validation_figures.md"],
)
def test_generated_figures_name_the_models_source_hash(name):
    """Figures generated from the model say which model made them; a change to any compiled
    source changes the hash, so figures left stale by it fail here (docs/validation.md, "How to
    regenerate", lists each command)."""
    text = (ROOT / "docs" / name).read_text()
    hashes = set(re.findall(r"source hash ([0-9a-f]{16})", text))
    assert hashes == {SOURCE_HASH}, (
        f"docs/{name} names model source hash {sorted(hashes)}, the code's is {SOURCE_HASH}: "
        "regenerate its figures (docs/validation.md, 'How to regenerate')"
    )


def test_the_odds_speed_of_trust_figures_are_the_models():
    """ODD 7.14 quotes the month the mean path over seeds 1-10 passes 0.5 after the switch and how
    many times as fast trust in a defector falls as it rises (seeds 1-5), as
    scripts/doc_figures.py computes them: a change to the model that moves either shows here."""
    import numpy as np
    import speed_of_trust as sot

    section = _odd().split("### 7.14")[1].split("### 7.15")[0]
    paths = [sot.switch_path(seed) for seed in range(1, 11)]
    month = sot.months_to_pass(np.mean(paths, axis=0))
    assert f"passes it at month {month}" in " ".join(section.split())
    falls = [sot.fall_and_rise(sot.defection(seed))[:2] for seed in range(1, 6)]
    ratio = np.mean([f for f, _ in falls]) / np.mean([r for _, r in falls])
    assert f"({ratio:.2f} times:" in section


def test_the_full_example_experiment_validates(tmp_path, capsys):
    """docs/experiments.md's "A full example" is an experiment `commons validate` accepts (it once
    asked for a crossover over a two-parameter grid, and a fan chart of a series it did not keep)."""
    from sim.commands import main

    text = (ROOT / "docs" / "experiments.md").read_text()
    example = text.split("## A full example")[1].split("```toml\n")[1].split("```")[0]
    path = tmp_path / "full_example.toml"
    path.write_text(example)
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err


def test_the_shipped_experiments_table_gives_each_files_runs():
    """docs/experiments.md's table of shipped experiments lists every one, with its runs as
    `commons validate` counts them (a row once said 8,960 for a file of 17,920)."""
    from sim.experiment.shipped import shipped_experiments
    from sim.experiment.spec import load_experiment

    text = (ROOT / "docs" / "experiments.md").read_text()
    table = text.split("## Shipped experiments")[1].split("\n\n")[1]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = int(cells[-1].replace(",", ""))
    shipped = {path.name: load_experiment(path).n_runs for path in shipped_experiments()}
    assert rows == shipped
