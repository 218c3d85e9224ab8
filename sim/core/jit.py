"""Compilation: the one decorator for the model's functions, their plain-Python twins, and the cache.

`jit` compiles a function with numba (cached on disk) and records its Python source, so that:

- `as_python(f)` gives a twin of `f` that runs as plain Python *and calls plain-Python twins of
  every compiled helper it uses* (its globals are rewritten). The per-agent Mesa engine runs the
  model this way, so a modeller can step through any decision rule in a debugger, and the
  engine-identity tests compare two independent executions of the same source.
- With `CARE_COMMONS_INTERPRETED=1` in the environment nothing is compiled at all: the kernel, the
  batch runner and every helper run as Python (slow; for debugging and for the interpreted
  identity tests).

numba checks only the timestamp of the file a cached function lives in, so a kernel cached in
kernel.py would keep stale copies of the submodels it inlines after they change. The cache folder is
keyed by a hash of every compiled source, so any change to them starts a fresh cache. Generated
modules (`generate_module`) are written there too. A folder that cannot be made or written stops
nothing: `configure` warns in one line and falls back (a private temporary folder, or no disk cache).
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import os
import re
import shutil
import stat
import sys
import tempfile
import types
from collections.abc import Callable
from pathlib import Path

import numba
import numba.np.arrayobj
from numba.core import types as numba_types

INTERPRETED = os.environ.get("CARE_COMMONS_INTERPRETED", "") == "1"

_SIM = Path(__file__).resolve().parent.parent


def compiled_sources() -> list[Path]:
    """The files whose compiled functions (or the constants they freeze in) the cache holds."""
    return [*sorted((_SIM / "core").rglob("*.py")), _SIM / "engine" / "kernel.py"]


def _source_hash() -> str:
    digest = hashlib.sha256()
    for path in compiled_sources():
        digest.update(path.relative_to(_SIM).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


SOURCE_HASH = _source_hash()


def configured_root() -> tuple[Path | None, str]:
    """The cache folder the user asked for (`CARE_COMMONS_CACHE_DIR`, else
    `~/.cache/care-commons/numba`), or None and why there is none (no home folder)."""
    base = os.environ.get("CARE_COMMONS_CACHE_DIR")
    if base:
        return Path(base), ""
    try:
        return Path.home() / ".cache" / "care-commons" / "numba", ""
    except (RuntimeError, KeyError) as exc:  # no HOME and no password entry
        return None, f"no home folder: {exc}"


def usable(folder: Path) -> str | None:
    """Create `folder` if needed and check a file can be written in it (as numba does): None when
    it can be used, else why not, in a few words."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        for part in (folder, *folder.parents):  # a file where a folder should be: say which
            if part.exists() or part.is_symlink():
                if not part.is_dir():
                    return f"{part} is a file, not a folder"
                break
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    return None


