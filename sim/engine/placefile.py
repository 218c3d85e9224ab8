"""Place files: a TOML description of one integrated care system, its places and organisations
(docs/place_files.md), read and checked into a `PlaceSystem`.

`load_place_file(path)` (or `parse_place_file(text)`) checks every value before anything runs; a
problem is one `PlaceFileError` line naming the file, the line, the field, the value and what is
allowed. `PlaceSystem.layout()` is the packed vector the kernel reads (`sim.core.placed`);
`PlaceSystem.sha256` is the hash of the file's text, which the results' manifest records.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.core.checks import printable, too_deep_data, too_deep_text
from sim.core.params import defaults
from sim.engine.placemap import (
    KINDS,
    OrganisationSpec,
    PlaceFileError,
    PlaceSpec,
    derived_need_index,
    pack_layout,
    population_shares,
)

SECTIONS = {
    "system": "a table: name, reference_per_head",
    "places": "an array of tables [[places]]",
    "organisations": "an array of tables [[organisations]]",
}
SYSTEM_KEYS = {"name": "a text", "reference_per_head": "a number in [100, 20000] (GBP a year)"}
# Field: (low, high, what is allowed), for the numbers of places and organisations.
PLACE_NUMBERS = {
    "population": (1_000, 5_000_000, "people"),
    "share_65_plus": (0.0, 0.6, "share of the population aged 65 and over"),
    "imd_score": (0.0, 100.0, "average IMD score"),
    "need_index": (0.5, 2.0, "need per head against the English average"),
    "allocation": (1.0, 100_000.0, "GBP million a year"),
    "allocation_per_head": (100.0, 20_000.0, "GBP a year"),
}
PLACE_KEYS = {"name", *PLACE_NUMBERS}
ORG_NUMBERS = {
    "budget": (0.1, 100_000.0, "GBP million a year"),
    "unit_cost": (0.5, 2.0, "cost per unit of care against the average (1)"),
    "balance": (-100_000.0, 100_000.0, "GBP million (a deficit below 0)"),
}
ORG_KEYS = {"name", "kind", "places", *ORG_NUMBERS}
MAX_PLACES, MAX_ORGS = 50, 500
# A place's allocation per head against the reference: beyond this, the scopes differ.
ALLOCATION_INDEX = (0.5, 2.0)
SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class PlaceSystem:
    """A checked place file: one integrated care system."""

    name: str
    places: tuple[PlaceSpec, ...]
    organisations: tuple[OrganisationSpec, ...]
    reference_per_head: float  # 0: the model's spend_per_head parameter
    text: str
    path: str
    sha256: str

    def layout(self) -> np.ndarray:
        """The packed vector of `sim.core.placed`, for `simulate` and `build_world_from`."""
        return pack_layout(list(self.places), list(self.organisations), self.reference_per_head)

    def record(self) -> dict:
        """What a results manifest keeps: the path, the sha256 and the text itself."""
        return {"name": self.name, "path": self.path, "sha256": self.sha256, "content": self.text}


def as_place_system(place_file) -> PlaceSystem | None:
    """A `PlaceSystem` from a path, a `PlaceSystem` or None (no place file)."""
    if place_file is None or isinstance(place_file, PlaceSystem):
        return place_file
    if isinstance(place_file, str | Path):
        return load_place_file(place_file)
    raise PlaceFileError(
        f"place_file={place_file!r} is not a place file; allowed: a path, a PlaceSystem or None"
    )


def load_place_file(path: str | Path) -> PlaceSystem:
    """Read and check a place file."""
    where = printable(str(path))
    if Path(path).is_dir():  # said as such: reading one fails differently on each system
        raise PlaceFileError(f"{where}: is a folder, not a place file; allowed: a place file")
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise PlaceFileError(f"{where}: place file not found") from None
    except (OSError, ValueError) as exc:  # no permission, a NUL in the name
        why = getattr(exc, "strerror", None) or str(exc)
        raise PlaceFileError(f"{where}: cannot read the place file ({why})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise PlaceFileError(
            f"{where}: line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8; allowed: UTF-8 text"
        ) from None
    return parse_place_file(text, where)


def parse_place_file(text: str, where: str = "<string>") -> PlaceSystem:
    """Check the TOML text of a place file (docs/place_files.md)."""
    data = _read_toml(text, where)
    c = _Checker(where, text)
    c.keys(data, SECTIONS, "", ("", 0))
    system = c.table(data.get("system", {}), "system")
    c.keys(system, SYSTEM_KEYS, "system.", ("system", 0))
    name = c.text(system.get("name", Path(where).stem), "system.name", ("system", 0))
    reference = 0.0
    if "reference_per_head" in system:
        reference = c.number(
            system["reference_per_head"],
            "system.reference_per_head",
            (100.0, 20_000.0, "GBP a year"),
            ("system", 0),
        )
    places = [c.place(raw, k) for k, raw in enumerate(c.array(data, "places", MAX_PLACES))]
    c.unique([pl.name for pl in places], "places", "name")
    c.per_head(places, data["places"], reference)
    index = {pl.name: q for q, pl in enumerate(places)}
    raw_orgs = c.array(data, "organisations", MAX_ORGS)
    orgs = [c.organisation(raw, k, index, places) for k, raw in enumerate(raw_orgs)]
    c.unique([org.name for org in orgs], "organisations", "name")
    served = {q for org in orgs for q, _ in org.shares}
    for q, pl in enumerate(places):
        if q not in served:
            c.fail(
                f"places[{q}].name",
                pl.name,
                "a place that at least one organisation "
                "serves (list it in an organisation's places)",
                ("places", q),
                "has no organisation",
            )
    return PlaceSystem(
        name=name,
        places=tuple(places),
        organisations=tuple(orgs),
        reference_per_head=reference,
        text=text,
        path=where,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _read_toml(text: str, where: str) -> dict:
    """The parsed place file, its nesting bounded as an experiment file's is
    (`sim.core.checks`: counted before parsing, and checked after)."""
    text = text.removeprefix("\ufeff")
    deep = too_deep_text(text)
    if deep is not None:
        raise PlaceFileError(f"{where}: {deep} (docs/place_files.md)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        what = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        at = f"line {found.group(1)}: " if found else ""
        raise PlaceFileError(f"{where}: {at}malformed TOML: {what}; allowed: TOML text") from None
    except (RecursionError, ValueError):  # nesting beyond the parser, a 4,300-digit integer
        raise PlaceFileError(
            f"{where}: malformed TOML: nested too deeply or a number too long to read; allowed: "
            "the tables and arrays of docs/place_files.md"
        ) from None
    deep = too_deep_data(data, _key_of)
    if deep is not None:
        raise PlaceFileError(f"{where}: {deep} (docs/place_files.md)")
    return data


class _Checker:
    """Checks the values of one place file, raising `PlaceFileError` on the first problem."""

    def __init__(self, where: str, text: str):
        self.where = where
        self.lines = text.removeprefix("\ufeff").splitlines()

    def line_of(self, block: tuple[str, int], key: str | None) -> int | None:
        """The line of `key` in the k-th table `block` (`("places", 1)`; `("", 0)` the top)."""
        section, k = block
        seen, inside = -1, section == ""
        for n, raw in enumerate(self.lines, start=1):
            line = raw.strip()
            header = re.fullmatch(r"\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?", line)
            if header:
                if section == "" and key is not None and header.group(1) == key:
                    return n
                inside = header.group(1) == section and (seen := seen + 1) == k
                if inside and key is None:
                    return n
                continue
            if inside and key and re.match(rf"{re.escape(key)}\s*=", line):
                return n
        return None

    def fail(self, field, value, allowed, block, problem="is not allowed", key=None):
        if key is None:  # the key as written in the block: places[1].population -> population
            key = re.sub(r"^[A-Za-z_]+\[\d+\]\.|^system\.", "", field).split(".")[0]
        line = self.line_of(block, key) or self.line_of(block, None)
        at = f"line {line}: " if line else ""
        if problem == "is missing":  # no value to show
            raise PlaceFileError(f"{self.where}: {at}{field} is missing; allowed: {allowed}")
        shown = repr(value) if not isinstance(value, dict | list) else str(value)[:80]
        raise PlaceFileError(f"{self.where}: {at}{field} = {shown} {problem}; allowed: {allowed}")

    def keys(self, table: dict, allowed, prefix: str, block) -> None:
        for key, value in table.items():
            if key not in allowed:
                self.fail(
                    f"{prefix}{key}",
                    value,
                    "keys " + ", ".join(sorted(allowed)),
                    block,
                    "is not a known key",
                    key,
                )

    def table(self, value, field: str) -> dict:
        if not isinstance(value, dict):
            self.fail(field, value, "a table", ("", 0), f"has type {type(value).__name__}")
        return value

    def array(self, data: dict, field: str, most: int) -> list:
        value = data.get(field)
        if value is None:
            raise PlaceFileError(
                f"{self.where}: {field} is missing; allowed: "
                f"{SECTIONS[field]}, 1 to {most} of them (required)"
            )
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(field, value, SECTIONS[field], ("", 0), "is not an array of tables")
        if not 1 <= len(value) <= most:
            self.fail(field, f"{len(value)} tables", f"1 to {most}", ("", 0))
        return value

    def text(self, value, field: str, block) -> str:
        if not isinstance(value, str) or not value.strip() or not value.isprintable():
            self.fail(field, value, "a non-empty text on one line", block)
        return value

    def number(self, value, field: str, bounds, block) -> float:
        low, high, what = bounds
        allowed = f"a number in [{low:g}, {high:g}] ({what})"
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(field, value, allowed, block, f"has type {type(value).__name__}")
        if not math.isfinite(value) or not low <= value <= high:
            self.fail(field, value, allowed, block)
        return float(value)

    def unique(self, names: list[str], section: str, key: str) -> None:
        for k, name in enumerate(names):
            if names.index(name) != k:
                self.fail(
                    f"{section}[{k}].{key}",
                    name,
                    f"a name no other of the {section} has",
                    (section, k),
                    "is a duplicate",
                )

    def place(self, raw: dict, q: int) -> PlaceSpec:
        """One [[places]] table."""
        block, prefix = ("places", q), f"places[{q}]."
        self.keys(raw, PLACE_KEYS, prefix, block)
        for required in ("name", "population"):
            if required not in raw:
                self.fail(f"{prefix}{required}", None, "a value (required)", block, "is missing")
        nums = {
            k: self.number(raw[k], prefix + k, PLACE_NUMBERS[k], block)
            for k in PLACE_NUMBERS
            if k in raw
        }
        money = [k for k in ("allocation", "allocation_per_head") if k in raw]
        if len(money) != 1:
            self.fail(
                f"{prefix}allocation",
                {k: raw[k] for k in money},
                "exactly one of allocation (GBP million a year) and allocation_per_head "
                "(GBP a year)",
                block,
                "is missing" if not money else "is given twice",
            )
        people = nums["population"]
        allocation = nums.get("allocation", people * nums.get("allocation_per_head", 0.0) / 1e6)
        need = nums.get("need_index")
        if need is None:
            need = derived_need_index(nums.get("share_65_plus"), nums.get("imd_score"))
        return PlaceSpec(
            self.text(raw["name"], prefix + "name", block),
            people,
            allocation,
            need,
            nums.get("share_65_plus"),
            nums.get("imd_score"),
        )

    def per_head(self, places: list[PlaceSpec], raws: list[dict], reference: float) -> None:
        """Each place's allocation per head within `ALLOCATION_INDEX` times the reference (the
        file's, else the model's default `spend_per_head`): a wider gap is a mismatch of scope."""
        ref = reference or defaults("place_system")["spend_per_head"]
        low, high = ALLOCATION_INDEX
        for q, (pl, raw) in enumerate(zip(places, raws, strict=True)):
            ratio = pl.allocation * 1e6 / pl.population / ref
            if not low <= ratio <= high:
                key = "allocation" if "allocation" in raw else "allocation_per_head"
                self.fail(
                    f"places[{q}].{key}",
                    raw[key],
                    f"an allocation per head {low:g} to {high:g} "
                    f"times the reference of {ref:g} GBP a year (set system.reference_per_head "
                    "to the national average of the same scope)",
                    ("places", q),
                    f"is {ratio:.2f} times the reference per head",
                )

    def organisation(self, raw: dict, i: int, index: dict, places: list) -> OrganisationSpec:
        """One [[organisations]] table."""
        block, prefix = ("organisations", i), f"organisations[{i}]."
        self.keys(raw, ORG_KEYS, prefix, block)
        for required in ("name", "kind", "budget", "places"):
            if required not in raw:
                self.fail(f"{prefix}{required}", None, "a value (required)", block, "is missing")
        name = self.text(raw["name"], prefix + "name", block)
        if raw["kind"] not in KINDS:
            self.fail(prefix + "kind", raw["kind"], "one of " + ", ".join(KINDS), block)
        nums = {
            k: self.number(raw[k], prefix + k, ORG_NUMBERS[k], block)
            for k in ORG_NUMBERS
            if k in raw
        }
        shares = self.served(raw["places"], prefix + "places", index, places, block)
        return OrganisationSpec(
            name,
            raw["kind"],
            nums["budget"],
            nums.get("unit_cost", 1.0),
            nums.get("balance", 0.0),
            shares,
        )

    def served(self, value, field: str, index: dict, places: list, block):
        """The places an organisation serves: a list of names (its budget split by population)
        or a table of name = share of its budget (the shares summing to 1)."""
        names = ", ".join(index)
        allowed = (
            f"a list of place names ({names}) or a table of place name = share of the "
            "budget, the shares summing to 1"
        )
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            shares = None
        elif isinstance(value, dict) and value:
            shares = value
            value = list(value)
        else:
            self.fail(field, value, allowed, block)
        for name in value:
            if name not in index:
                self.fail(field, name, f"places of the file: {names}", block, "is not a place")
        if len(set(value)) != len(value):
            self.fail(field, value, "each place once", block, "names a place twice")
        served = [index[name] for name in value]
        if shares is None:
            return population_shares(served, places)
        for name, share in shares.items():
            self.number(share, f"{field}.{name}", (0.0, 1.0, "share of the budget"), block)
            if share <= 0:
                self.fail(f"{field}.{name}", share, "a share above 0", block)
        if abs(sum(shares.values()) - 1.0) > SHARE_TOLERANCE:
            self.fail(field, shares, "shares summing to 1", block, "does not sum to 1")
        return tuple((index[name], float(share)) for name, share in shares.items())


def _key_of(path: list[str | int]) -> str:
    """A key's path (table keys and array indices) as a place file's errors name it: on one line,
    and cut at 120 characters (a header of a thousand keys would fill the screen)."""
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return printable(key)[:120]
