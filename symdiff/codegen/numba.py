"""The optional fast backend: the same straight-line value-and-derivative code, compiled by
Numba into one fused loop over the elements (``pip install 'symdiff[fast]'``).

Where the NumPy program makes one pass over memory per op (and a temporary array per
intermediate), the fused loop reads each input element once, keeps every intermediate in
a register and writes each output once: the whole gradient costs about what one pass of
the plain NumPy value costs. Compiling takes about a second per expression and array
layout, so it pays off on large arrays evaluated more than once.

How each op is written is the table ``NUMBA``, keyed by op (scalar code Numba compiles:
``math`` and NumPy's scalar functions). Numba is imported only when a fused loop is built.
Its float division by zero gives ``inf`` or ``nan`` as NumPy's does (``error_model="numpy"``),
so the domain policy of ``numeric/arrays.py`` applies to its results unchanged.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from ..ir.nodes import Expr
from ..ir.ops import Op
from .numpy import numpy_module
from .program import Sweep, straight_line
from .python import CodeAlgebra, Literal, Value, define

# x ** n for an int n is computed by repeated squaring: within an ulp or two of pow.
_LARGEST_INTEGER_EXPONENT = 16

# None: no scalar code Numba compiles (the function is ours, in Python): the fused loop is
# refused for such an expression, and the NumPy program answers it.
NUMBA: dict[str, str | None] = {
    "add": "{0} + {1}",
    "sub": "{0} - {1}",
    "mul": "{0} * {1}",
    "div": "{0} / {1}",
    "neg": "-{0}",
    "pow": "{0} ** {1}",
    "pi": "math.pi",  # constants are folded when the code is generated
    "e": "math.e",
    "sin": "math.sin({0})",
    "cos": "math.cos({0})",
    "tan": "math.tan({0})",
    "sec": "1.0 / math.cos({0})",
    "csc": "1.0 / math.sin({0})",
    "cot": "math.cos({0}) / math.sin({0})",
    "asin": "math.asin({0})",
    "acos": "math.acos({0})",
    "atan": "math.atan({0})",
    "sinh": "math.sinh({0})",
    "cosh": "math.cosh({0})",
    "tanh": "math.tanh({0})",
    "asinh": "math.asinh({0})",
    "acosh": "math.acosh({0})",
    "atanh": "math.atanh({0})",
    "exp": "math.exp({0})",
    "log": "math.log({0})",
    # log(x, 0) has no value (math.log(0) raises in Python; -inf here would give 0).
    "log_base": "math.log({0}) / (math.log({1}) if {1} != 0.0 else math.nan)",
    "log10": "math.log10({0})",
    "log2": "math.log2({0})",
    "sqrt": "math.sqrt({0})",
    "cbrt": "np.cbrt({0})",
    "abs": "abs({0})",
    "sign": "np.sign({0})",
    "erf": "math.erf({0})",
    "atan2": "math.atan2({0} + 0.0, {1} + 0.0)",  # one zero: -0.0 + 0.0 is 0.0
    "hypot": "math.hypot({0}, {1})",
    "min": "({0} if {0} <= {1} else {1})",
    "max": "({0} if {0} >= {1} else {1})",
    "sech": "1.0 / math.cosh({0})",
    "csch": "1.0 / math.sinh({0})",
    "coth": "1.0 / math.tanh({0})",
    "asec": "math.acos(1.0 / {0})",
    "acsc": "math.asin(1.0 / {0})",
    "acot": "(math.pi / 2 if {0} == 0.0 else math.atan(1.0 / {0}))",
    "asech": "math.acosh(1.0 / {0})",
    "acsch": "math.asinh(1.0 / {0})",
    "acoth": "math.atanh(1.0 / {0})",
    "log1p": "math.log1p({0})",
    "expm1": "math.expm1({0})",
    "exp2": "2.0 ** {0}",
    "sinc": "(1.0 if {0} == 0.0 else math.sin({0}) / {0})",
    "heaviside": "(0.5 if {0} == 0.0 else (1.0 if {0} > 0.0 else (0.0 if {0} < 0.0 else {0})))",
    "gamma": "math.gamma({0})",
    "lgamma": "math.lgamma({0})",
    "erfc": "math.erfc({0})",
    "digamma": None,
    "polygamma": None,
    "lambertw": None,
    "root": None,
}


class Unsupported(Exception):
    """An op with no Numba code in the table: the NumPy program answers instead."""


def numba_module() -> Any:
    """Numba, imported on first use; ImportError when it is not installed."""
    return importlib.import_module("numba")


class NumbaAlgebra(CodeAlgebra):
    """Scalar code for the loop body: each op applied to a name emits one assignment."""

    def __init__(self) -> None:
        super().__init__()
        self.namespace.update({"math": importlib.import_module("math"), "np": numpy_module()})

    def write(self, op: Op, args: Sequence[Value]) -> Value:
        if op.key == "pow" and isinstance(args[1], Literal):
            if args[1].value == 1:
                return args[0]  # exact (policy 4)
            if args[1].value == 2:
                return self.emit(f"{self.source(args[0])} * {self.source(args[0])}")  # exact
            exponent = args[1].as_float()
            if exponent.is_integer() and abs(exponent) <= _LARGEST_INTEGER_EXPONENT:
                # An int exponent: Numba multiplies (by squaring) instead of calling pow.
                return self.emit(f"{self.source(args[0])} ** {int(exponent)}")
            if (2 * exponent).is_integer() and 0 < exponent <= _LARGEST_INTEGER_EXPONENT:
                # x^(k + 1/2) as in codegen/numpy.py: |x^k| * (sqrt(x) + 0.0), pow's signs
                # of zero and NaNs, and sqrt is one instruction where pow is a call.
                base = self.source(args[0])
                root = f"(math.sqrt({base}) + 0.0)"
                whole = int(exponent - 0.5)
                if whole == 0:
                    return self.emit(root)
                return self.emit(f"abs({base} ** {whole}) * {root}")
        template = NUMBA[op.key]
        if template is None:
            raise Unsupported(op.name)
        return self.emit(template.format(*(self.source(a) for a in args)))


def fused_source(
    roots: Sequence[Expr],
    variables: Sequence[Expr],
    sweeps: Sequence[Sweep],
    arrays: Sequence[int],
) -> tuple[str, dict[str, Any]]:
    """The loop ``fused(n, p0, p1, ..., o0, o1, ...)``: parameter ``p<k>`` is a flat array
    when ``k`` is in ``arrays`` (read at each element) and a float otherwise; the flat
    array ``o<j>`` receives output ``j`` (the roots' values, then each sweep's partials).
    It returns 0.0 when every output is finite, else nan."""
    algebra = NumbaAlgebra()
    program = straight_line(algebra, roots, variables, sweeps)
    results = [*program.values, *(text for partials in program.partials for text in partials)]
    parameters = [f"p{i}" for i in range(len(variables))]
    outputs = [f"o{j}" for j in range(len(results))]
    head = [f"def fused({', '.join(['n', *parameters, *outputs])}):"]
    head += [f"    x{i} = p{i}" for i in range(len(variables)) if i not in arrays]
    # residue is 0.0 where every output is finite (inf - inf and nan - nan are nan): the
    # domain policy then needs no pass of its own over the outputs. An "or" of booleans,
    # unlike a float sum, leaves LLVM free to vectorise the loop (floats are not
    # reassociated without fastmath), which makes arithmetic-only loops 2-3x faster.
    loop = ["    bad = False", "    for i in range(n):"]
    loop += [f"        x{i} = p{i}[i]" for i in arrays]
    loop += [f"        {line}" for line in program.lines]
    loop += [f"        o{j}[i] = {text}" for j, text in enumerate(results)]
    loop += [f"        residue = {' + '.join(f'({t} - {t})' for t in results) or '0.0'}"]
    loop += ["        bad |= residue != residue"]
    return "\n".join([*head, *loop, "    return math.nan if bad else 0.0"]), algebra.namespace


def fused_loop(
    roots: Sequence[Expr],
    variables: Sequence[Expr],
    sweeps: Sequence[Sweep],
    arrays: Sequence[int],
) -> tuple[Callable[..., float], str]:
    """The fused loop compiled by Numba (on its first call), and its source."""
    source, namespace = fused_source(roots, variables, sweeps, arrays)
    python = define("fused", source, namespace)
    compiled: Callable[..., float] = numba_module().njit(error_model="numpy", nogil=True)(python)
    return compiled, source


def run_fused(
    loop: Callable[..., float], inputs: Sequence[Any], shape: tuple[int, ...], outputs: int
) -> tuple[list[Any], bool]:
    """``outputs`` arrays of ``shape`` from the loop, and whether all are finite: every
    array input is read as a flat array of that shape (copied only when it must be
    broadcast or made contiguous)."""
    np = numpy_module()
    flat = [
        np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1)
        if isinstance(a, np.ndarray)
        else float(a)
        for a in inputs
    ]
    size = 1
    for extent in shape:
        size *= extent
    # One array per output, not rows of one block: a block of several 8 MB outputs is
    # fresh pages (mmap) at every call, where arrays of 8 MB come from the allocator's heap.
    out = [np.empty(size, dtype=np.float64) for _ in range(outputs)]
    check = loop(size, *flat, *out)
    return [row.reshape(shape) for row in out], check == 0.0
