"""Behaviour at the speed of trust, measured on the kernel (docs/ODD.md, section 7.14).

Run `python scripts/speed_of_trust.py [SEEDS]` (default 200 seeds) to print:
- the between-seed spread (mean, standard deviation, coefficient of variation) of population health,
  system deficit and provider failures at month 120 under fortress and shared governance;
- the months mean cooperation takes to pass 0.5 after a switch from fortress to shared governance
  at month 60;
- how fast partners' trust in an acute trust falls while it defects and how fast it recovers;
- the same under graded trust (`trust_grading` 0.5 and 1, ODD 7.10);
- the switch over 200 draws of the priors, and the parameters it follows most.
tests/test_speed_of_trust.py asserts the targets on a few seeds with the same functions.
"""

from __future__ import annotations

import sys

import numpy as np

from sim.core.constants import ACUTE, N_MEASURES, PLACE_SYSTEM, M, S
from sim.core.init import build_world
from sim.core.params import PX, pack, validate
from sim.core.rules import PRESETS
from sim.core.state import as_ref
from sim.engine.kernel import advance, run_batch, step
from sim.model import CareSystem

SWITCH_MONTH = 60
OUTCOMES = ("population_health", "system_deficit", "provider_failures")


def vectors(rules: str, **params) -> tuple[np.ndarray, np.ndarray]:
    """The parameter and lever vectors of the place-based world."""
    return pack("place_system", validate("place_system", **params)), PRESETS[rules].vector()


