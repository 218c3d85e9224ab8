"""A shareable link: every setting of the NHS comparison as the page address's query string.

`to_query(snapshot)` writes short, readable parameters (percentages as the page shows them);
`from_query(text)` reads them back into a checked `Snapshot` (`sim.app.snapshot`). Parameters
left out take the page's defaults; unknown ones (a tracking tag added by a mail client, say) are
ignored. A user's own place file travels compressed in `place` when it is small enough for an
address (`MAX_PLACE_CHARS`); a larger one needs the scenario file instead.

    gap=1.5&need=1.5&ageing=1&places=3&seed=1&system=generic
    &a=fortress&a_year=1&b=shared_governance&b_off=monitoring&b_year=3&years=10
    &fy=2025&at=5&outcome=system_deficit
"""

from __future__ import annotations

import base64
import zlib
from urllib.parse import parse_qs, urlencode

from sim.app.snapshot import PANEL_KEYS, ScenarioError, Snapshot

PERCENT = {"gap": "funding_gap", "need": "need_growth", "ageing": "ageing"}
WHOLE = {"places": "n_places", "seed": "seed"}
PANEL_PREFIX = {"panel_a": "a", "panel_b": "b"}
VIEW = {"fy": "first_financial_year", "at": "cards_year", "outcome": "outcome"}
MAX_PLACE_CHARS = 6000  # a longer address is cut by some mail clients and browsers


def _pct(value: float) -> str:
    return repr(round(100 * value, 6)).removesuffix(".0")


def _lever(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def to_query(snapshot: Snapshot) -> str:
    """The query string (without '?') that restores every setting."""
    data = snapshot.to_dict()
    sc = data["scenario"]
    query = {k: _pct(sc[key]) for k, key in PERCENT.items()}
    query.update({k: str(sc[key]) for k, key in WHOLE.items()})
    query["system"] = sc["system"]
    for key, p in PANEL_PREFIX.items():
        panel = data[key]
        query[p] = panel["rules"]
        if panel["switched_on"]:
            query[f"{p}_on"] = ",".join(panel["switched_on"])
        if panel["switched_off"]:
            query[f"{p}_off"] = ",".join(panel["switched_off"])
        if panel["levers"]:
            query[f"{p}_set"] = ",".join(f"{k}:{_lever(v)}" for k, v in panel["levers"].items())
        query[f"{p}_year"] = str(panel["adopt_in_year"])
    query["years"] = str(data["replicates"]["horizon_years"])
    query.update({k: str(data["view"][key]) for k, key in VIEW.items()})
    if "place_file" in data:
        packed = pack_text(data["place_file"]["text"])
        if len(packed) <= MAX_PLACE_CHARS:
            query["place"] = packed
    return urlencode(query, safe=",:")


def carries_everything(snapshot: Snapshot) -> bool:
    """False when the user's place file is too large for the address."""
    if snapshot.scenario.uploaded is None or snapshot.scenario.system != "uploaded":
        return True
    return len(pack_text(snapshot.scenario.uploaded.text)) <= MAX_PLACE_CHARS


def pack_text(text: str) -> str:
    """Text compressed and encoded for an address (zlib, URL-safe base64)."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


def unpack_text(packed: str) -> str:
    try:
        padded = (packed + "=" * (-len(packed) % 4)).encode()
        raw = base64.b64decode(padded, altchars=b"-_", validate=True)
        inflate = zlib.decompressobj()
        text = inflate.decompress(raw, 1_000_000).decode()
        if not inflate.eof:
            raise ValueError("truncated or too long")
        return text
    except (ValueError, zlib.error, UnicodeDecodeError):
        raise ScenarioError(
            "link: place is not a packed place file; allowed: the value the page wrote"
        ) from None


def _number(text: str, key: str):
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        raise ScenarioError(f"link: {key} = {text!r} is not allowed; allowed: a number") from None


def _lever_value(text: str, key: str):
    if text in ("true", "false"):
        return text == "true"
    try:
        return _number(text, key)
    except ScenarioError:
        return text  # a text lever (funding_model); RuleSet checks its value


def _view(raw: dict) -> dict:
    """How the result is read: numbers for the years, the outcome's name as written."""
    return {
        key: raw[k] if k == "outcome" else _number(raw[k], k) for k, key in VIEW.items() if k in raw
    }


def from_query(search: str | None) -> Snapshot:
    """A checked `Snapshot` from a query string (with or without '?')."""
    raw = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}
    scenario = {key: _number(raw[k], k) / 100 for k, key in PERCENT.items() if k in raw}
    scenario |= {key: _number(raw[k], k) for k, key in WHOLE.items() if k in raw}
    if "system" in raw:
        scenario["system"] = raw["system"]
    data: dict = {"scenario": scenario}
    for key, p in PANEL_PREFIX.items():
        panel: dict = {}
        if p in raw:
            panel["rules"] = raw[p]
        for part, name in (("on", "switched_on"), ("off", "switched_off")):
            if f"{p}_{part}" in raw:
                panel[name] = [n for n in raw[f"{p}_{part}"].split(",") if n]
        if f"{p}_set" in raw:
            pairs = [item.partition(":") for item in raw[f"{p}_set"].split(",") if item]
            panel["levers"] = {k: _lever_value(v, f"{p}_set") for k, _, v in pairs}
        if f"{p}_year" in raw:
            panel["adopt_in_year"] = _number(raw[f"{p}_year"], f"{p}_year")
        data[key] = panel
    if "years" in raw:
        data["replicates"] = {"horizon_years": _number(raw["years"], "years")}
    if view := _view(raw):
        data["view"] = view
    if "place" in raw:
        data["place_file"] = {"name": "shared place file", "text": unpack_text(raw["place"])}
    return Snapshot.from_dict(data, "link")


__all__ = ["PANEL_KEYS", "carries_everything", "from_query", "to_query"]
