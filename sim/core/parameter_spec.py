"""The declaration of a scenario parameter (`Param`) and the helpers its tables share.

Sources are keyed as in docs/references.md; "reasoning" marks a stylised value with the argument
for it (docs/ODD.md, section 5, "Where the default values come from", says more). The machinery
that validates and packs these values is in `sim.core.params`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.constants import SCENARIOS


@dataclass(frozen=True)
class Param:
    """One scenario parameter.

    Attributes:
        name: The key in experiment files, `CareSystem(**params)` and `run_many(params=...)`.
        default: Its value unless set.
        kind: int or float.
        low, high: The allowed range (inclusive).
        doc: What it means, in one line.
        scenarios: The scenarios that accept it.
        source: Where the default comes from: a reference key of docs/references.md, or
            "reasoning: ..." for a stylised value.
        elsewhere: Its value in the scenarios that do not accept it, where the kernel still
            reads it (None: the default).
    """

    name: str
    default: float
    kind: type
    low: float
    high: float
    doc: str
    scenarios: tuple[str, ...] = ("place_system",)
    source: str = ""
    elsewhere: float | None = None

    def allowed(self) -> str:
        kind = "integer" if self.kind is int else "number"
        return f"{kind} in [{self.low:g}, {self.high:g}]"


_PS = ("place_system",)
_CPR = ("classroom_commons",)
_PG = ("public_goods",)
_LAB = _CPR + _PG
_ALL = SCENARIOS

# Reasons shared by several rows.
_SHAPE = "reasoning: a small integrated care system; any shape can be set"
_STYLISED = "reasoning: stylised so the base year is in balance (ODD 5)"
_BEHAVIOUR = "reasoning: cooperation settles in one to two years, as in [OGW1994, FG2000]"
_COST = "reasoning: the levers' running costs sum to 1.5%, the order of NHS management costs"


def row(name, default, kind, low, high, doc, source, scenarios=_PS, elsewhere=None) -> Param:
    return Param(name, default, kind, low, high, doc, scenarios, source, elsewhere)