def spreads(rules: str, seeds, n_steps: int = 120, **params) -> dict[str, dict[str, float]]:
    """Mean, sd and coefficient of variation over seeds of each outcome at the end of a run."""
    p, r = vectors(rules, **params)
    n = len(seeds)
    summaries, _ = run_batch(
        np.tile(p, (n, 1)),
        np.tile(r, (n, 1, 1)),  # one schedule step per run: fixed rules
        np.zeros((n, 1), dtype=np.int64),
        np.full(n, PLACE_SYSTEM, dtype=np.int64),
        np.asarray(seeds, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        n_steps,
        False,
        np.zeros(0),  # no place file: the generated world
    )
    out = {}
    for name in OUTCOMES:
        x = summaries[:, S[name]]
        mean, sd = float(x.mean()), float(x.std(ddof=1))
        out[name] = {
            "mean": mean,
            "sd": sd,
            "cv": sd / abs(mean) if mean else float("nan"),
            "min": float(x.min()),
            "max": float(x.max()),
        }
    return out


def switch_path(seed: int, months_after: int = 60, rules=None, **params) -> np.ndarray:
    """Mean cooperation month by month after fortress gives way to shared governance (or the
    `RuleSet` `rules`) at month 60 (the same world carried on under the new levers)."""
    shared = PRESETS["shared_governance"] if rules is None else rules
    schedule = [(0, "fortress"), (SWITCH_MONTH, shared)]  # a policy schedule (sim.core.schedule)
    model = CareSystem(rules=schedule, seed=seed, **params).run_for(SWITCH_MONTH + months_after)
    return model.history[SWITCH_MONTH:, M["mean_cooperation"]]


def months_to_pass(path: np.ndarray, level: float = 0.5) -> int | None:
    """First month (1 = the month after the switch) in which the path is above `level`."""
    above = np.flatnonzero(path > level)
    return int(above[0]) + 1 if above.size else None


def defection(seed: int, defect: int = 6, after: int = 48, rules=None, **params) -> np.ndarray:
    """Partners' mean trust in an acute trust, month by month: shared governance (or the
    `RuleSet` `rules`) for 60 months, then it defects (cooperation held at 0) for `defect` months,
    then it is free again. Element 0 is the trust before it defects. The defector is the acute
    trust of the place with the most need for its money (places differ, ODD 7.15): where money
    covers need, claiming all one can is no more than the agreed share, and no breach is seen."""
    p, r = vectors("shared_governance", **params)
    if rules is not None:
        r = rules.vector()
    world = build_world(p, r, PLACE_SYSTEM, seed, 0)
    w = as_ref(world)
    advance(w, p, r, SWITCH_MONTH, np.zeros((SWITCH_MONTH, N_MEASURES)), False)
    acute = np.flatnonzero(world.org_kind == ACUTE)
    pressure = world.need_index / world.alloc_index
    target = int(acute[np.argmax(pressure[world.org_place[acute]])])
    into = np.flatnonzero(world.edge_dst == target)
    path = [float(world.trust[into].mean())]
    month = np.zeros((1, N_MEASURES))
    for t in range(defect + after):
        if t < defect:
            world.cooperation[target] = 0.0
        advance(w, p, r, 1, month, False)
        path.append(float(world.trust[into].mean()))
    return np.array(path)


def fall_and_rise(path: np.ndarray) -> tuple[float, float, int, int | None]:
    """Mean monthly fall of trust from its level before the defection to its lowest point, mean
    monthly rise from there (back to the level before, or to the end of the path), the months to
    the lowest point and the months from there back to the level before (None: not back)."""
    low = int(np.argmin(path))
    fall = (path[0] - path[low]) / max(low, 1)
    after = path[low:]
    back = np.flatnonzero(after[1:] >= path[0])
    if back.size:
        months_back = int(back[0]) + 1
        return fall, (path[0] - path[low]) / months_back, low, months_back
    return fall, (after[-1] - after[0]) / max(len(after) - 1, 1), low, None


def main(n_seeds: int = 200) -> None:
    seeds = list(range(1, n_seeds + 1))
    print(f"Between-seed spread at month 120 over {n_seeds} seeds (default world):")
    for rules in ("fortress", "shared_governance"):
        for name, s in spreads(rules, seeds).items():
            print(
                f"  {rules:18s} {name:18s} mean {s['mean']:10.4f} sd {s['sd']:9.4f} "
                f"cv {s['cv']:8.4%} range [{s['min']:.4f}, {s['max']:.4f}]"
            )
    passes = [months_to_pass(switch_path(seed)) for seed in seeds[:50]]
    known = [m for m in passes if m is not None]
    print(
        f"Switch at month 60 (50 seeds): mean cooperation passes 0.5 after "
        f"{np.median(known) if known else float('nan'):.0f} months (median; range "
        f"{min(known) if known else '-'}-{max(known) if known else '-'}); "
        f"{passes.count(None)} never within 60 months"
    )
    rows = [fall_and_rise(defection(seed)) for seed in seeds[:50]]
    fall = np.mean([x[0] for x in rows])
    rise = np.mean([x[1] for x in rows])
    down = np.median([x[2] for x in rows])
    back = [x[3] for x in rows if x[3] is not None]
    print(
        f"Acute trust defecting for 6 months (50 seeds): partners' trust falls {fall:.4f} a "
        f"month for {down:.0f} months (median) and rises {rise:.4f} a month after; back to its "
        f"level after {np.median(back) if back else float('nan'):.0f} months (median), "
        f"{len(rows) - len(back)} of {len(rows)} not back within the 48 months after"
    )


def bang_bang(rules: str, seeds=range(1, 11), n_steps: int = 120, **params) -> dict[str, float]:
    """How often the payoff target sits at 0 or 1, how often cooperation is within 0.01 of a
    bound, its median and 99th-percentile monthly change, and the share of trust edges at 0.99 or
    more and at 0.01 or less at the end."""
    p, r = vectors(rules, **params)
    clamped, bound, moves, high, low, edges = [], [], [], 0, 0, 0
    for seed in seeds:
        world = build_world(p, r, PLACE_SYSTEM, seed, 0)
        w = as_ref(world)
        for _ in range(n_steps):
            before = world.cooperation.copy()
            step(w, p, r)
            target = before - p[PX.payoff_sensitivity] * world.incentive
            clamped.append((target <= 0.0) | (target >= 1.0))
            bound.append((world.cooperation <= 0.01) | (world.cooperation >= 0.99))
            moves.append(np.abs(world.cooperation - before))
        high += int(np.sum(world.trust >= 0.99))
        low += int(np.sum(world.trust <= 0.01))
        edges += world.trust.size
    change = np.concatenate(moves)
    return {
        "payoff target clamped": float(np.mean(clamped)),
        "cooperation at a bound": float(np.mean(bound)),
        "monthly change p50": float(np.quantile(change, 0.5)),
        "monthly change p99": float(np.quantile(change, 0.99)),
        "edges >= 0.99": high / edges,
        "edges <= 0.01": low / edges,
    }


def levers(n_seeds: int = 20) -> None:
    """What system leadership and conflict resolution do to the speed of trust."""
    shared = PRESETS["shared_governance"]
    for label, rules in (
        ("shared_governance", shared),
        ("without system_leadership", shared.without("system_leadership")),
        ("without conflict_resolution", shared.without("conflict_resolution")),
    ):
        seeds = range(1, n_seeds + 1)
        months = [months_to_pass(switch_path(seed, rules=rules)) for seed in seeds]
        known = [m for m in months if m is not None]
        rows = [fall_and_rise(defection(seed, rules=rules)) for seed in seeds]
        print(
            f"  {label:28s} switch: passes 0.5 after {np.median(known):.1f} months (median of "
            f"{len(known)}/{n_seeds}); defection: trust falls {np.mean([x[0] for x in rows]):.4f}"
            f" a month, rises {np.mean([x[1] for x in rows]):.4f} (means over {n_seeds} seeds)"
        )


def graded(n_seeds: int = 50) -> None:
    """The same measures under graded trust (`trust_grading`, ODD 7.10) at 0, 0.5 and 1: the
    switch over `n_seeds` seeds, the defection over 20, trust edges at the bounds over 10, and
    shared governance's outcomes over 200 replicates."""
    for g in (0.0, 0.5, 1.0):
        months = [months_to_pass(switch_path(s, trust_grading=g)) for s in range(1, n_seeds + 1)]
        known = [m for m in months if m is not None] or [float("nan")]
        rows = [fall_and_rise(defection(s, trust_grading=g)) for s in range(1, 21)]
        fall, rise = np.mean([x[0] for x in rows]), np.mean([x[1] for x in rows])
        print(
            f"  trust_grading {g:g}: switch passes 0.5 after {np.median(known):.1f} months "
            f"(median of {sum(m is not None for m in months)}/{n_seeds}; range "
            f"{min(known)}-{max(known)}; "
            f"{sum(m <= 12 for m in known)} within 12); defection: trust falls {fall:.4f} a "
            f"month, rises {rise:.4f} (faster fall in {sum(x[0] > x[1] for x in rows)}/20)"
        )
        for rules in ("fortress", "shared_governance"):
            shares = bang_bang(rules, trust_grading=g)
            out = spreads(rules, range(1, 201), trust_grading=g)
            print(
                f"    {rules:18s} edges >= 0.99 {shares['edges >= 0.99']:.2f}, <= 0.01 "
                f"{shares['edges <= 0.01']:.2f}; "
                + "; ".join(f"{k} {v['mean']:.4g}" for k, v in out.items())
            )


def over_priors(n_draws: int = 200, seed: int = 20250601) -> None:
    """The switch at draws of every prior (`sim.core.priors`, as the headline experiment draws
    them; draw j with seed j + 1): how often the target holds once the parameters are uncertain,
    and the parameters the months to pass 0.5 follow most (Spearman, a draw that never passes
    counted as 61 months)."""
    from scipy.stats import spearmanr

    from sim.core.params import parameter
    from sim.core.priors import draw, resolve

    values = draw(resolve("all"), seed, np.arange(n_draws))
    months = []
    for j in range(n_draws):
        # Whole numbers already where the parameter is an integer (the prior rounds its draws).
        params = {
            k: int(v[j]) if parameter(k).kind is int else float(v[j]) for k, v in values.items()
        }
        months.append(months_to_pass(switch_path(j + 1, **params)))
    y = np.array([61 if m is None else m for m in months], dtype=float)
    q1, median, q3 = np.percentile(y, [25, 50, 75])
    print(
        f"  {n_draws} draws: median {median:.0f} months (quartiles {q1:.0f}-{q3:.0f}, a draw that "
        f"never passes counted last); within 12 months in {int(np.sum(y <= 12))}, not within 60 "
        f"in {months.count(None)}"
    )
    rho = {k: spearmanr(v, y)[0] for k, v in values.items() if np.std(v) > 0}
    top = sorted(rho.items(), key=lambda kv: -abs(kv[1]))[:5]
    print("  follows most: " + ", ".join(f"{k} {r:+.2f}" for k, r in top))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
    print("Bang-bang (seeds 1-10, 120 months):")
    for rules in ("fortress", "shared_governance"):
        shares = bang_bang(rules)
        print(f"  {rules:18s} " + "; ".join(f"{k} {v:.3f}" for k, v in shares.items()))
    print("Levers (20 seeds):")
    levers(20)
    print("Graded trust (ODD 7.10):")
    graded(50)
    print("Over the priors (the switch):")
    over_priors(200)
