"""The state is declared once: FIELDS generates the container, the kernel's handle and the
allocator, so a new field exists everywhere at its dimension."""

from pathlib import Path

import numpy as np
import pytest
from numba.core import types

from sim import CareSystem, run_many
from sim.core.init import build_world
from sim.core.jit import _SOURCES, INTERPRETED
from sim.core.params import pack, validate
from sim.core.rules import PRESETS
from sim.core.state import DIMS, FIELD_NAMES, FIELDS, World, allocate_state, as_ref, dims_of
from sim.engine.kernel import step

ROOT = Path(__file__).resolve().parents[1]


def test_fields_are_unique_and_typed():
    assert len(set(FIELD_NAMES)) == len(FIELDS)
    assert World._fields == FIELD_NAMES
    for field in FIELDS:
        assert field.dim in DIMS, field
        assert field.dtype in (np.int64, np.float64), field
        assert field.doc, field


def test_allocator_gives_every_field_its_dimension():
    w = allocate_state(5, 7, 11, 3, 2)
    sizes = {"org": 5, "con": 7, "edge": 11, "place": 3, "ics": 2}
    for field in FIELDS:
        array = getattr(w, field.name)
        assert array.dtype == field.dtype, field.name
        if field.dim in sizes:
            assert array.shape == (sizes[field.dim],), field.name
        assert not array.any(), field.name
    assert w.need.shape == (3, 6)
    assert w.clock.shape == (3,)
    assert w.key.shape == (3,)


def test_the_kernel_handle_shares_the_arrays():
    p = pack("place_system", validate("place_system"))
    w = build_world(p, PRESETS["fortress"].vector(), 0, 5, 0)
    before = {name: getattr(w, name).copy() for name in FIELD_NAMES}
    step(as_ref(w), p, PRESETS["fortress"].vector())  # the kernel writes through its handle
    assert w.clock[0] == 1.0
    changed = {name for name in FIELD_NAMES if not np.array_equal(before[name], getattr(w, name))}
    assert {"cooperation", "claim", "payment", "balance", "need", "pool_balance"} <= changed
    assert dims_of(w) == {"org": 16, "con": 18, "edge": 90, "place": 3, "ics": 1}


def test_seeds_are_held_exactly():
    """A 64-bit seed is held as an integer: no rounding through a float slot."""
    p = pack("place_system", validate("place_system"))
    seed = 2**63 - 1
    w = build_world(p, PRESETS["fortress"].vector(), 0, seed, 3)
    assert int(w.key[1]) == seed
    assert int(w.key[2]) == 3


@pytest.mark.skipif(INTERPRETED, reason="nothing is compiled in interpreted mode")
def test_no_compiled_function_but_as_ref_takes_or_returns_the_named_tuple():
    """The named tuple of about 100 arrays costs seconds of compilation at every compiled call site
    (docs/architecture.md, section 6): compiled code passes the handle. Checked on the functions
    typed in this process, after single and batch runs of every world and a place file."""
    for scenario in ("place_system", "classroom_commons", "public_goods"):
        CareSystem(scenario=scenario, seed=1).run_for(2)
        run_many(["fortress"], scenario=scenario, replicates=2, months=2, seed=1)
    CareSystem(
        place_file=ROOT / "experiments" / "places" / "illustrative_ics.toml", seed=1
    ).run_for(2)
    typed_with_world = set()
    for dispatcher, (source, _) in _SOURCES.items():
        for args, overload in dispatcher.overloads.items():
            for typ in (*args, overload.signature.return_type):
                if isinstance(typ, types.BaseNamedTuple) and typ.instance_class is World:
                    typed_with_world.add(source.__name__)
    # as_ref is typed with it whenever a model is built: the check sees what it looks for
    assert typed_with_world == {"as_ref"}
