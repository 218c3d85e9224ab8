"""`commons list`: what a user can set, with defaults, ranges, sources and priors."""

from __future__ import annotations


def command(args) -> int:
    """`commons list`: presets, principles, parameters with their priors, shipped experiments."""
    from sim.core.params import PARAMETERS, SCENARIO_DEFAULTS
    from sim.core.priors_table import PRIOR_INDEX, PRIORS
    from sim.core.rules import PRESETS, PRINCIPLES
    from sim.experiment.spec import load_experiment, shipped_experiments

    if args.priors:
        print("Priors of the uncertain parameters (name, distribution: source):")
        for p in PRIORS:
            print(f"  {p.name:26s} {p.describe()}: {p.source}")
        return 0
    print("Rule-set presets:")
    for name, rs in PRESETS.items():
        on = [p for p, v in rs.principles_on().items() if v]
        print(f"  {name:22s} principles on: {', '.join(on) if on else 'none'}")
    print("\nDesign principles (ablate with without = [...] or an [ablation] table):")
    for name, spec in PRINCIPLES.items():
        print(f"  {name:24s} levers: {', '.join(spec['levers'])}")
        print(f"  {'':24s} {spec['explain']}")
    print("\nScenario parameters (name, default, allowed, scenarios: description):")
    for p in PARAMETERS:
        extra = {s: d[p.name] for s, d in SCENARIO_DEFAULTS.items() if p.name in d}
        default = f"{p.default:g}" + (
            " (" + ", ".join(f"{s}: {v:g}" for s, v in extra.items()) + ")" if extra else ""
        )
        print(f"  {p.name:24s} {default:14s} {p.allowed():26s} {','.join(p.scenarios)}: {p.doc}")
        print(f"  {'':24s} source: {p.source}")
        if p.name in PRIOR_INDEX:
            prior = PRIORS[PRIOR_INDEX[p.name]]
            print(f"  {'':24s} prior: {prior.describe()} ({prior.source})")
    print("\nShipped experiments:")
    for path in shipped_experiments():
        try:
            exp = load_experiment(path)
            print(f"  {path.name:34s} {exp.n_runs:>8d} runs  {exp.description.strip()[:70]}")
        except Exception as exc:  # listing must not fail on one bad file
            print(f"  {path.name:34s} INVALID: {exc}")
    return 0
