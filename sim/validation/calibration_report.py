"""The files of a calibration: calibration.md, fitted-against-published figures, the trials table
(Parquet and CSV) and the priors block, written as one set (`sim.experiment.file_set.
write_file_set`): an earlier calibration in the folder is replaced whole or not at all, and
`calibration.sha256`, written last, lists the set's files with their sha256."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.discovery_figure import png_bytes
from sim.analysis.tables import md_table
from sim.experiment.file_set import write_file_set
from sim.experiment.store import parquet_bytes
from sim.validation.calibration import CalibrationResult
from sim.validation.calibration_targets import NOT_REPRESENTED

FILES = ("calibration.md", "trials.parquet", "trials.csv", "priors.toml", "fitted.csv")
FIGURES = ("fitted_vs_published.png", "provider_finances.png", "trials.png")
MANIFEST = "calibration.sha256"  # the complete set's files and their sha256 (`sha256sum -c`)


def write_calibration(
    result: CalibrationResult, out: Path, command: str = "", check=None
) -> list[Path]:
    """Write every file of `result` into the folder `out` (created if missing), replacing an
    earlier calibration's files as one set; `check()` is called just before they are replaced
    (raising there keeps the earlier set).

    Returns:
        The paths written.
    """
    out = Path(out)
    files = {
        "trials.parquet": parquet_bytes(result.trials),
        "trials.csv": result.trials.to_csv(index=False).encode("utf-8"),
        "fitted.csv": result.fitted.to_csv(index=False).encode("utf-8"),
        "priors.toml": result.to_toml().encode("utf-8"),
    }
    files |= {f"figures/{name}": png_bytes(fig) for name, fig in _figures(result).items()}
    files["calibration.md"] = report_text(result, command).encode("utf-8")  # the report last
    write_file_set(out, files, MANIFEST, check=check)
    return [out / name for name in files]


def _fmt(x: float) -> str:
    return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def fitted_table(result: CalibrationResult, role: str) -> str:
    """Markdown table of the published and model figures of one role (fit or check)."""
    rows = result.fitted[result.fitted["role"] == role]
    table = pd.DataFrame(
        {
            "target": rows["target"],
            "what": rows["label"],
            "year(s)": rows["years"],
            "published": [
                f"{_fmt(v)} {u}" for v, u in zip(rows["published"], rows["unit"], strict=True)
            ],
            "model": [_fmt(v) for v in rows["model"]],
            "tolerance": [_fmt(v) for v in rows["tolerance"]],
            "z": [f"{v:+.2f}" for v in rows["z"]],
        }
    )
    return md_table(table.columns, table.itertuples(index=False)) if len(table) else "(none)"


def report_text(result: CalibrationResult, command: str = "") -> str:
    """calibration.md: method, targets with sources, fitted against published in and out of
    sample, the fitted set with its uncertainty and the priors block."""
    unc = result.uncertainty.copy()
    for col in ("low", "high", "best", "min", "q05", "median", "q95", "max"):
        unc[col] = unc[col].map(lambda v: f"{v:.4g}")
    sources = "\n".join(
        f"- `{t.name}` ({t.status}): {t.label}. {t.source}. Model: {t.mapping}."
        for t in (*result.fit_on, *result.check_on)
    )
    lines = [
        "# Calibration",
        "",
        f"Command: `{command}`" if command else "",
        "",
        "## Method",
        "",
        _method(result),
        "",
        "## Targets and sources",
        "",
        sources,
        "",
        "Not represented: " + " ".join(NOT_REPRESENTED),
        "",
        f"## Fitted (in sample): loss {result.best_loss:.3g}",
        "",
        fitted_table(result, "fit"),
        "",
        "## Checked out of sample (not in the loss)",
        "",
        fitted_table(result, "check"),
        "",
        "![fitted against published](figures/fitted_vs_published.png)",
        "",
        "![providers' finances by year](figures/provider_finances.png)",
        "",
        "## The fitted set and its uncertainty",
        "",
        md_table(unc.columns, unc.itertuples(index=False)),
        "",
        "![loss of every trial against each parameter](figures/trials.png)",
        "",
        "## Priors for probabilistic runs",
        "",
        "```toml",
        result.to_toml().rstrip(),
        "```",
        "",
        "Files: `trials.parquet` and `trials.csv` (every trial with its loss and model figures), "
        "`fitted.csv`, `priors.toml`.",
        "",
    ]
    return "\n".join(lines)


def _method(result: CalibrationResult) -> str:
    """The method paragraph of calibration.md."""
    s = result.settings
    return (
        f"Parameters fitted: {', '.join(f'`{n}`' for n in result.parameters)}. Each trial runs "
        f"the default place world under `{s['rules']}` rules for {s['months']} months from "
        f"April 2010, {s['replicates']} replicates (run keys 0..{s['replicates'] - 1}, seed "
        f"{s['seed']}, the same in every trial), and scores the mean of the replicates on the "
        "fitted targets: loss = sum of ((model - published) / tolerance)^2. The sampler is "
        f"optuna's TPE, seeded with {s['seed']}, over {s['trials']} trials. Trials within "
        f"{s['threshold']:.2f} of the best loss (the chi-squared {s['level']:.0%} point for "
        f"{len(result.parameters)} parameters) are accepted; their spread is the uncertainty."
    )


def _figures(result: CalibrationResult) -> dict:
    """Fitted against published (standardised errors, in and out of sample), the providers'
    finances, and the loss of every trial against each parameter: {file name: figure}."""
    from matplotlib.figure import Figure

    fitted = result.fitted
    fig = Figure(figsize=(7, 0.45 * len(fitted) + 1.5))
    ax = fig.add_subplot()
    colours = ["tab:blue" if r == "fit" else "tab:orange" for r in fitted["role"]]
    y = range(len(fitted))
    ax.barh(list(y), fitted["z"], color=colours)
    ax.set_yticks(
        list(y), [f"{t} ({r})" for t, r in zip(fitted["target"], fitted["role"], strict=True)]
    )
    ax.axvspan(-1, 1, color="0.9", zorder=0)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("(model - published) / tolerance; grey: within the tolerance")
    ax.set_title("At the fitted set: fitted (blue), out of sample (orange)")
    ax.invert_yaxis()
    fig.tight_layout()
    figures = {FIGURES[0]: fig, FIGURES[1]: _finances_figure(result)}

    names = list(result.parameters)
    fig = Figure(figsize=(3.2 * len(names), 3))
    for i, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), i + 1)
        ax.scatter(result.trials[name], result.trials["loss"], s=8)
        ax.axvline(result.best[name], color="tab:red", lw=0.8)
        ax.set_yscale("log")
        ax.set_xlabel(name)
        if i == 0:
            ax.set_ylabel("loss")
    fig.tight_layout()
    figures[FIGURES[2]] = fig
    return figures


def _finances_figure(result: CalibrationResult):
    """The providers' (and acute trusts') surplus or deficit year by year at the fitted set,
    with every published money target of the calibration (filled: fitted; open: checked)."""
    from matplotlib.figure import Figure

    from sim.validation.calibration_targets import FIRST_YEAR

    best = result.trials.loc[result.trials["loss"].idxmin()]
    fig = Figure(figsize=(7, 3.6))
    ax = fig.add_subplot()
    for prefix, label, colour in (
        ("provider_net_y", "model: all providers", "tab:blue"),
        ("acute_net_y", "model: acute trusts", "tab:red"),
    ):
        cols = sorted(
            (c for c in best.index if c.startswith(prefix)), key=lambda c: int(c[len(prefix) :])
        )
        years = [FIRST_YEAR + int(c[len(prefix) :]) - 1 for c in cols]
        ax.plot(years, [best[c] for c in cols], color=colour, label=label)
    for t in (*result.fit_on, *result.check_on):
        if t.unit != "GBP bn":
            continue
        colour = "tab:red" if t.observable.startswith("acute") else "tab:blue"
        fitted = t in result.fit_on
        ax.plot(
            FIRST_YEAR + t.years[0] - 1,
            t.value,
            "o",
            color=colour,
            mfc=colour if fitted else "white",
        )
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("financial year starting")
    ax.set_ylabel("surplus (+) / deficit (-), GBP bn")
    ax.set_title("Published (dots; filled fitted, open checked) and the fitted model")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
