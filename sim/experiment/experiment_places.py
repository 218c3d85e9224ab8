"""The `place_file` key of an experiment file: the user's own system (docs/place_files.md)."""

from __future__ import annotations

from pathlib import Path

from sim.core.params import ParameterError
from sim.engine.placefile import PlaceSystem, load_place_file, parse_place_file
from sim.engine.placemap import check_place_params
from sim.experiment.checker import Checker, ExperimentError


def parse_place_file_key(
    c: Checker, data: dict, scenario: str, design: dict, record: dict | None = None
) -> PlaceSystem | None:
    """The place file named by `place_file`, its path relative to the experiment file's folder;
    or, from a results manifest (`record`: its path and content), the file as it was run."""
    if "place_file" not in data:
        return None
    name = c.string(data["place_file"], "place_file")
    path = Path(c.where).parent / name if c.where != "<string>" else Path(name)
    swept = {key: "swept" for key in design.get("parameters", {})}
    try:
        if record is not None:
            system = parse_place_file(record["content"], record["path"])
        else:
            system = load_place_file(path)
        check_place_params(system, scenario, {**data.get("parameters", {}), **swept}, [])
    except ParameterError as exc:
        raise ExperimentError(f"{c.where}: place_file: {exc}") from None
    return system
