"""The model works with Mesa's own tools unchanged."""

import mesa

from sim import CareSystem


def test_mesa_batch_run_returns_data():
    results = mesa.batch_run(
        CareSystem,
        parameters={"rules": ["fortress", "shared_governance"], "seed": [1, 2]},
        max_steps=6,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(results) > 0
    rules = {row["rules"] for row in results}
    assert rules == {"fortress", "shared_governance"}
    assert all(
        "population_health" in row and 0.0 <= row["population_health"] <= 1.0 for row in results
    )


def test_solara_viz_can_be_constructed():
    from mesa.visualization import SolaraViz, make_plot_component

    model = CareSystem(rules="fortress", seed=1)
    page = SolaraViz(
        model, components=[make_plot_component("population_health")], name="care-commons"
    )
    assert page is not None
