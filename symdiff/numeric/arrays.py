"""Arrays: the value and the gradient of an expression over NumPy (or Dask) arrays.

The interpretation is generated NumPy code (``codegen/numpy.py``): one straight-line
function per expression and request, built on first use and kept with the expression's
plan. Inputs are arrays of any shape mixed with numbers, broadcast as NumPy does; every
output (value and partials) has the broadcast shape. A partial with respect to an array
input is elementwise; with respect to a scalar input it is that partial at each element,
so it has the result's shape too.

The domain policy for arrays
----------------------------
The scalar path raises at the first undefined step. Over an array, one bad element must not
cost the rest, so:

- An element is *offending* where the value or any requested partial is not finite (a step
  outside its op's domain, a division by zero, or an overflow: arrays are not recomputed in
  wide arithmetic as single points are, so an overflow that would cancel is still NaN).
- ``errors="warn"`` (the default): every output is NaN at the offending elements, and one
  :class:`symdiff.SymdiffWarning` names the first subexpression that failed, how many
  elements offend and the first of them (its index and the inputs there). NumPy's own
  RuntimeWarnings are silenced (``np.errstate``): one warning, never a flood.
- ``errors="raise"``: a :class:`symdiff.DomainError` with the same facts.
- ``errors="ignore"``: NaN at the offending elements, silently.

Inputs must be real and finite, as for single points (ValuesError otherwise).

Arrays check results, not every step (a pass over memory per step would cost as much as
the step): an ``inf`` or NaN in between that a later step maps to a number is that number,
as IEEE arithmetic says, where a single point raises. So ``log(1, csc(x))`` at ``x = 0``
is 0 (log(1)/log(inf)), and ``asin(sign(x))`` has derivative 0 at ``x = 1`` (asin's
infinite slope there meets sign's derivative, a structural 0).

Large arrays run the NumPy program block by block (``BLOCK`` elements at a time, its
intermediates in cache-sized scratch rows: ``codegen.numpy.blocked``), with the same
numbers, and indices in messages counted in the whole array. From ``PER_THREAD`` elements
per thread up, the elements are split into equal ranges, one per thread (one per core by
default: ``threads``), each run in blocks of ``THREAD_BLOCK``: NumPy's ufuncs release the
GIL, so they run at once, each writing its own part of the outputs, and the numbers are
the same as on one thread.

Dask arrays in give lazy Dask arrays out: the same NumPy program runs chunk by chunk
(``dask.array.map_blocks``), and the policy applies per chunk when it is computed, with
indices counted in the whole array.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import importlib
import numbers
import os
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..codegen.numba import Unsupported, fused_loop, run_fused
from ..codegen.numpy import NumpyAlgebra, blocked, kernel, numpy_module, schedule
from ..codegen.program import Sweep, straight_line
from ..codegen.python import define
from ..diff.algebra import Algebra
from ..diff.reverse import StepFailed
from ..errors import DomainError, SymdiffError, SymdiffWarning, ValuesError
from ..ir.graph import active_nodes, topological_order
from ..ir.nodes import Expr, is_constant, is_variable
from ..ir.ops import Op
from ..syntax.printer import excerpt
from .values import is_real, real_number

ERRORS = ("warn", "raise", "ignore")

# Elements per block of the blocked NumPy program (codegen.numpy.blocked): a scratch row
# of 2^14 float64 is 128 KiB, so a program's dozen rows stay in a 1-2 MiB L2 cache, while
# the Python cost of a call per op per block (about 1 us) stays small beside the block's
# arithmetic. Chosen by measurement (benchmarks/README.md, "Arrays").
BLOCK = 2**14

# Elements per block when a blocked program is shared among threads. Each ufunc call
# releases the GIL and takes it back, and when two threads want it, taking it back waits for
# the other (a switch of threads, microseconds): longer blocks make fewer calls. By
# measurement (benchmarks/README.md, "Arrays"): in a fresh process the median ratio over
# the twelve formulas on two threads was 0.82 with blocks of 2^14, 0.72 with 2^15, 0.71
# with 2^16, 0.80 with 2^17; in the harness's long-lived process 2^16 gave 1.01 and 1.02
# where 2^15 gave 1.06 to 1.10. Scratch rows are then 512 KiB each, per thread.
THREAD_BLOCK = 2**16

# Elements per thread, at least, before a blocked program is shared among threads: two
# blocks each, so that handing a range to a thread (tens of microseconds) is small beside it.
PER_THREAD = 2 * THREAD_BLOCK


def is_array(value: object) -> bool:
    """An array (NumPy, Dask, or anything NumPy reads as one), not a plain number."""
    return not isinstance(value, numbers.Number) and hasattr(type(value), "__array__")


def is_dask(value: object) -> bool:
    return type(value).__module__.split(".")[0] == "dask"


def has_arrays(*mappings: Mapping[str, object] | None) -> bool:
    # A values argument that is no mapping is refused by the scalar reader, as it was.
    return any(
        is_array(v)
        for mapping in mappings
        if isinstance(mapping, Mapping)
        for v in mapping.values()
    )


def errors_option(keywords: dict[str, object]) -> str:
    """The ``errors`` keyword, taken out of ``keywords`` when it is text (a variable named
    ``errors`` still takes a number, as ``mode`` does for ``differentiate``)."""
    if not isinstance(keywords.get("errors"), str):
        return "warn"
    errors = str(keywords.pop("errors"))
    return check_errors(errors)


BACKENDS = ("numpy", "numba")

# The keywords that are options for arrays when their value is text, not variables.
OPTIONS = ("errors", "backend")


def has_options(keywords: Mapping[str, object]) -> bool:
    return any(isinstance(keywords.get(name), str) for name in OPTIONS)


def backend_option(keywords: dict[str, object]) -> str:
    """The ``backend`` keyword ("numpy" or "numba"), taken out of ``keywords`` when it is
    text, as ``errors`` is."""
    if not isinstance(keywords.get("backend"), str):
        return "numpy"
    return check_backend(str(keywords.pop("backend")))


def drop_options(keywords: dict[str, object]) -> None:
    """The options checked and taken out: at a single point they change nothing."""
    errors_option(keywords)
    backend_option(keywords)


def check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ValuesError(f"backend is 'numpy' or 'numba', not {backend!r}")
    return backend


def check_threads(threads: int | None) -> int:
    """The number of threads a blocked program may use: ``None`` is one per core."""
    if threads is None:
        return cores()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValuesError(f"threads is a positive whole number or None, not {threads!r}")
    return threads


def cores() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def check_errors(errors: str) -> str:
    if errors not in ERRORS:
        raise ValuesError(f"errors is 'warn', 'raise' or 'ignore', not {errors!r}")
    return errors


# --- programs ---------------------------------------------------------------------------


@dataclass(eq=False)
class ArrayProgram:
    """A generated NumPy function and what it computes: ``function(x0, x1, ...)`` returns
    the roots' values, then each sweep's partials, as one flat tuple."""

    roots: tuple[Expr, ...]
    variables: tuple[Expr, ...]
    sweeps: tuple[Sweep, ...]
    algebra: NumpyAlgebra
    results: tuple[str, ...]
    # The same program writing into dying intermediates (``out=``), by which parameters
    # are arrays: for calls where every array has the result's shape.
    variants: dict[tuple[int, ...], Callable[..., tuple[Any, ...]]] = field(default_factory=dict)

    # The same program run block by block (``codegen.numpy.blocked``), by array parameters.
    blocked_variants: dict[tuple[int, ...], Callable[..., Any]] = field(default_factory=dict)
    loops: dict[tuple[int, ...], Callable[..., float]] = field(default_factory=dict)
    _function: Callable[..., tuple[Any, ...]] | None = field(default=None, repr=False)
    _source: str | None = field(default=None, repr=False)

    @property
    def source(self) -> str:
        """The program over whole arrays, as text (written at its first use)."""
        if self._source is None:
            self._source = _source(self.algebra, self.results, len(self.variables), set(), False)
        return self._source

    @property
    def function(self) -> Callable[..., tuple[Any, ...]]:
        """The program over whole arrays, compiled at its first use: most calls run the
        blocked variant instead, and Python takes about half a second to compile the
        program of a 3,000-term sum."""
        if self._function is None:
            self._function = define("array_program", self.source, self.algebra.namespace)
        return self._function

    @property
    def outputs(self) -> int:
        return len(self.roots) + sum(len(sweep.wanted) for sweep in self.sweeps)

    def in_place(self, arrays: tuple[int, ...]) -> Callable[..., tuple[Any, ...]]:
        """The variant for calls whose array parameters are ``arrays``, all of the
        result's shape (so an intermediate computed from one is an array of that shape)."""
        function = self.variants.get(arrays)
        if function is None:
            names = {f"x{i}" for i in arrays}
            source = _source(self.algebra, self.results, len(self.variables), names, True)
            function = define("array_program", source, self.algebra.namespace)
            self.variants[arrays] = function
        return function

    def blocked(self, arrays: tuple[int, ...]) -> Callable[..., Any]:
        """The blocked variant for calls whose array parameters are ``arrays``, all of the
        result's shape and flat without a copy."""
        function = self.blocked_variants.get(arrays)
        if function is None:
            names = {f"x{i}" for i in arrays}
            lines = blocked(self.algebra.calls, names, self.results, len(self.variables))
            function = define("blocked_program", "\n".join(lines), self.algebra.namespace)
            self.blocked_variants[arrays] = function
        return function

    def fused(self, arrays: tuple[int, ...]) -> Callable[..., float]:
        """The Numba loop for calls whose array parameters are ``arrays``
        (``codegen/numba.py``), compiled on first use."""
        loop = self.loops.get(arrays)
        if loop is None:
            loop, _ = fused_loop(self.roots, self.variables, self.sweeps, arrays)
            self.loops[arrays] = loop
        return loop


