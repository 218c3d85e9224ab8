"""Teaching and validation: published laboratory and NHS figures, closed forms, and comparison tables.

This module adds no model logic; it gathers the public names of the validation layer, split by job:

* `sim.validation.published`: the published figures the model is checked against, as data, each
  with its source and status code (V verified, D derived, R recalled);
* `sim.validation.closed_forms`: the laboratory commons game's closed forms and an independent
  numerical solution (scipy);
* `sim.validation.intervals`: means with t confidence intervals at a chosen level;
* `sim.validation.laboratory`: the classroom commons and public goods games beside the
  published tables;
* `sim.validation.nhs`: the NHS stylised facts with their significance tests;
* `sim.validation.report`: the Markdown behind docs/validation.md;
* `sim.validation.scales`: run sizes for the notebooks.

Regenerate every number in ``docs/validation.md`` with::

    .venv/bin/python -m sim.validation.teaching --replicates 200 --out docs/validation_figures.md
"""

from __future__ import annotations

from sim.validation.closed_forms import (
    best_response,
    efficiency,
    group_return,
    is_nash,
    max_rent,
    nash_closed_form,
    numerical_nash,
    numerical_optimum,
    optimum_closed_form,
    player_payoff,
    rent,
)
from sim.validation.intervals import LEVEL, ci_table, ci_text, fmt_ci, mean_ci, series_ci
from sim.validation.laboratory import (
    band_check,
    classroom_runs,
    classroom_table,
    first_last_test,
    imposed_variant,
    imposed_vs_chosen_lab,
    public_goods_paths,
    public_goods_runs,
    theory_values,
)
from sim.validation.nhs import (
    ACUTE_SHARE_OF_ORGANISATIONS,
    PRESSURE,
    SUCCESS_VS_SHARED,
    Fact,
    facts_frame,
    implied_annual_growth,
    need_trend,
    nhs_facts,
    nhs_runs,
    success_vs_shared,
)
from sim.validation.published import (
    CPR_GAME,
    CPR_PUBLISHED,
    FEHR_GAECHTER,
    NHS_EMERGENCY_ADMISSIONS_GROWTH,
    NHS_FACTS,
    PRESET_ANALOGUE,
)
from sim.validation.report import main, report
from sim.validation.scales import SCALES, notebook_scale

__all__ = [
    "ACUTE_SHARE_OF_ORGANISATIONS",
    "CPR_GAME",
    "CPR_PUBLISHED",
    "FEHR_GAECHTER",
    "LEVEL",
    "NHS_EMERGENCY_ADMISSIONS_GROWTH",
    "NHS_FACTS",
    "PRESET_ANALOGUE",
    "PRESSURE",
    "SCALES",
    "SUCCESS_VS_SHARED",
    "Fact",
    "band_check",
    "best_response",
    "ci_table",
    "ci_text",
    "classroom_runs",
    "classroom_table",
    "efficiency",
    "facts_frame",
    "first_last_test",
    "fmt_ci",
    "group_return",
    "implied_annual_growth",
    "imposed_variant",
    "imposed_vs_chosen_lab",
    "is_nash",
    "main",
    "max_rent",
    "mean_ci",
    "nash_closed_form",
    "need_trend",
    "nhs_facts",
    "nhs_runs",
    "notebook_scale",
    "numerical_nash",
    "numerical_optimum",
    "optimum_closed_form",
    "player_payoff",
    "public_goods_paths",
    "public_goods_runs",
    "rent",
    "report",
    "series_ci",
    "success_vs_shared",
    "theory_values",
]

if __name__ == "__main__":
    main()
