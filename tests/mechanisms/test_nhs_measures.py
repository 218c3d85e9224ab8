"""The NHS mechanisms' own measures (ODD 6; sim/core/measures_nhs.py): counts of providers by
oversight segment, entries into special measures, delayed discharges, capital invested and the
efficiency factor's payback, on a state set by hand and on a history written by hand; and, in a
run, each month's measures against the state they were read from."""

from __future__ import annotations

import numpy as np
import pytest

from sim import CareSystem
from sim.core.constants import MEASURES, N_MEASURES, N_SUMMARIES, M, S
from sim.core.jit import as_python
from sim.core.measures_nhs import measure_nhs, summarize_nhs


def test_the_months_nhs_measures_read_the_state(tiny_world):
    model = tiny_world(mental_health_per_place=1)
    w = model.world
    w.segment[:] = (3.0, 4.0, 1.0)
    w.special_spells[:] = (0.0, 2.0, 1.0)
    w.invested[:] = (1.5, 0.0, 2.0)
    w.efficiency_paid[:] = (0.25, 0.5, 0.0)
    w.delayed[0] = 3.0
    out = np.zeros(N_MEASURES)
    as_python(measure_nhs)(w, out)
    # Segments 3 and 4 are in support, only 4 in special measures; entries 0 + 2 + 1; the money
    # summed over providers, the beds over places.
    assert out[M["providers_in_support"]] == 2.0
    assert out[M["providers_in_special_measures"]] == 1.0
    assert out[M["special_measures_entries"]] == 3.0
    assert out[M["delayed_discharges"]] == 3.0
    assert out[M["capital_invested"]] == pytest.approx(3.5, rel=1e-15)
    assert out[M["efficiency_paid_back"]] == pytest.approx(0.75, rel=1e-15)


def test_the_nhs_summaries_average_the_last_year_and_count_money_a_year():
    history = np.zeros((24, len(MEASURES)))
    history[:12, M["providers_in_support"]] = 5.0  # year 1: not in the summary
    history[12:18, M["providers_in_support"]] = 1.0
    history[18:, M["providers_in_support"]] = 3.0
    history[12:, M["providers_in_special_measures"]] = 1.0
    history[:, M["special_measures_entries"]] = np.repeat([1.0, 4.0], 12)
    history[12:, M["delayed_discharges"]] = 0.5
    history[:, M["capital_invested"]] = 1.0
    history[:12, M["efficiency_paid_back"]] = 0.1
    out = np.zeros(N_SUMMARIES)
    as_python(summarize_nhs)(history, out)
    # (6 x 1 + 6 x 3) / 12 = 2; entries at the end, 4; capital 24 over two years, 12 a year;
    # payback 1.2 over two years, 0.6 a year.
    assert out[S["providers_in_support"]] == pytest.approx(2.0, rel=1e-15)
    assert out[S["providers_in_special_measures"]] == pytest.approx(1.0, rel=1e-15)
    assert out[S["special_measures_entries"]] == 4.0
    assert out[S["delayed_discharges"]] == pytest.approx(0.5, rel=1e-15)
    assert out[S["capital_invested_per_year"]] == pytest.approx(12.0, rel=1e-15)
    assert out[S["efficiency_paid_back_per_year"]] == pytest.approx(0.6, rel=1e-12)


def test_a_run_reports_its_own_segments_and_money_each_month():
    # Fortress under a cut of 3% a year: providers run into deficit and the regulator steps in.
    model = CareSystem(rules="fortress", seed=3, budget_growth=-0.03)
    w = model.world
    rows = []
    for _ in range(48):
        model.step()
        rows.append(
            (
                float(np.sum(w.segment >= 3.0)),
                float(np.sum(w.segment >= 4.0)),
                float(np.sum(w.special_spells)),
                float(np.sum(w.delayed)),
                float(np.sum(w.invested)),
                float(np.sum(w.efficiency_paid)),
            )
        )
    # The six NHS measures, in the order of the state read above.
    names = MEASURES[MEASURES.index("providers_in_support") :]
    assert len(names) == 6
    got = model.history[:, [M[name] for name in names]]
    np.testing.assert_allclose(got, np.array(rows), rtol=1e-12, atol=0.0)
    # The run is one where the measures have something to show.
    assert got[:, 0].max() > 0.0
    assert got[:, 3].max() > 0.0
    assert got[:, 4].max() > 0.0
    s = model.summary()
    assert s["special_measures_entries"] == got[-1, 2]
    assert s["capital_invested_per_year"] == pytest.approx(got[:, 4].sum() / 4.0, rel=1e-12)
