"""The model's state: one NumPy array per attribute, declared once in `FIELDS`.

`FIELDS` (name, dtype, dimension, meaning) generates everything else: the named tuple `World` both
engines share, the kernel's handle `WorldRef` (a numba StructRef: one reference count for the whole
state, where passing the named tuple to a compiled call would count references on every array),
the compiled `as_ref` that wraps a `World`'s arrays without copying, `allocate_state` that
allocates a `World` with every array at its dimension, and the compiled `allocate_ref` that does
the same behind a kernel handle. No list of fields is written out by position anywhere: add a
field here and it exists in every engine, zero-initialised.

Dimensions say what indexes the array: org (organisations), con (contracts: one per place an
organisation serves), edge (directed partner edges), place, ics (integrated care systems),
place_line (places x 6 service lines), line (service lines), clock (3 world-wide scalars) and key
(3 world-wide integers).
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

import numpy as np
from numba.core import types
from numba.core.datamodel import default_manager, models
from numba.core.imputils import lower_getattr_generic, lower_setattr_generic
from numba.core.typing.templates import AttributeTemplate, infer_getattr
from numba.experimental import structref
from numba.experimental.structref import _Utils

from sim.core.constants import N_LINES
from sim.core.jit import INTERPRETED, generate_module


class Field(NamedTuple):
    name: str
    dtype: type
    dim: str
    doc: str


_I, _F = np.int64, np.float64

FIELDS: tuple[Field, ...] = (
    # organisations
    Field("org_kind", _I, "org", "kind (service line), see constants.KIND_NAMES"),
    Field("org_place", _I, "org", "home place; -1 when it serves several places"),
    Field("org_ics", _I, "org", "integrated care system"),
    Field("org_con_start", _I, "org", "first contract of the organisation"),
    Field("org_con_end", _I, "org", "one past its last contract"),
    Field("org_eligible", _F, "org", "1 when the partnership's breadth reaches its kind"),
    Field("org_member", _F, "org", "how far it is inside the agreement: eligible, gated by trust"),
    Field("org_income_ref", _F, "org", "expected monthly income at the start"),
    Field("cooperation", _F, "org", "how cooperatively it claims, in [0, 1]"),
    Field("cooperation_next", _F, "org", "next month's cooperation (all learn from one month)"),
    Field("org_type", _I, "org", "behavioural type, see constants.TYPE_NAMES"),
    Field("leadership", _F, "org", "strength of its system leadership (1 = typical)"),
    Field("risk_attitude", _F, "org", "weight on an expected fine (1 = risk neutral)"),
    Field(
        "vision",
        _F,
        "org",
        "weight it has come to put on the system's outcome: the rules' weight, at the speed of trust",
    ),
    Field(
        "kept", _F, "org", "share of the norm it keeps to this month: cooperation gated by trust"
    ),
    Field("balance", _F, "org", "reserves (+) or deficit (-)"),
    Field("unit_cost", _F, "org", "cost per unit of care delivered (1 = the average)"),
    Field("record", _F, "org", "detected breaches so far"),
    Field("breach", _F, "org", "1 when it broke the agreed share this month"),
    Field(
        "conduct",
        _F,
        "org",
        "share of the way from its selfish claim to its norm it kept this month",
    ),
    Field("detected", _F, "org", "1 when the breach was detected this month"),
    Field("fine", _F, "org", "fine paid this month"),
    Field(
        "fined_multiple",
        _F,
        "org",
        "multiple of the tabled fine at its last detected breach (its places' chosen multiples, "
        "weighed by its overclaim at each; 1 without a vote)",
    ),
    Field("overclaim", _F, "org", "claim above the agreed share this month"),
    Field("incentive", _F, "org", "net incentive to defect, per pound of expected income"),
    Field("selfish_incentive", _F, "org", "the same, with no weight on the system's outcome"),
    Field("income", _F, "org", "payments received this month"),
    Field("spend", _F, "org", "cost of care and prevention delivered, and capital, this month"),
    Field("cum_income", _F, "org", "payments received so far"),
    Field("cum_spend", _F, "org", "cost of care delivered so far"),
    Field("failures", _F, "org", "times taken over"),
    Field("segment", _F, "org", "oversight segment, 1 (no support needs) to 4 (special measures)"),
    Field("concern", _F, "org", "the regulator's concern at its last review, in [0, 1]"),
    Field("special_months", _F, "org", "months in special measures without a break"),
    Field("special_spells", _F, "org", "times it has entered special measures"),
    Field("invested", _F, "org", "capital invested in capacity this month"),
    Field("efficiency_paid", _F, "org", "paid back to the pool under the efficiency factor"),
    Field("edge_start", _I, "org", "first partner edge of the organisation"),
    Field("edge_end", _I, "org", "one past its last partner edge"),
    Field("org_ratio", _F, "org", "scratch: income/spend ratios for the Gini coefficient"),
    # contracts
    Field("con_org", _I, "con", "organisation holding the contract"),
    Field("con_place", _I, "con", "place the contract serves"),
    Field("con_kind", _I, "con", "service line"),
    Field("con_base_share", _F, "con", "share of the place's pool at the start"),
    Field("con_prev_share", _F, "con", "share of the prevention slice"),
    Field("capacity", _F, "con", "care it can deliver a month"),
    Field("con_size", _F, "con", "size against the average provider of its line and place"),
    Field("demand", _F, "con", "need it faces this month"),
    Field("agreed", _F, "con", "agreed activity claim this month"),
    Field("agreed_prevention", _F, "con", "agreed prevention this month"),
    Field("coop_claim", _F, "con", "the cooperative claim (the norm)"),
    Field("selfish_claim", _F, "con", "the selfish claim (all it can bill)"),
    Field("claim", _F, "con", "its claim this month"),
    Field("prevention", _F, "con", "prevention it plans this month"),
    Field("payment", _F, "con", "payment this month"),
    Field("activity", _F, "con", "care delivered this month"),
    Field("prevention_delivered", _F, "con", "prevention delivered this month"),
    Field("vote_slice", _F, "con", "its holder's ideal prevention slice at the last vote"),
    Field(
        "vote_fine", _F, "con", "its holder's ideal multiple of the tabled fine at the last vote"
    ),
    # partner edges
    Field("edge_dst", _I, "edge", "the partner trusted"),
    Field("trust", _F, "edge", "trust in the partner, in [0, 1]"),
    # places
    Field("place_ics", _I, "place", "integrated care system of the place"),
    Field("place_con_start", _I, "place", "first entry of the place in place_con"),
    Field("place_con_end", _I, "place", "one past its last entry"),
    Field("place_con", _I, "con", "contract ids grouped by place"),
    Field("alloc_base", _F, "place", "monthly allocation at the start"),
    Field("population", _F, "place", "people in the place"),
    Field("need_index", _F, "place", "need per head against the average (age, deprivation)"),
    Field("alloc_index", _F, "place", "allocation per head against the average"),
    Field("allocation", _F, "place", "this month's allocation"),
    Field("available", _F, "place", "money the commissioner may spend this month"),
    Field("pool_balance", _F, "place", "the pool: reserve (+) or deficit (-)"),
    Field("pay_ratio", _F, "place", "share of requested payments paid this month"),
    Field("paid", _F, "place", "payments to providers this month"),
    Field("health", _F, "place", "population health stock, in [0, 1]"),
    Field("health_base", _F, "place", "population health at the start"),
    Field("acute_need_start", _F, "place", "acute need at the start"),
    Field("spill", _F, "place", "acute demand arriving from untreated out-of-hospital need"),
    Field("acute_new", _F, "place", "new acute demand this month (admissions, not the backlog)"),
    Field("prevention_spend", _F, "place", "prevention delivered this month"),
    Field("transaction_cost", _F, "place", "commissioning transaction cost this month"),
    Field("governance_cost", _F, "place", "governance running cost this month"),
    Field("takeover_cost", _F, "place", "cost of takeovers and special measures this month"),
    Field("support_cost", _F, "place", "of which special measures' support this month"),
    Field("delayed", _F, "place", "acute capacity taken by delayed discharges next month"),
    Field("fines_in", _F, "place", "fines paid into the pool this month"),
    Field("chosen_slice", _F, "place", "prevention slice in force: tabled, or chosen by vote"),
    Field(
        "fine_factor", _F, "place", "multiple of the tabled fine in force (1, or chosen by vote)"
    ),
    Field(
        "rules_adopted", _F, "place", "month the rules in force were adopted (votes wait a year)"
    ),
    Field("need_covered", _F, "place", "scratch: need across the lines it has providers for"),
    Field("need_trend", _F, "place", "scratch: expected monthly need on its trend"),
    Field("appropriation", _F, "place", "laboratory games: total claim last round"),
    Field("earnings", _F, "place", "laboratory games: group earnings this round"),
    Field("need_base", _F, "place_line", "need before health, shocks and waiting"),
    Field("need", _F, "place_line", "need this month"),
    Field("waiting", _F, "place_line", "waiting list (need carried, at standard unit cost)"),
    Field("waiting_patients", _F, "place_line", "waiting list in patients (cases)"),
    Field("unmet", _F, "place_line", "need unmet this month"),
    Field("delivered", _F, "place_line", "care delivered this month"),
    Field("spend_line", _F, "place_line", "payments by service line this month"),
    Field("providers", _F, "place_line", "contracts of each line"),
    Field(
        "waiting_carried",
        _F,
        "place_line",
        "observation only: the waiting list carried into the month (the measures keep it)",
    ),
    # integrated care systems (scratch for risk pooling)
    Field("ics_total", _F, "ics", "scratch: sum of pool balances"),
    Field("ics_count", _F, "ics", "scratch: places"),
    # world-wide
    Field("line_total", _F, "line", "scratch: spend by line across places"),
    Field("clock", _F, "clock", "step, budget factor, need factor"),
    Field("key", _I, "key", "world code, seed, run: the key of every random draw"),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
DIMS = ("org", "con", "edge", "place", "ics", "place_line", "line", "clock", "key")

CLOCK_STEP, CLOCK_BUDGET, CLOCK_NEED = range(3)
N_CLOCK = 3
KEY_WORLD, KEY_SEED, KEY_RUN = range(3)
N_KEY = 3

World = namedtuple("World", FIELD_NAMES)


class WorldRefType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


# Registered by hand rather than with `structref.register`, for one difference: reading a field
# gives a view of the array that the handle owns, without a reference count of its own. Numba's
# default counts a reference on every read; at about 150 reads a month that cost more than the
# month's arithmetic in a small world. The handle keeps the arrays alive for as long as it lives,
# and a view never outlives the phase that read it.
default_manager.register(WorldRefType, models.StructRefModel)


@infer_getattr
class _WorldRefAttribute(AttributeTemplate):
    key = WorldRefType

    def generic_resolve(self, typ, attr):
        return typ.field_dict.get(attr)


@lower_getattr_generic(WorldRefType)
def _read_field(context, builder, typ, val, attr):
    data = _Utils(context, builder, typ).get_data_struct(val)
    array_type = typ.field_dict[attr]
    owned = context.make_array(array_type)(context, builder, getattr(data, attr))
    view = context.make_array(array_type)(context, builder)
    context.populate_array(
        view,
        data=owned.data,
        shape=owned.shape,
        strides=owned.strides,
        itemsize=owned.itemsize,
        meminfo=None,
    )
    return view._getvalue()


@lower_setattr_generic(WorldRefType)
def _write_field(context, builder, sig, args, attr):
    """Setting a field (only the constructor does, in `as_ref` and `allocate_ref`) holds a counted
    reference, as numba's default does."""
    inst_type, val_type = sig.args
    instance, val = args
    data = _Utils(context, builder, inst_type).get_data_struct(instance)
    casted = context.cast(builder, val, val_type, inst_type.field_dict[attr])
    old = getattr(data, attr)
    context.nrt.incref(builder, val_type, casted)
    context.nrt.decref(builder, val_type, old)
    setattr(data, attr, casted)


