"""The results view's per-session choices (which year the cards show, which outcome, the first
financial year), kept apart from its components so the scenario snapshot can read and set them."""

from __future__ import annotations

import solara


class ResultsState:
    """The results view's own per-session choices (`solara.reactive`, one value per session).

    Attributes:
        year: The year the cards show (0: the last year of the runs).
        outcome: The outcome of the time to benefit and of P(B better).
        start_year: The calendar year whose April starts year 1 (0: none; years are then
            numbered 1, 2, ...), so years read as financial years, e.g. 2025/26.
    """

    def __init__(self, start_year=None):
        self.year = solara.reactive(0)
        self.outcome = solara.reactive("population_health")
        # the comparison's own (`ComparisonState.start_year`): its plots read it too
        self.start_year = start_year if start_year is not None else solara.reactive(0)


def results_state(state) -> ResultsState:
    """The `ResultsState` of a comparison, made on first use (kept on the state object)."""
    found = getattr(state, "results_view", None)
    if found is None:
        found = ResultsState(getattr(state, "start_year", None))
        state.results_view = found
    return found


__all__ = ["ResultsState", "results_state"]
