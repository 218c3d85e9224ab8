"""Scenario files: every setting of the NHS comparison saved to a file and loaded back.

The file is JSON (written by the app) or TOML (the same keys, for a file written by hand), with
the layout of `Snapshot.to_dict` (docs/app.md, "Scenario files"); a user's own place file travels
inside it, so a colleague loading it gets the same runs. Every problem is one `ScenarioError`
line naming the key.
"""

from __future__ import annotations

import json
import tomllib

from sim.app.snapshot import ScenarioError, Snapshot

MAX_BYTES = 2_000_000  # a scenario with a place file of 500 organisations is far smaller


def dumps(snapshot: Snapshot) -> str:
    """The scenario file's text (JSON, keys in the page's order)."""
    return json.dumps(snapshot.to_dict(), indent=2) + "\n"


def loads(data: bytes | str, where: str = "scenario file") -> Snapshot:
    """A checked `Snapshot` from a scenario file's bytes or text (JSON or TOML)."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise ScenarioError(f"{where}: {len(data)} bytes; allowed: up to {MAX_BYTES} bytes")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                f"{where}: byte {exc.start} is not UTF-8; allowed: UTF-8 text"
            ) from None
    text = data.removeprefix("\ufeff")
    if text.lstrip().startswith("{"):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                f"{where}: line {exc.lineno}: malformed JSON ({exc.msg}); allowed: JSON or TOML"
            ) from None
    else:
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{where}: malformed TOML ({exc}); allowed: JSON or TOML") from None
    return Snapshot.from_dict(raw, where)


def filename(snapshot: Snapshot) -> str:
    """A file name saying what the scenario compares."""
    sc = snapshot.scenario
    a, b = snapshot.presets["left"], snapshot.presets["right"]
    return f"care-commons-scenario-{a}-vs-{b}-seed{sc.seed}.json"