def _private_temporary() -> Path | None:
    """This user's cache folder in the temporary folder (kept between commands), created private;
    a fresh temporary folder if that one is not private (another user made it); None if neither
    can be made."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    shared = Path(tempfile.gettempdir()) / f"care-commons-{uid}"
    try:
        shared.mkdir(mode=0o700, exist_ok=True)
        info = shared.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_uid == uid and not info.st_mode & 0o077:
            folder = shared / "numba" / SOURCE_HASH
            if usable(folder) is None:
                return folder
    except OSError:
        pass
    try:
        fresh = Path(tempfile.mkdtemp(prefix="care-commons-numba-"))
    except OSError:
        return None
    atexit.register(shutil.rmtree, fresh, ignore_errors=True)
    return fresh


def configure() -> Path | None:
    """Point numba's cache at `<root>/<SOURCE_HASH>` (see `configured_root`).

    A folder that cannot be made or written (a file in its way, no permission, a read-only or full
    disk) does not stop the program: the cache goes to a private temporary folder instead, or, if
    none can be made either, nothing is cached on disk (every process compiles afresh); one line
    on stderr says which, naming the folder and the reason.
    """
    root, why = configured_root()
    if root is not None:
        why = usable(root / SOURCE_HASH)
        if why is None:
            numba.config.CACHE_DIR = str(root / SOURCE_HASH)
            return root / SOURCE_HASH
    folder = _private_temporary()
    instead = f"caching in {folder} instead" if folder else "compiling without a disk cache"
    where = f" {root}" if root is not None else ""
    print(
        f"care-commons: warning: cannot use the compiled-code cache folder{where} ({why}); "
        f"{instead} (set CARE_COMMONS_CACHE_DIR to a folder you can write)",
        file=sys.stderr,
    )
    if folder is not None:
        numba.config.CACHE_DIR = str(folder)
    return folder


CACHE_DIR = configure()  # None: nothing is cached on disk

# Indexing without wrap-around in the model's own functions. numba lowers an array index of a
# signed integer as Python's `i + n if i < 0 else i`: a compare, an add and a select, and each
# array's length kept live, at every index of every loop; about a sixth of the month. The model
# never indexes from the end (its indices are numbers of agents, contracts, edges, places and
# lines, all >= 0), so functions compiled from `sim.core`, `sim.engine` and the generated modules
# index as given; every other function (numba's own `np.sort`, a user's code) keeps the fix.
# The plain-Python twins index as NumPy does, and the engine-identity tests compare the two.
# The hook is numba's internal `fix_integer_index` (numba 0.68 has it); a numba without it keeps the
# wrap-around everywhere: the results are the same, only slower (`bench/` prints which).
_MODEL_SYMBOL = re.compile(r"_ZN(3sim4core|3sim6engine|\d+care_commons_generated)")
_wrapping_index = getattr(numba.np.arrayobj, "fix_integer_index", None)


def _model_index(context, builder, idxty, idx, size):
    if idxty.signed and _MODEL_SYMBOL.match(builder.function.name):
        return context.cast(builder, idx, idxty, numba_types.intp)
    return _wrapping_index(context, builder, idxty, idx, size)


INDEX_WITHOUT_WRAP = _wrapping_index is not None
if INDEX_WITHOUT_WRAP:
    numba.np.arrayobj.fix_integer_index = _model_index

# compiled dispatcher -> the Python function it was compiled from (and how to wrap its twin)
_SOURCES: dict[object, tuple[Callable, Callable | None]] = {}
_TWINS: dict[object, Callable] = {}
_MODULE_GLOBALS: dict[str, dict] = {}


def jit(fn: Callable | None = None, *, parallel: bool = False, python_wrapper=None):
    """Compile `fn` with numba (`cache=True`), or leave it as Python in interpreted mode.

    Args:
        fn: The function (the decorator may also be called with keywords only).
        parallel: Compile with `parallel=True` (for `prange` loops).
        python_wrapper: Applied to the plain-Python twin (e.g. to silence NumPy's warning on the
            integer wrap-around that compiled code does silently).
    """

    def decorate(f):
        if INTERPRETED:
            return python_wrapper(f) if python_wrapper else f
        compiled = numba.njit(cache=CACHE_DIR is not None, parallel=parallel)(f)
        _SOURCES[compiled] = (f, python_wrapper)
        return compiled

    return decorate(fn) if fn is not None else decorate


def is_compiled(fn: object) -> bool:
    return _hashable(fn) and fn in _SOURCES


def as_python(fn: Callable) -> Callable:
    """A plain-Python twin of a `jit` function whose compiled callees are twins too."""
    if not is_compiled(fn):
        return fn  # already Python (interpreted mode, or not a model function)
    twin = _TWINS.get(fn)
    if twin is None:
        source, wrapper = _SOURCES[fn]
        twin = types.FunctionType(
            source.__code__,
            _python_globals(source),
            source.__name__,
            source.__defaults__,
            source.__closure__,
        )
        twin.__doc__ = source.__doc__
        twin.__module__ = source.__module__
        twin.__qualname__ = source.__qualname__
        twin = wrapper(twin) if wrapper else twin
        _TWINS[fn] = twin
    return twin


def _python_globals(source: Callable) -> dict:
    """The module globals of `source` with every compiled function replaced by its twin."""
    name = source.__module__
    namespace = _MODULE_GLOBALS.get(name)
    if namespace is None:
        namespace = dict(source.__globals__)
        _MODULE_GLOBALS[name] = namespace  # stored before filling, so mutual calls terminate
        for key, value in list(namespace.items()):
            if _hashable(value) and value in _SOURCES:
                namespace[key] = as_python(value)
    return namespace


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def generate_module(name: str, source: str) -> types.ModuleType:
    """Import generated Python source as a module whose file lives in the cache folder.

    A real file lets numba cache the functions in it; the file is rewritten only when its text
    changes, since numba's cache is invalidated by the file's timestamp. Without a disk cache
    (`CACHE_DIR` is None) the module is built from the text alone.
    """
    module_name = f"care_commons_generated_{name}"
    if CACHE_DIR is None:
        module = types.ModuleType(module_name)
        sys.modules[module_name] = module
        exec(compile(source, f"<generated {name}>", "exec"), module.__dict__)
        return module
    folder = CACHE_DIR / "generated"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.py"
    if not path.is_file() or path.read_text() != source:
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_text(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