def build(
    roots: Sequence[Expr], variables: Sequence[Expr], sweeps: Sequence[Sweep] = ()
) -> ArrayProgram:
    algebra = NumpyAlgebra()
    try:
        program = straight_line(algebra, roots, variables, sweeps)
    except StepFailed as failure:
        # A partial that exists nowhere (polygamma's in its order n): the rule's own error.
        if isinstance(failure.cause, SymdiffError):
            raise failure.cause from None
        raise
    results = (*program.values, *(text for partials in program.partials for text in partials))
    return ArrayProgram(tuple(roots), tuple(variables), tuple(sweeps), algebra, results)


def _source(
    algebra: NumpyAlgebra,
    results: Sequence[str],
    count: int,
    arrays: set[str],
    in_place: bool,
) -> str:
    body = schedule(algebra.calls, arrays, results, in_place)
    parameters = ", ".join(f"x{i}" for i in range(count))
    return "\n".join(
        [
            f"def array_program({parameters}):",
            *(f"    {line}" for line in body),
            f"    return ({', '.join(results)},)",
        ]
    )


# --- reading inputs ---------------------------------------------------------------------


def read_array_point(
    variables: Sequence[str],
    values: Mapping[str, object] | None,
    keywords: Mapping[str, object],
) -> list[object]:
    """The variables' values in ``variables`` order: floats and arrays, the arrays not yet
    checked finite (``run(..., checked=False)`` does that)."""
    if values is not None and not isinstance(values, Mapping):
        raise ValuesError(
            f"values are a mapping from names to numbers, not {type(values).__name__}"
        )
    point = {**(values or {}), **keywords}
    missing = [name for name in variables if name not in point]
    if missing:
        raise ValuesError(f"no value given for {', '.join(missing)}")
    for name, value in point.items():
        if name not in variables:
            argument(name, value)  # extra names are allowed, but must be numbers too
    return [argument(name, point[name], check=False) for name in variables]