class WorldRef(structref.StructRefProxy):
    """The kernel's handle on a `World`'s arrays (shared, not copied)."""


structref.define_constructor(WorldRef, WorldRefType, FIELD_NAMES)
structref.define_boxing(WorldRefType, WorldRef)


def _shape(dim: str) -> str:
    return {
        "place_line": f"(n_place, {N_LINES})",
        "line": str(N_LINES),
        "clock": str(N_CLOCK),
        "key": str(N_KEY),
    }.get(dim, f"n_{dim}")


def _size(dim: str) -> str:
    return {"place_line": f"n_place * {N_LINES}"}.get(dim, _shape(dim))


def _block_source() -> str:
    """The body of the compiled `allocate_ref`: every array a view of one zeroed block (one
    allocation a run, not one per field; every dtype of FIELDS is 8 bytes)."""
    lines = [f"total = {' + '.join(_size(f.dim) for f in FIELDS)}", "block = np.zeros(total)"]
    lines.append("at = 0")
    for f in FIELDS:
        view = f"block[at : at + {_size(f.dim)}]"
        if f.dtype is not np.float64:
            view += f".view(np.{np.dtype(f.dtype).name})"
        if f.dim == "place_line":
            view += f".reshape({_shape(f.dim)})"
        lines += [f"{f.name} = {view}", f"at += {_size(f.dim)}"]
    lines.append(f"return WorldRef({', '.join(FIELD_NAMES)})")
    return "\n    ".join(lines)


