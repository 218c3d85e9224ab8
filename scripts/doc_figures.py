"""The one-off figures that docs/ODD.md and docs/validation.md quote beside the generated documents:
each section prints the figures of one passage, named by where they are quoted, on today's model.

The generated documents (validation_figures.md, principles.md, crossover.md, discovery.md) and the
scripts speed_of_trust.py, replicate_spread.py and votes.py print the rest (docs/validation.md, "How
to regenerate"). Means with 95% t intervals over the replicates where an interval is quoted.

Usage: PYTHONPATH=. .venv/bin/python scripts/doc_figures.py [SECTION ...]   (default: all; a few
seconds with a warm numba cache)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))

import speed_of_trust as sot

from sim import CareSystem, run_many
from sim.core.constants import ACUTE
from sim.core.rules import PRESETS
from sim.validation.laboratory import imposed_variant
from sim.validation.nhs import PRESSURE

FORTRESS, SHARED = PRESETS["fortress"], PRESETS["shared_governance"]


def ci(values) -> str:
    """'mean [low, high]', a 95% t interval."""
    x = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return f"{x.mean():.4g} [{x.mean() - half:.4g}, {x.mean() + half:.4g}]"


def means(frame, columns, by="rules") -> str:
    return (
        frame.groupby(by, sort=False)[list(columns)].mean().to_string(float_format="{:.4g}".format)
    )


def _each_grading(rules, replicates: int, seed: int, **options):
    """(trust_grading, run_many's frame) with trust binary (0) and graded (1), 120 months."""
    for grading in (0.0, 1.0):
        frame = run_many(
            rules, replicates=replicates, months=120, seed=seed, trust_grading=grading, **options
        )
        yield grading, frame


def switch_paths() -> None:
    """ODD 7.14 and validation.md (speed of trust): the mean path over seeds 1-10 after a switch
    from fortress to shared governance at month 60, and each seed's month."""
    paths = [sot.switch_path(seed) for seed in range(1, 11)]
    each = [sot.months_to_pass(path) for path in paths]
    ranked = sorted(61 if m is None else m for m in each)  # never within 60: counted last
    print("mean path over seeds 1-10 passes 0.5 at month", sot.months_to_pass(np.mean(paths, 0)))
    print("each seed (1-10):", each, "; median, never counted last:", np.median(ranked))


def defection() -> None:
    """ODD 7.14: partners' trust in a defecting acute trust, seeds 1-5: fall, rise and ratio."""
    falls = [sot.fall_and_rise(sot.defection(seed))[:2] for seed in range(1, 6)]
    fall = np.mean([f for f, _ in falls])
    rise = np.mean([r for _, r in falls])
    print(f"fall {fall:.4f} a month, rise {rise:.4f}: {fall / rise:.2f} times")
    print("each seed (fall, rise):", [(round(float(f), 4), round(float(r), 4)) for f, r in falls])


def graded_trust() -> None:
    """ODD 7.14 (graded trust): shared governance's mean trust and fines beside the success
    regime's, with trust binary (g = 0) and graded (g = 1); 200 replicates."""
    for grading, frame in _each_grading(["shared_governance", "success_regime"], 200, seed=1):
        print(f"trust_grading {grading:g} (200 replicates, seed 1):")
        print(means(frame, ["fines", "sanctions", "mean_trust", "system_deficit"]))


def imposed_rules() -> None:
    """validation.md (imposed against chosen rules): in the commons game (40 replicates, the
    test's), and under a 5% a year cut (the test's 40 replicates at seed 11, with membership by
    trust and with join_trust 0; then 200 replicates at seed 1, with intervals and failures)."""
    lab = run_many(
        [SHARED, imposed_variant()], scenario="classroom_commons", replicates=40, months=40
    )
    print("commons game:", means(lab, ["fines", "mean_cooperation"]), sep="\n")
    for join in (None, 0.0):
        extra = {} if join is None else {"join_trust": join}
        frame = run_many(
            [SHARED, imposed_variant()], replicates=40, months=120, seed=11, **PRESSURE, **extra
        )
        print(f"5% cut, 40 replicates, seed 11, join_trust {join}:")
        print(means(frame, ["fines", "mean_cooperation"]))
    frame = run_many([SHARED, imposed_variant()], replicates=200, months=120, seed=1, **PRESSURE)
    columns = ["sanctions", "fines", "cooperation_start", "mean_cooperation", "mean_trust"]
    columns += ["system_deficit", "population_health", "provider_failures"]
    print("5% cut, 200 replicates, seed 1:")
    for rules, group in frame.groupby("rules", sort=False):
        print(" ", rules, "; ".join(f"{c} {ci(group[c])}" for c in columns))


def failures_under_cuts() -> None:
    """validation.md ("Why shared governance fails fewer providers"): 40 replicates, seed 3, a
    real cut of 4% a year."""
    rule_sets = [
        FORTRESS,
        SHARED,
        FORTRESS.with_levers(name="fortress, capitated", funding_model="capitated"),
        FORTRESS.with_levers(
            name="fortress, whole-system regulation and autonomy",
            whole_system_regulation=1.0,
            local_autonomy=1.0,
        ),
        SHARED.without("pooled_funding"),
        SHARED.without("single_measures"),
        SHARED.without("single_measures")
        .without("right_to_organise")
        .without("nested_enterprises"),
    ]
    frame = run_many(rule_sets, replicates=40, months=120, seed=3, budget_growth=-0.04)
    print(means(frame, ["provider_failures", "provider_deficit", "system_deficit"]))


def graded_under_cuts() -> None:
    """validation.md (graded trust under cuts): fortress and shared governance at -4% and -2% a
    year, trust binary and graded; 40 replicates, seed 3."""
    points = [{"budget_growth": g} for g in (-0.04, -0.02)]
    for grading, frame in _each_grading(["fortress", "shared_governance"], 40, 3, points=points):
        print(f"trust_grading {grading:g}:")
        columns = ["mean_trust", "population_health", "system_deficit", "provider_failures"]
        print(means(frame, columns, by=["point", "rules"]))


def nhs_counts() -> None:
    """ODD 7.24 (what the NHS mechanisms change): waiting lists in patients at month 120,
    the share of provider-months in special measures and spells a run (50 runs, seed 0); ODD 7.18 and
    7.24: the share of acute capacity delayed discharges take (seeds 1-10, 120 months)."""
    frame, series = run_many(
        ["fortress", "shared_governance"], replicates=50, months=120, seed=0, series=True
    )
    providers = len(CareSystem(seed=0).trusts)
    frame["special_measures_share"] = (
        series.groupby(["rules", "replicate"], sort=False)["providers_in_special_measures"]
        .mean()
        .to_numpy()
        / providers
    )
    columns = ["waiting_patients", "waiting_patients_acute", "special_measures_entries"]
    print(means(frame, [*columns, "special_measures_share"]))
    for rules in ("fortress", "shared_governance"):
        shares = []
        for seed in range(1, 11):
            model = CareSystem(rules=rules, seed=seed)
            w = model.world
            acute = w.con_kind == ACUTE
            for _ in range(120):
                model.step()
                shares.append(w.delayed.sum() / w.capacity[acute].sum())
        print(
            f"{rules}: delayed discharges take {np.mean(shares):.2%} of acute capacity (10 seeds)"
        )


def _beside_fortress(rules, growth: float, **params):
    """Fortress and `rules`, 20 replicates of 120 months at the principle-effects seed and
    `budget_growth` `growth`, running costs at 0 (as tests/test_principles_work.py measures)."""
    from sim.analysis.principles import SEED, running_costs_off

    return run_many(
        [FORTRESS, rules],
        replicates=20,
        months=120,
        seed=SEED,
        budget_growth=growth,
        **running_costs_off(),
        **params,
    )


def sanctions_alone() -> None:
    """ODD 7.26 (sanctions without an agreement): fortress and fortress with graduated sanctions
    (the regulator's control totals), 20 replicates at the principle-effects seed, running costs
    at 0, at -2% and 0% a year, with resentment at its default and at 0."""
    regulated = FORTRESS.with_levers(
        name="fortress+graduated_sanctions", sanction_severity=0.6, graduated_sanctions=True
    )
    columns = ("mean_cooperation", "provider_failures", "system_deficit", "breaches_detected")
    for resentment in (0.15, 0.0):
        for growth in (-0.02, 0.0):
            frame = _beside_fortress(regulated, growth, resentment=resentment)
            print(f"resentment {resentment}, budget growth {growth:+g}:")
            print(means(frame, columns))


def agreement_alone() -> None:
    """ODD 7.18 and 7.26 (the three parts of an agreement on their own): fortress against fortress
    with agreed shares (a plan with the commissioner) at -2% and 0% a year, against fortress with
    collective choice (a fair share chosen openly) at 0% and +4%, and against fortress with the
    partners (planning discharges with social care) at -2%, 0% and +2%, 20 replicates at the
    principle-effects seed, running costs at 0; paired differences with 95% t intervals."""
    discharge = ("delayed_discharges", "acute_demand_vs_trend", "system_deficit")
    cases = (
        ("agreed_shares", (-0.02, 0.0), ("acute_demand_vs_trend", "acute_deficit_share")),
        ("collective_choice", (0.0, 0.04), ("mean_trust", "mean_cooperation")),
        ("partnership_breadth", (-0.02, 0.0, 0.02), (*discharge, "provider_failures")),
    )
    for lever, growths, columns in cases:
        alone = FORTRESS.with_levers(name=f"fortress+{lever}", **{lever: getattr(SHARED, lever)})
        for growth in growths:
            frame = _beside_fortress(alone, growth)
            print(f"{alone.name}, budget growth {growth:+g}:")
            print(means(frame, columns))
            for column in columns:
                base = frame[frame["rules"] == "fortress"][column].to_numpy()
                other = frame[frame["rules"] == alone.name][column].to_numpy()
                print(f"  {column}: difference {ci(other - base)}")


def talk() -> None:
    """ODD 7.26 (talk, the alternative rule for partners, not adopted): the presets with
    `partner_talk` at its default 0 and at 0.5, 40 replicates of 120 months (seed 11), at the
    default pressure and at -2% a year."""
    presets = [
        "fortress",
        "partnership_board",
        "success_regime",
        "shared_governance",
        "canterbury_alliance",
    ]
    columns = (
        "cooperation_start",
        "mean_cooperation",
        "mean_trust",
        "system_deficit",
        "provider_failures",
        "fines",
    )
    for growth in (None, -0.02):
        pressure = {} if growth is None else {"budget_growth": growth}
        for value in (0.0, 0.5):
            frame = run_many(
                presets, replicates=40, months=120, seed=11, partner_talk=value, **pressure
            )
            print(f"budget growth {'default' if growth is None else growth}, partner_talk {value}:")
            print(means(frame, columns))


SECTIONS = {
    "switch_paths": switch_paths,
    "defection": defection,
    "graded_trust": graded_trust,
    "imposed_rules": imposed_rules,
    "failures_under_cuts": failures_under_cuts,
    "graded_under_cuts": graded_under_cuts,
    "nhs_counts": nhs_counts,
    "sanctions_alone": sanctions_alone,
    "agreement_alone": agreement_alone,
    "talk": talk,
}


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in SECTIONS]
    if unknown:
        print(f"unknown section {unknown[0]!r}; valid: {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    for name in argv or SECTIONS:
        print(f"== {name}: {SECTIONS[name].__doc__.split(':')[0].strip()}")
        SECTIONS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