def extra_arrays(
    variables: Sequence[str], values: Mapping[str, object] | None, keywords: Mapping[str, object]
) -> list[Any]:
    """The arrays given for names the expression does not use: they broadcast too."""
    point = {**(values or {}), **keywords}
    return [v for name, v in point.items() if name not in variables and is_array(v)]


def widen(outputs: list[Any], extras: Sequence[Any]) -> list[Any]:
    """``outputs`` broadcast with the shapes of ``extras`` (f(x) given x and y is f(x)
    at every (x, y), as NumPy broadcasts)."""
    if not extras:
        return outputs
    np = numpy_module()
    if any(is_dask(o) for o in outputs) or any(is_dask(e) for e in extras):
        da = importlib.import_module("dask.array")
        shape = da.broadcast_shapes(*(np.shape(a) for a in [*outputs, *extras]))
        return [da.broadcast_to(o, shape) for o in outputs]
    shape = np.broadcast_shapes(*(np.shape(a) for a in [*outputs, *extras]))
    return [o if o.shape == shape else np.array(np.broadcast_to(o, shape)) for o in outputs]


def argument(name: object, value: object, check: bool = True) -> object:
    """A checked input: a float, a float64 NumPy array, or a Dask array (checked later).
    ``check=False`` leaves a NumPy array's finiteness to ``run``, which checks it block by
    block while the blocks are in cache, instead of a pass over memory here."""
    if not isinstance(name, str):
        raise ValuesError(f"variable names are strings, not {type(name).__name__} ({name!r})")
    if not is_array(value):
        if not is_real(value):
            raise ValuesError(
                f"the value of {name} must be a real number or an array of them,"
                f" not {type(value).__name__}"
            )
        return real_number(value, f"the value of {name}")
    np = numpy_module()
    if is_dask(value):
        if getattr(value, "dtype", None) is None or value.dtype.kind not in "iuf":  # type: ignore[attr-defined]
            raise ValuesError(f"the array for {name} must hold real numbers")
        return value
    if isinstance(value, np.ma.MaskedArray):
        raise ValuesError(masked_message(name))
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise ValuesError(f"the array for {name} must hold real numbers, not {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if check:
        _check_finite(name, array)
    return array


def masked_message(name: str) -> str:
    """Why a masked array is refused: its mask would be dropped, and the values under it
    computed (and warned about) like the others."""
    return (
        f"the array for {name} is a masked array, whose mask symdiff would ignore: "
        f"give {name}.compressed(), or {name}.data and mask the results"
    )


def _check_finite(name: str, array: Any, offset: Sequence[int] = ()) -> None:
    np = numpy_module()
    with np.errstate(all="ignore"):
        if array.size and np.isfinite(array.sum() * 0.0):  # one cheap pass for the usual case
            return
    bad = ~np.isfinite(array)
    if bad.any():
        index = _shift(np.unravel_index(int(np.argmax(bad)), array.shape), offset)
        raise ValuesError(
            f"the array for {name} must be finite, but holds {array[bad].flat[0]!r}"
            f" at index {index} ({int(bad.sum())} such elements)"
        )


def _shift(index: Sequence[Any], offset: Sequence[int]) -> tuple[int, ...]:
    if not offset:
        return tuple(int(i) for i in index)
    return tuple(int(i) + int(o) for i, o in zip(index, offset, strict=True))


# --- running ----------------------------------------------------------------------------


class _Workers:
    """The threads blocked programs share, one fewer than the cores (the calling thread
    takes a range too), started on first use and again in a forked child."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._pid = 0
        self.count = max(1, cores() - 1)

    def pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    self.count, thread_name_prefix="symdiff-blocks"
                )
                self._pid = os.getpid()
            return self._pool


_WORKERS = _Workers()


def _quietly(blocks: Callable[[int, int], float], begin: int, end: int) -> float:
    # NumPy's error state belongs to each thread (a context variable): set it here too.
    with numpy_module().errstate(all="ignore"):
        return blocks(begin, end)


def threads_for(limit: int, size: int) -> int:
    """How many threads share a blocked program over ``size`` elements: at most ``limit``
    (a checked ``threads``), and ``PER_THREAD`` elements each at least."""
    return max(1, min(limit, _WORKERS.count + 1, size // PER_THREAD))


def _spread(count: int, blocks: Callable[[int, int], float], size: int) -> float:
    """``blocks`` over the elements 0 to ``size``, in ``count`` ranges of equal size, one
    per thread; the calling thread takes the first. The sum of what the ranges return.

    Equal ranges, not whole blocks: each range's last block is shorter, and no thread gets
    a block more than another (10^6 elements in blocks of 2^16 made ranges of 8 and 7.26
    blocks, so the call waited 5% longer for the first)."""
    if count <= 1:
        return blocks(0, size)
    bounds = [size * k // count for k in range(count + 1)]
    pool = _WORKERS.pool()
    others = [
        pool.submit(_quietly, blocks, bounds[k], bounds[k + 1])
        for k in range(1, count)
        if bounds[k] < bounds[k + 1]
    ]
    try:
        check = blocks(bounds[0], bounds[1])
    finally:
        # Never return while another thread still writes into the outputs.
        concurrent.futures.wait(others)
    return check + sum(future.result() for future in others)


@functools.cache
def spreader(count: int) -> Callable[[Callable[[int, int], float], int], float]:
    """The ``spread`` a blocked program is called with, for ``count`` threads."""
    return functools.partial(_spread, count)


def broadcast_shape(np: Any, values: Sequence[object], names: Sequence[str]) -> Any:
    """The shape ``values`` broadcast to, or a ValuesError naming the arrays that do not
    broadcast together."""
    try:
        return np.broadcast_shapes(*(np.shape(value) for value in values))
    except ValueError:
        raise _not_broadcast(np, values, names) from None


def _not_broadcast(np: Any, values: Sequence[object], names: Sequence[str]) -> ValuesError:
    shapes = ", ".join(
        f"{name} {np.shape(value)}"
        for name, value in zip(names, values, strict=True)
        if np.shape(value)
    )
    return ValuesError(f"the arrays do not broadcast together: {shapes}")


def run(
    program: ArrayProgram,
    arguments: Sequence[object],
    names: Sequence[str],
    errors: str = "warn",
    offset: Sequence[int] = (),
    stacklevel: int = 4,
    backend: str = "numpy",
    checked: bool = True,
    threads: int | None = None,
) -> list[Any]:
    """Every output of ``program`` at ``arguments`` (floats and arrays), as arrays of the
    broadcast shape, under the domain policy above. Dask arrays give Dask arrays.
    ``checked=False``: the NumPy arrays among ``arguments`` are not yet known finite
    (``argument(..., check=False)``); a ValuesError if one is not.

    Where every array argument has the broadcast shape and reads as a flat array without
    a copy (the usual case), the NumPy program runs block by block (``BLOCK``), on up to
    ``threads`` threads (``None``: one per core); otherwise over whole arrays.

    ``backend="numba"`` runs the fused loop of ``codegen/numba.py`` instead of the NumPy
    program (the same numbers, up to the last bit of a few library functions)."""
    if any(is_dask(a) for a in arguments):
        return _run_dask(program, arguments, names, errors, backend)
    limit = check_threads(threads)
    np = numpy_module()
    inputs = [np.float64(a) if isinstance(a, float) else a for a in arguments]
    shape = broadcast_shape(np, inputs, names)
    arrays = tuple(i for i, a in enumerate(inputs) if isinstance(a, np.ndarray))
    raw: Sequence[Any]
    finite = False  # known finite without a check
    loop = None
    if backend == "numba" and shape:
        # A function Numba cannot compile (digamma...): the NumPy program answers.
        with contextlib.suppress(Unsupported):
            loop = program.fused(arrays)
    if loop is not None:
        if not checked:
            _check_inputs(inputs, names, arrays)
        raw, finite = run_fused(loop, inputs, shape, program.outputs)
    elif shape and arrays and all(_flat_view(inputs[i], shape) for i in arrays):
        size = int(np.prod(shape))
        with np.errstate(all="ignore"):
            count = threads_for(limit, size)
            width = max(1, min(BLOCK if count == 1 else THREAD_BLOCK, size))
            spread = spreader(count)
            check, raw = program.blocked(arrays)(*inputs, shape, size, width, spread)
            # The sum covers the outputs computed in the loop and every array input (those
            # no output shows are summed themselves); the other outputs are inputs or
            # numbers, the numbers checked here.
            finite = bool(check - check == 0) and all(
                bool(np.isfinite(r)) for r in raw if np.ndim(r) == 0
            )
        if not finite and not checked:
            _check_inputs(inputs, names, arrays)
    else:
        if not checked:
            _check_inputs(inputs, names, arrays)
        function = program.function
        if shape and arrays and all(np.shape(inputs[i]) == shape for i in arrays):
            function = program.in_place(arrays)
        with np.errstate(all="ignore"):
            raw = function(*inputs)
    outputs = []
    # Never hand back (or later write NaN into) an input, nor one array as two outputs.
    taken = {id(a) for a in inputs}
    for result in raw:
        if np.shape(result) != shape:
            result = np.broadcast_to(result, shape)
        if not isinstance(result, np.ndarray) or not result.flags.writeable:
            result = np.array(result, dtype=np.float64)
        elif id(result) in taken:
            result = result.copy()
        taken.add(id(result))
        outputs.append(result)
    if finite:
        return outputs
    with np.errstate(all="ignore"):
        clean = all(np.isfinite(o.sum() * 0.0) for o in outputs if o.size)
    if clean:
        return outputs
    offending = np.zeros(shape, dtype=bool)
    for o in outputs:
        offending |= ~np.isfinite(o)
    if not offending.any():
        return outputs  # a sum overflowed, no element did
    if errors != "ignore":
        message, subexpression, point = _diagnose(program, inputs, names, offending, offset)
        if errors == "raise":
            raise DomainError(message, subexpression, point)
        warnings.warn(SymdiffWarning(f"{message}; they are NaN"), stacklevel=stacklevel)
    for o in outputs:
        o[offending] = np.nan
    return outputs


def _check_inputs(inputs: Sequence[Any], names: Sequence[str], arrays: Sequence[int]) -> None:
    for i in arrays:
        _check_finite(names[i], inputs[i])


def _flat_view(array: Any, shape: tuple[int, ...]) -> bool:
    """Whether ``array`` has ``shape`` and reads as a flat array without a copy."""
    return bool(array.shape == shape and (array.ndim == 1 or array.flags.c_contiguous))


def _run_dask(
    program: ArrayProgram,
    arguments: Sequence[object],
    names: Sequence[str],
    errors: str,
    backend: str,
) -> list[Any]:
    np = numpy_module()
    da = importlib.import_module("dask.array")
    positions = [i for i, a in enumerate(arguments) if is_array(a)]
    try:
        arrays = da.broadcast_arrays(*(da.asarray(arguments[i]) for i in positions))
    except ValueError:
        raise _not_broadcast(np, arguments, names) from None
    count = program.outputs

    def block(*blocks: Any, block_info: dict[Any, Any] | None = None) -> Any:
        values = list(arguments)
        for i, b in zip(positions, blocks, strict=True):
            values[i] = argument(names[i], b, check=False) if not is_dask(b) else b
        location = (block_info or {}).get(0, {}).get("array-location", ())
        offset = [start for start, _ in location]
        for i in positions:
            _check_finite(names[i], values[i], offset)
        # Dask runs chunks on threads of its own: each chunk runs on the thread it is given.
        outputs = run(program, values, names, errors, offset, 2, backend, threads=1)
        return np.stack(outputs) if outputs else np.empty((0, *blocks[0].shape))

    stacked = da.map_blocks(
        block,
        *arrays,
        new_axis=0,
        chunks=((count,), *arrays[0].chunks),
        dtype=np.float64,
        meta=np.empty((0,) * (arrays[0].ndim + 1), dtype=np.float64),
    )
    return [stacked[k] for k in range(count)]


# --- saying what went wrong -------------------------------------------------------------


class ArrayAlgebra(Algebra[Any]):
    """NumPy arrays, op by op through the NumPy table: for diagnosis only."""

    def constant(self, value: int | float) -> Any:
        return float(value)

    def apply(self, op: Op, *args: Any) -> Any:
        return kernel(op)(*args)

    def unless_zero(self, value: Any, partial: Callable[[], Any]) -> Any:
        np = numpy_module()
        return np.where(np.asarray(value) == 0, 0.0, partial())


_ARRAYS = ArrayAlgebra()


def _diagnose(
    program: ArrayProgram,
    inputs: Sequence[Any],
    names: Sequence[str],
    offending: Any,
    offset: Sequence[int],
) -> tuple[str, str, dict[str, float]]:
    """The message, the failing subexpression's text and the point at the first offending
    element, by the interpreter over arrays: the first node (in evaluation order) whose
    value, or whose partial, is not finite where its arguments are."""
    np = numpy_module()
    shape = offending.shape
    flat_first = int(np.argmax(offending))
    first = np.unravel_index(flat_first, shape)
    count = int(offending.sum())
    point = {
        name: float(np.broadcast_to(value, shape)[first])
        for name, value in zip(names, inputs, strict=True)
    }
    at = ", ".join(f"{name} = {value!r}" for name, value in point.items())
    where = (
        f" at {count} of {offending.size} elements (the first at index"
        f" {_shift(first, offset)}, where {at})"
    )
    leaf = dict(zip(program.variables, inputs, strict=True))
    order = topological_order([*program.roots, *(s.root for s in program.sweeps)])
    values: dict[Expr, Any] = {}
    failed: tuple[Expr, Expr | None] | None = None
    with np.errstate(all="ignore"):
        for node in order:
            if is_variable(node):
                values[node] = leaf[node]
            elif is_constant(node):
                values[node] = float(node.payload)  # type: ignore[arg-type]
            else:
                args = [values[a] for a in node.args]
                values[node] = result = _ARRAYS.apply(node.op, *args)
                if _newly_not_finite(result, args):
                    failed = (node, None)
                    break
        if failed is None:
            failed = _failed_partial(program, values)
    if failed is None:
        return f"the result is not finite{where}", excerpt(program.roots[0]), point
    node, arg = failed
    if arg is not None:
        message = f"{excerpt(node)} has no derivative with respect to {excerpt(arg)}{where}"
    else:
        domain = f" ({node.op.name} needs {node.op.domain})" if node.op.domain else ""
        message = f"{excerpt(node)} is undefined or too large{domain}{where}"
    return message, excerpt(node), point


def _newly_not_finite(result: Any, args: Sequence[Any]) -> bool:
    np = numpy_module()
    bad = ~np.isfinite(result)
    for a in args:
        bad = bad & np.isfinite(a)
    return bool(np.any(bad))


def _failed_partial(program: ArrayProgram, values: dict[Expr, Any]) -> tuple[Expr, Expr] | None:
    """The first partial, in each sweep's reverse order, that is not finite where the
    adjoint reaching it and the arguments are (the reverse sweep, step by step)."""
    for sweep in program.sweeps:
        order = topological_order([sweep.root])
        active = active_nodes(order, set(sweep.wanted))
        adjoints: dict[Expr, Any] = {sweep.root: 1.0}
        for node in reversed(order):
            adjoint = adjoints.get(node)
            if adjoint is None or not node.args:
                continue
            args = [values[a] for a in node.args]
            for i, arg in enumerate(node.args):
                if arg not in active:
                    continue
                partial = node.op.partials[i](_ARRAYS, values[node], *args)
                if _ARRAYS.is_zero(partial):
                    continue
                contribution = adjoint * partial
                if _newly_not_finite(contribution, [adjoint, *args]):
                    return node, arg
                previous = adjoints.get(arg)
                adjoints[arg] = contribution if previous is None else previous + contribution
    return None