def _generated_source() -> str:
    """Source of `as_ref`, `allocate_ref` and `allocate_state`, written from FIELDS."""
    assert all(np.dtype(f.dtype).itemsize == 8 for f in FIELDS)
    wrap = ",\n        ".join(f"w.{name}" for name in FIELD_NAMES)
    arrays = ",\n        ".join(
        f"np.zeros({_shape(f.dim)}, dtype=np.{np.dtype(f.dtype).name})" for f in FIELDS
    )
    ref = "w" if INTERPRETED else f"WorldRef(\n        {wrap},\n    )"
    # Interpreted, the handle is the World itself.
    allocate = f"return World(\n        {arrays},\n    )" if INTERPRETED else _block_source()
    return f'''"""Generated by sim.core.state from FIELDS: do not edit."""

import numpy as np

from sim.core.jit import jit
from sim.core.state import World, WorldRef


@jit
def as_ref(w):
    """The kernel's handle over the arrays of the World `w` (no copy)."""
    return {ref}


@jit
def allocate_ref(n_org, n_con, n_edge, n_place, n_ics):
    """The kernel's handle on new state, every array allocated at its dimension and zero."""
    {allocate}


def allocate_state(n_org, n_con, n_edge, n_place, n_ics):
    """A World with every array allocated at its dimension and zero. Plain Python: a compiled
    function that returns the named tuple of about 100 arrays takes numba seconds to compile."""
    return World(
        {arrays},
    )
'''


_generated = generate_module(f"state_{'py' if INTERPRETED else 'nb'}", _generated_source())
as_ref = _generated.as_ref
allocate_ref = _generated.allocate_ref
allocate_state = _generated.allocate_state


def dims_of(w) -> dict[str, int]:
    """The size of every dimension of a `World`."""
    return {
        "org": w.org_kind.shape[0],
        "con": w.con_org.shape[0],
        "edge": w.edge_dst.shape[0],
        "place": w.place_ics.shape[0],
        "ics": w.ics_total.shape[0],
    }
