"""The `[outputs]` and `[report]` tables of an experiment file (with `[report.crossover]`)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.constants import MEASURES, SUMMARIES
from sim.experiment.checker import Checker, ExperimentError, is_rereading
from sim.experiment.limits import MAX_COUNT
from sim.experiment.outcomes import DEFAULT_OUTCOMES, default_fan

OUTPUT_KEYS = {"series", "series_replicates", "series_measures"}
REPORT_KEYS = {"reference", "outcomes", "crossover", "bootstrap", "confidence", "fan_measures"}
CROSSOVER_KEYS = {"parameter", "outcomes", "treatment", "reference"}


@dataclass(frozen=True)
class Crossover:
    parameter: str
    outcomes: tuple[str, ...]
    treatment: str
    reference: str


def _parse_outputs(c: Checker, data: dict) -> dict[str, object]:
    """The `[outputs]` table: whether and which per-month series are kept."""
    outputs = c.table(data.get("outputs", {}), "outputs")
    c.keys(outputs, OUTPUT_KEYS, "outputs.")
    series_reps = None
    if "series_replicates" in outputs:
        series_reps = c.integer(
            outputs["series_replicates"], "outputs.series_replicates", 1, MAX_COUNT
        )
    return {
        "series": c.boolean(outputs.get("series", False), "outputs.series"),
        "series_replicates": series_reps,
        "series_measures": c.names(
            outputs.get("series_measures", list(MEASURES)), "outputs.series_measures", MEASURES
        ),
    }


def _parse_report(
    c: Checker, data: dict, scenario: str, rule_names: list[str], design: dict, outputs: dict
) -> dict[str, object]:
    """The `[report]` table: reference rule set, outcomes, statistics and the crossover."""
    report = c.table(data.get("report", {}), "report")
    c.keys(report, REPORT_KEYS, "report.")
    reference = c.string(report.get("reference", rule_names[0]), "report.reference", rule_names)
    measures = outputs["series_measures"]
    fan_default = [m for m in default_fan(scenario) if m in measures]
    # Accepted (and ignored) before it was checked: what ran is read as it was accepted.
    if "fan_measures" in report and not outputs["series"] and not is_rereading():
        c.fail(
            "report.fan_measures",
            report["fan_measures"],
            "fan charts of kept series only: set outputs.series = true, or leave it out",
        )
    crossover = None
    if "crossover" in report:
        crossover = _parse_crossover(c, report["crossover"], design, rule_names, reference)
    return {
        "reference": reference,
        "outcomes": c.names(
            report.get("outcomes", list(DEFAULT_OUTCOMES[scenario])), "report.outcomes", SUMMARIES
        ),
        "bootstrap": c.integer(report.get("bootstrap", 2000), "report.bootstrap", 100, 100_000),
        "confidence": c.number(report.get("confidence", 0.95), "report.confidence", 0.5, 0.999),
        "fan_measures": c.names(
            report.get("fan_measures", fan_default or [measures[0]]),
            "report.fan_measures",
            measures,
        ),
        "crossover": crossover,
    }


def _parse_crossover(
    c: Checker, raw: object, design: dict, rule_names: list[str], reference: str
) -> Crossover:
    table = c.table(raw, "report.crossover")
    c.keys(table, CROSSOVER_KEYS, "report.crossover.")
    swept = list(design.get("parameters", {}))
    if design["kind"] != "grid" or len(swept) != 1:
        c.fail(
            "report.crossover",
            table,
            "a crossover only with a grid design over exactly one parameter",
        )
    param = c.string(table.get("parameter", swept[0]), "report.crossover.parameter", swept)
    outcomes = c.names(
        table.get("outcomes", ["population_health"]), "report.crossover.outcomes", SUMMARIES
    )
    if "treatment" not in table:
        raise ExperimentError(
            f"{c.where}: report.crossover.treatment is missing; allowed: one of "
            f"{', '.join(rule_names)} (required)"
        )
    treatment = c.string(table["treatment"], "report.crossover.treatment", rule_names)
    ref = c.string(table.get("reference", reference), "report.crossover.reference", rule_names)
    if ref == treatment:
        c.fail("report.crossover.reference", ref, "a rule set other than the treatment")
    if len(design["parameters"][param]["values"]) < 2:
        c.fail(f"design.parameters.{param}", design["parameters"][param], "at least 2 values")
    return Crossover(param, outcomes, treatment, ref)
