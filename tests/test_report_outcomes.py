"""The report's readable outcomes: money a year, patients, admissions, the comparison at equal
spend, the trade-offs and the spread between replicates, checked on runs made up by hand and
recomputed from the Parquet files of a real experiment."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.analysis.stats import between_run_spread
from sim.commands import main
from sim.core.constants import SUMMARIES
from sim.experiment.outcomes import LOWER_IS_BETTER, NEITHER, direction
from sim.experiment.report_outcomes import (
    MONEY,
    NEEDED,
    NHS,
    READABLE,
    SPREAD,
    readable_section,
)


def _section(frame: pd.DataFrame, tmp_path, reference="fortress", months=120) -> str:
    names = list(dict.fromkeys(frame["rules"]))
    exp = SimpleNamespace(rule_names=names, reference=reference, months=months)
    out: list[str] = []
    readable_section(frame, exp, tmp_path, out.append)
    return "\n".join(out)


def _runs(rules: str, **columns) -> pd.DataFrame:
    """Four runs of one rule set: every needed summary 0 unless given (a value or four)."""
    frame = pd.DataFrame({name: np.zeros(4) for name in sorted(NEEDED)})
    for name, values in columns.items():
        frame[name] = np.broadcast_to(np.asarray(values, dtype=float), (4,))
    frame.insert(0, "replicate", range(4))
    frame.insert(0, "rules", rules)
    frame.insert(0, "point", 0)
    return frame


def _table(text: str, heading: str = "") -> list[list[str]]:
    """The rows (header left out) of the first table after '### heading' (of the text if none)."""
    block = text.split(f"### {heading}")[1] if heading else text
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[start + 2 : end]]


def _rows(text: str, heading: str = "") -> dict[str, list[str]]:
    """{first cell: other cells} of that table."""
    return {row[0]: row[1:] for row in _table(text, heading)}


def test_readable_outcomes_by_hand(tmp_path):
    # Fortress spends GBP 40,000m over ten years on an allocation of 39,000m and ends at health
    # 0.65; shared governance spends 38,000m and ends at 0.70: it spends 2,000m less and gains 5
    # points, so it dominates. A third rule set spends 1,000m more than fortress and gains 2
    # points: 500m a point; and 30 admissions averted at 1,000m: GBP 33.3m an admission.
    common = {"total_allocation": 39_000.0, "allocation_per_year": 3_900.0}
    frame = pd.concat(
        [
            _runs(
                "fortress",
                total_spend=40_000.0,
                spend_per_year=4_000.0,
                population_health=[0.6, 0.7, 0.65, 0.65],
                avoidable_admissions=1_000.0,
                total_need_met=39_500.0,
                system_deficit=900.0,
                new_unmet_need=0.06,
                waiting_patients_acute=2_000.0,
                avoidable_admission_rate=1_800.0,
                **common,
            ),
            _runs(
                "shared_governance",
                total_spend=38_000.0,
                spend_per_year=3_800.0,
                population_health=0.70,
                avoidable_admissions=900.0,
                total_need_met=38_800.0,
                system_deficit=400.0,
                new_unmet_need=0.05,
                waiting_patients_acute=7_000.0,
                avoidable_admission_rate=1_400.0,
                **common,
            ),
            _runs(
                "dear",
                total_spend=41_000.0,
                population_health=0.67,
                avoidable_admissions=970.0,
                **common,
            ),
        ]
    )
    text = _section(frame, tmp_path)
    readable = _rows(text)
    assert readable["allocation, GBP m a year"] == ["3,900", "3,900", "3,900"]
    assert readable["spend (care, running and takeover costs), GBP m a year"][:2] == [
        "4,000",
        "3,800",
    ]
    assert readable["population health index at the end"] == ["0.650", "0.700", "0.670"]
    assert readable["new need left unmet, last year"][:2] == ["6.0%", "5.0%"]
    eq = _rows(text, "At equal spend")
    # extra spend, share of the allocation, need met, points, admissions averted, deficit
    assert eq["shared_governance"][:6] == ["-2,000", "-5.1%", "-700", "+5.00", "100", "-500"]
    assert eq["shared_governance"][6:] == ["dominates: spends less and gains"] * 2
    assert eq["dear"][:5] == ["1,000", "2.6%", "-39,500", "+2.00", "30"]
    assert eq["dear"][6:] == [
        "500 GBP m per point gained",
        "33,333,333 GBP per admission averted",
    ]
    table = pd.read_csv(tmp_path / "equal_spend.csv").set_index("rules")
    assert table.at["dear", "gbp_per_admission_averted"] == pytest.approx(1e9 / 30)
    # The trade-off in words.
    assert (
        "Over 10 years shared_governance spends GBP 2,000m less (5.1% of the allocation) and "
        "meets GBP 700m less need; it ends with population health 5.0 points higher (about 400 "
        "fewer avoidable admissions a year per 100,000 people; 100 fewer over the run) and a "
        "deficit GBP 500m smaller. It leaves 5.0% of the last year's new need unmet against "
        "6.0%, and 7,000 patients waiting for hospital care against 2,000."
    ) in text
    assert "Keeping to an agreed share is rationing" in text
    assert "a presentation and not a calibration" in text
    # The spread: fortress health 0.6, 0.7, 0.65, 0.65: sd sqrt(0.005 / 3), CV sd / 0.65.
    spread = {(r[0], r[1]): r[2:] for r in _table(text, "How much replicates differ")}
    sd = math.sqrt(0.005 / 3)
    assert spread["population_health", "fortress"][:3] == ["0.65", f"{sd:.4g}", "6.3%"]
    assert spread["population_health", "shared_governance"][1:3] == ["0", "0.0%"]
    assert spread["provider_failures", "fortress"][2:] == ["n/a", "0 to 0"]
    assert spread["avoidable_admission_rate", "fortress"] == [
        "1,800",
        "0",
        "0.0%",
        "1,800 to 1,800",
    ]
    assert "scripts/replicate_spread.py" in text
    assert set(pd.read_csv(tmp_path / "spread.csv")["outcome"]) == set(SPREAD)


def test_one_rule_set_has_no_comparison_and_old_results_say_so(tmp_path):
    text = _section(_runs("fortress", population_health=0.7), tmp_path)
    assert "At equal spend" not in text
    assert "How much replicates differ" in text
    old = _runs("fortress").drop(columns=["waiting_patients", "spend_per_need_met"])
    text = _section(old, tmp_path)
    assert "Not available: these results have no spend_per_need_met, waiting_patients" in text


def test_the_nhs_measures_have_their_own_table_when_the_results_hold_them(tmp_path):
    nhs = {
        "providers_in_support": [2.0, 4.0, 3.0, 3.0],
        "providers_in_special_measures": 0.25,
        "special_measures_entries": 6.0,
        "delayed_discharges": 1.75,
        "capital_invested_per_year": 120.4,
        "efficiency_paid_back_per_year": 38.6,
    }
    frame = pd.concat(
        [
            _runs("fortress", **nhs),
            _runs("shared_governance", **{name: 0.0 for name in nhs}),
        ]
    )
    rows = _rows(_section(frame, tmp_path), "Oversight, delayed discharges and capital")
    assert rows["providers in mandated support or special measures, last year"] == ["3.0", "0.0"]
    assert rows["... of them in special measures"] == ["0.2", "0.0"]  # 0.25 shown to one place
    assert rows["entries into special measures over the run"] == ["6.0", "0.0"]
    assert rows["acute capacity taken by delayed discharges, GBP m a month"] == ["1.8", "0.0"]
    assert rows["capital invested in capacity, GBP m a year"] == ["120", "0"]
    assert rows["paid back to the pools by the tariff's efficiency factor, GBP m a year"] == [
        "39",
        "0",
    ]
    table = pd.read_csv(tmp_path / "nhs.csv").set_index("rules")
    assert table.at["fortress", "providers_in_support"] == 3.0
    # Results written before these measures keep the rest of the section, without this table.
    text = _section(frame.drop(columns=list(nhs)), tmp_path)
    assert "Oversight, delayed discharges and capital" not in text
    assert "### Where the money went" in text


def test_between_run_spread():
    s = between_run_spread([1.0, 2.0, 3.0, 4.0, 5.0], share=0.5)
    assert s["mean"] == 3.0
    assert s["sd"] == pytest.approx(math.sqrt(2.5))
    assert s["cv"] == pytest.approx(math.sqrt(2.5) / 3.0)
    assert (s["low"], s["high"]) == (2.0, 4.0)  # quantiles 0.25 and 0.75
    assert math.isnan(between_run_spread([0.0, 0.0])["cv"])
    assert math.isnan(between_run_spread([1.0])["sd"])


def test_every_readable_outcome_is_a_summary_read_one_way():
    shown = {name for name, _, _ in READABLE + MONEY + NHS} | set(SPREAD)
    assert shown <= set(SUMMARIES)
    assert not LOWER_IS_BETTER & set(NEITHER)
    for name in ("new_unmet_need", "waiting_patients", "avoidable_admission_rate"):
        assert direction(name) == "lower is better"
    assert direction("population_health") == "higher is better"
    assert direction("spend_per_year").startswith("a cost")
    assert direction("acute_deficit_share").startswith("neither")


EXPERIMENT = """
name = "readable"
scenario = "place_system"
rules = ["fortress", "shared_governance"]
replicates = 8
months = 24
seed = 11
[outputs]
series = false
[report]
reference = "fortress"
outcomes = ["population_health", "spend_per_year", "new_unmet_need"]
bootstrap = 200
"""


@pytest.mark.slow
def test_readable_outcomes_recomputed_from_parquet(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    out = tmp_path / "res"
    assert main(["run", str(path), "--out", str(out), "-q"]) == 0
    text = (out / "report.md").read_text()
    s = pd.read_parquet(out / "summaries.parquet")
    means = s.groupby("rules")[sorted(NEEDED)].mean()
    assert "### spend_per_year (a cost: weigh it against the outcomes)" in text
    readable = _rows(text.split("## The outcomes in readable units")[1])
    kinds = {"money": 0, "count": 0, "share": 1, "index": 3, "ratio": 3}
    for name, label, kind in READABLE:
        for rules, shown in zip(("fortress", "shared_governance"), readable[label], strict=True):
            value = means.at[rules, name]
            number = float(shown.rstrip("%").replace(",", ""))
            scale = 100.0 if kind == "share" else 1.0
            assert number == pytest.approx(scale * value, abs=0.51 * 10.0 ** -kinds[kind])
    eq = pd.read_csv(out / "tables" / "equal_spend.csv").iloc[0]
    f, g = means.loc["fortress"], means.loc["shared_governance"]
    assert eq["extra_spend"] == pytest.approx(g["total_spend"] - f["total_spend"])
    assert eq["extra_need_met"] == pytest.approx(g["total_need_met"] - f["total_need_met"])
    averted = f["avoidable_admissions"] - g["avoidable_admissions"]
    assert eq["admissions_averted"] == pytest.approx(averted)
    spread = pd.read_csv(out / "tables" / "spread.csv")
    for row in spread.itertuples():
        x = s[s["rules"] == row.rules][row.outcome].to_numpy()
        assert row.mean == pytest.approx(x.mean())
        assert row.sd == pytest.approx(x.std(ddof=1))
        assert row.low == pytest.approx(np.quantile(x, 0.05))
        assert row.high == pytest.approx(np.quantile(x, 0.95))
