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


def test_solara_viz_renders_a_plot_of_the_model():
    """Mesa's SolaraViz takes the model as it is: the page holds this model and its parameters,
    and rendering it draws one chart per component from the model's DataCollector."""
    import solara
    from mesa.visualization import SolaraViz, make_plot_component
    from solara.widgets import GridLayout

    model = CareSystem(rules="fortress", seed=1).run_for(3)
    model_params = {"rules": "fortress", "seed": 1}
    components = [
        make_plot_component("population_health"),
        make_plot_component("system_deficit"),
    ]
    page = SolaraViz(model, components=components, model_params=model_params, name="care-commons")
    assert page.args[0] is model
    assert page.kwargs["model_params"] == model_params
    assert page.kwargs["name"] == "care-commons"

    _, rendered = solara.render(page, handle_error=False)
    grids = rendered.find(GridLayout).widgets
    assert len(grids) == 1
    charts = grids[0].items
    assert len(charts) == len(components)
    for chart in charts:
        # Each component is a matplotlib figure of the model's series, sent as a PNG.
        assert bytes(chart.value[:8]) == b"\x89PNG\r\n\x1a\n"
        assert len(chart.value) > 1000
