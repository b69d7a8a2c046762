"""Straight-line NumPy for an expression's value and derivatives over arrays, from the graph.

The same reverse sweep as ``codegen/python.py`` runs under :class:`NumpyAlgebra`, which
writes each op as NumPy from the table ``NUMPY`` (one line per op, keyed by op), so the
generated function takes arrays of any shape, mixed with floats, and broadcasts as NumPy
does. Shared subexpressions are one node of the graph, so each is computed once: the DAG is
the common-subexpression elimination. :func:`schedule` then frees each intermediate after
its last use and lets a ufunc write into a dying intermediate (``out=``), so a program
holds a bounded working set of arrays and allocates few new ones; :func:`blocked` writes
the same program as a loop over blocks of the arrays small enough to stay in cache.

NumPy is optional: nothing here imports it until an array program is built
(:func:`numpy_module`, through importlib, so that ``import symdiff`` stays free of it).
Array code never raises at a bad element: NumPy gives ``inf`` or ``nan`` there (run it
under ``np.errstate(all="ignore")``), and ``numeric/arrays.py`` applies the domain policy.
"""

from __future__ import annotations

import importlib
import math
import re
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from ..ir.ops import OPS, Op
from .python import CodeAlgebra, Literal, Name, Negated, Value

# How each op is written. A bare name (``np.add``) is a ufunc called on the arguments,
# which may write into a dying intermediate; a template spells the call out over {0}, {1}.
# ``FALLBACK`` is for an op NumPy lacks: the op table's own ``numeric`` function applied
# elementwise (np.frompyfunc: slower, and exactly the scalar path's numbers).
FALLBACK = "fallback"

# x ** n for an int n up to this is multiplied out (NumpyAlgebra._integer_power): np.power
# costs about ten multiplications per element.
_LARGEST_INTEGER_EXPONENT = 16

# For each ufunc, the arguments a non-finite element always passes on as a non-finite
# element (inf * 0 is nan, inf - inf is nan, sin(inf) is nan), so a blocked program need
# not check an input that reaches an output through these alone: the output shows it. Not
# np.exp (exp(-inf) = 0), nor a denominator (x / inf = 0).
_PROPAGATING: dict[str, tuple[int, ...]] = {
    "np.add": (0, 1),
    "np.subtract": (0, 1),
    "np.multiply": (0, 1),
    "np.negative": (0,),
    "np.square": (0,),
    "np.absolute": (0,),
    "np.sqrt": (0,),
    "np.divide": (0,),
    "np.sin": (0,),
    "np.cos": (0,),
    "np.tan": (0,),
    "np.log": (0,),
}

# Terms per line of a blocked program's check sum: one long sum would nest too deeply for
# Python's compiler.
_SUMMED_PER_LINE = 64

NUMPY: dict[str, str] = {
    "add": "np.add",
    "sub": "np.subtract",
    "mul": "np.multiply",
    "div": "np.divide",
    "neg": "np.negative",
    "pow": "np.power",  # x^1 is x; x^2..x^16, x^0.5..x^15.5 multiplied out: NumpyAlgebra.write
    "pi": "np.pi",  # constants are folded when the code is generated
    "e": "np.e",
    "sin": "np.sin",
    "cos": "np.cos",
    "tan": "np.tan",
    "sec": "np.divide(1.0, np.cos({0}))",
    "csc": "np.divide(1.0, np.sin({0}))",
    "cot": "np.divide(np.cos({0}), np.sin({0}))",
    "asin": "np.arcsin",
    "acos": "np.arccos",
    "atan": "np.arctan",
    "sinh": "np.sinh",
    "cosh": "np.cosh",
    "tanh": "np.tanh",
    "asinh": "np.arcsinh",
    "acosh": "np.arccosh",
    "atanh": "np.arctanh",
    "exp": "np.exp",
    "log": "np.log",
    # log(x, 0) has no value (math.log(0) raises): NumPy's log(0) = -inf would give 0.
    "log_base": "np.divide(np.log({0}), np.log(np.where({1} == 0, np.nan, {1})))",
    "log10": "np.log10",
    "log2": "np.log2",
    "sqrt": "np.sqrt",
    "cbrt": "np.cbrt",
    "abs": "np.absolute",
    "sign": "np.sign",
    "erf": FALLBACK,  # NumPy has no erf (SciPy's is not a dependency)
    "atan2": "np.arctan2({0} + 0.0, {1} + 0.0)",  # one zero: -0.0 + 0.0 is 0.0
    "hypot": "np.hypot",
    "min": "np.minimum",
    "max": "np.maximum",
    # The wider table: reciprocals through NumPy's ufuncs (1/0 = inf, then the domain policy).
    "sech": "np.divide(1.0, np.cosh({0}))",
    "csch": "np.divide(1.0, np.sinh({0}))",
    "coth": "np.divide(1.0, np.tanh({0}))",
    "asec": "np.arccos(np.divide(1.0, {0}))",
    "acsc": "np.arcsin(np.divide(1.0, {0}))",
    "acot": FALLBACK,  # acot(0) = pi/2, and atan(1/x) elsewhere: the scalar function's convention
    "asech": "np.arccosh(np.divide(1.0, {0}))",
    "acsch": "np.arcsinh(np.divide(1.0, {0}))",
    "acoth": "np.arctanh(np.divide(1.0, {0}))",
    "log1p": "np.log1p",
    "expm1": "np.expm1",
    "exp2": "np.exp2",
    # sin(x)/x, 1 at 0 (np.sinc is the normalised sin(pi x)/(pi x)).
    "sinc": "np.where({0} == 0, 1.0, np.sin({0}) / np.where({0} == 0, 1.0, {0}))",
    "heaviside": "np.heaviside({0}, 0.5)",
    # Special functions NumPy lacks (SciPy's are not a dependency): the scalar functions.
    "gamma": FALLBACK,
    "lgamma": FALLBACK,
    "digamma": FALLBACK,
    "polygamma": FALLBACK,
    "erfc": FALLBACK,
    "lambertw": FALLBACK,
    "root": FALLBACK,  # exact on perfect powers, odd roots of negatives: the scalar function
}

_modules: dict[str, Any] = {}


def numpy_module() -> Any:
    """NumPy, imported on first use (it is optional: ``pip install numpy``)."""
    module = _modules.get("numpy")
    if module is None:
        module = _modules["numpy"] = importlib.import_module("numpy")
    return module


def _elementwise(op: Op) -> Callable[..., Any]:
    """The op's ``numeric`` function applied elementwise, NaN where it raises."""

    def scalar(*args: float) -> float:
        try:
            return float(op.numeric(*args))
        except (ArithmeticError, ValueError):
            return math.nan

    np = numpy_module()
    function = np.frompyfunc(scalar, op.arity, 1)
    return lambda *args: np.asarray(function(*args), dtype=np.float64)


# Scratch rows kept from one call of a blocked program to the next, per thread, up to this
# many bytes: allocating them afresh at every call (megabytes on threads) made the memory
# allocator hand pages back and fault them in again, outputs included, at every call (2,300
# to 2,800 page faults and 8 to 21 ms for the Gaussian's value and gradient at 10^6 points
# on two threads, against none and 4.8 ms with the rows kept).
SCRATCH_KEPT = 64 * 2**20

_KEPT = threading.local()


def kept_scratch(rows: int, width: int) -> Any:
    """``rows`` scratch rows of ``width`` floats for a blocked program (``blocked``), from a
    buffer this thread keeps (up to ``SCRATCH_KEPT`` bytes; larger ones are made afresh).
    A thread runs one blocked call at a time, and the rows never leave the call."""
    np = numpy_module()
    size = rows * width
    if size * 8 > SCRATCH_KEPT:
        return np.empty((rows, width))
    buffer = getattr(_KEPT, "buffer", None)
    if buffer is None or buffer.size < size:
        buffer = _KEPT.buffer = np.empty(size)
    return buffer[:size].reshape(rows, width)


def namespace() -> dict[str, Any]:
    """What array code refers to: NumPy as ``np``, each fallback op as ``_<key>``, and
    ``_scratch`` for a blocked program's scratch rows."""
    names: dict[str, Any] = {"np": numpy_module(), "_scratch": kept_scratch}
    for key, text in NUMPY.items():
        if text == FALLBACK:
            names[f"_{key}"] = _elementwise(OPS[key])
    return names


def template(op: Op) -> str:
    """The op as a template over its arguments: ``np.sin({0})``, ``_erf({0})``."""
    text = NUMPY[op.key]
    if text == FALLBACK:
        text = f"_{op.key}"
    if "{" in text or op.arity == 0:
        return text
    return f"{text}({', '.join(f'{{{i}}}' for i in range(op.arity))})"


_kernels: dict[str, Callable[..., Any]] = {}


def kernel(op: Op) -> Callable[..., Any]:
    """The op as a Python function of arrays, from its template (for the interpreter that
    diagnoses a domain problem); generated from the table, never from user text."""
    function = _kernels.get(op.key)
    if function is None:
        parameters = [f"a{i}" for i in range(op.arity)]
        source = f"lambda {', '.join(parameters)}: {template(op).format(*parameters)}"
        function = _kernels[op.key] = eval(source, namespace())  # table text only
    return function


@dataclass(frozen=True)
class Call:
    """One line of array code: ``target = function(arguments)``; ``ufunc`` when the
    function is a NumPy ufunc, which can write into an argument's array."""

    target: str
    function: str
    arguments: tuple[str, ...]
    ufunc: bool


class NumpyAlgebra(CodeAlgebra):
    """Values are literals or names of arrays; each op applied to a name emits one line.

    Rewrites on the way, each exact for every float (signed zeros included) except the
    last, which rounds once instead of twice: ``-(-a)`` is ``a``; ``a + -b`` is ``a - b``,
    ``-a + b`` is ``b - a``, ``a - -b`` is ``a + b``; ``-a * b`` and ``-a / b`` are
    ``-(a*b)`` and ``-(a/b)``, with the sign folded into a constant factor when there is
    one; and ``c * (1/b)``, the reverse sweep's chain rule through a division, is ``c/b``.
    A negated parameter (``-G*m1*m2``) is negated once, where it is read, rather than
    carried to every partial it reaches (as a negation of each); integer and half-integer
    powers are multiplied out (within a few ulps of pow).
    """

    def __init__(self) -> None:
        super().__init__()
        self.namespace.update(namespace())
        self.calls: list[Call] = []
        # A call already written is not written again: the reverse sweep asks for cos(x)
        # for sin's partial where the forward pass may have computed it.
        self._written: dict[tuple[str, tuple[str, ...]], Name] = {}
        self._reciprocals: dict[str, str] = {}  # name of 1/b -> text of b

    def source(self, value: Value) -> str:
        if isinstance(value, Negated):
            return self.call("np.negative", [value.name]).name
        return super().source(value)

    def write(self, op: Op, args: Sequence[Value]) -> Value:
        first = args[0] if args else None
        if (
            op.key == "neg"
            and isinstance(first, Name)
            and not isinstance(first, Negated)
            and first.name.startswith("x")
        ):
            return self.call("np.negative", [first.name])  # a parameter: see the docstring
        return super().write(op, args)  # negations absorbed (CodeAlgebra.write)

    def write_op(self, op: Op, args: Sequence[Value]) -> Value:
        key = op.key
        if key in ("mul", "div"):
            return self._product(key, *args)
        text = NUMPY[key]
        if key == "pow" and isinstance(args[1], Literal):
            exponent = args[1].as_float()
            if exponent == 1:
                return args[0]  # exact (policy 4)
            if exponent.is_integer() and 2 <= exponent <= _LARGEST_INTEGER_EXPONENT:
                return self._integer_power(self.source(args[0]), int(exponent))
            if (2 * exponent).is_integer() and 0 < exponent <= _LARGEST_INTEGER_EXPONENT:
                return self._half_integer_power(self.source(args[0]), exponent)
        elif text == FALLBACK:
            text = f"_{key}"
        return self.call(text, [self.source(a) for a in args])

    def _integer_power(self, base: str, exponent: int) -> Name:
        """``base ** exponent`` by squaring and multiplying: x^2 is x*x exactly, as pow
        computes it, and x^12 is ((x^2*x)^2)^2, within a few ulps of pow at a tenth of its
        cost. The powers on the way are calls like any other, so x^5 and x^6 of one base
        share x^2 and x^4."""
        if exponent == 1:
            return Name(base)
        if exponent % 2 == 0:
            return self.call("np.square", [self._integer_power(base, exponent // 2).name])
        return self.call("np.multiply", [self._integer_power(base, exponent - 1).name, base])

    def _half_integer_power(self, base: str, exponent: float) -> Name:
        """``base ** (k + 1/2)`` as ``|base^k| * sqrt(base)``, within an ulp or two of pow
        at a third of its cost. ``sqrt(b) + 0.0`` is pow(b, 0.5) for every finite b,
        -0.0 included (sqrt(-0.0) is -0.0, pow's answer +0.0), and nan where b < 0; the
        absolute value keeps pow's +0.0 at b = -0.0 for odd k."""
        root = self.call("np.add", [self.call("np.sqrt", [base]).name, "0.0"])
        whole = int(exponent - 0.5)
        if whole == 0:
            return root
        factor = self._integer_power(base, whole)
        if whole % 2:
            factor = self.call("np.absolute", [factor.name])
        return self.call("np.multiply", [factor.name, root.name])

    def _product(self, key: str, a: Value, b: Value) -> Name:
        """``a*b`` or ``a/b`` (their signs already taken out by CodeAlgebra.write)."""
        function = "np.multiply" if key == "mul" else "np.divide"
        arguments = [self.source(a), self.source(b)]
        if key == "mul":
            for mine, other in ((arguments[1], arguments[0]), (arguments[0], arguments[1])):
                if mine in self._reciprocals:
                    function, arguments = "np.divide", [other, self._reciprocals[mine]]
                    break
        result = self.call(function, arguments)
        if function == "np.divide" and arguments[0] == "1.0":
            self._reciprocals[result.name] = arguments[1]
        return result

    def call(self, function: str, arguments: Sequence[str]) -> Name:
        key = (function, tuple(arguments))
        written = self._written.get(key)
        if written is None and function in _COMMUTATIVE:
            written = self._written.get((function, key[1][::-1]))  # a*b is b*a exactly
        if written is not None:
            return written
        ufunc = "{" not in function
        code = f"{function}({', '.join(arguments)})" if ufunc else function.format(*arguments)
        name = self.emit(code)
        self.calls.append(Call(name.name, function, key[1], ufunc and "_" not in function))
        self._written[key] = name
        return name

    def zero_or(self, value: str, general: str) -> Value:
        return self.call("np.where({0} == 0, 0.0, {1})", [value, general])  # elementwise


# Ufuncs whose two arguments may be swapped: the same number, elementwise, for all floats.
_COMMUTATIVE = frozenset(("np.multiply", "np.add"))

_NAME = re.compile(r"\b[tx]\d+\b")


def schedule(
    calls: Sequence[Call], arrays: Collection[str], results: Sequence[str], in_place: bool
) -> list[str]:
    """The program's lines: each intermediate deleted after its last use, and (when
    ``in_place``: every array argument has the result's shape) a ufunc writing into an
    argument that dies on its line, so no new array is allocated for it.

    ``arrays`` names the parameters that are arrays; an intermediate is an array when an
    argument is. Parameters are never written into: they are the caller's arrays."""
    kept = {name for text in results for name in _NAME.findall(text)}
    calls = _needed(calls, kept)
    is_array = set(arrays)
    last_use: dict[str, int] = {}
    for number, call in enumerate(calls):
        last_use.setdefault(call.target, number)  # a value nobody uses dies where made
        for text in call.arguments:
            for name in _NAME.findall(text):
                last_use[name] = number
                if name in is_array:
                    is_array.add(call.target)
    lines: list[str] = []
    for number, call in enumerate(calls):
        dying = [
            name
            for name in dict.fromkeys(n for text in call.arguments for n in _NAME.findall(text))
            if last_use.get(name) == number and name.startswith("t") and name not in kept
        ]
        reusable = [name for name in call.arguments if name in dying and name in is_array]
        if in_place and call.ufunc and reusable:
            lines.append(
                f"{call.target} = {call.function}({', '.join(call.arguments)}, out={reusable[0]})"
            )
        else:
            lines.append(f"{call.target} = {_code(call)}")
        if last_use.get(call.target) == number and call.target not in kept:
            dying.append(call.target)
        if dying:
            lines.append(f"del {', '.join(dying)}")
    return lines


def _needed(calls: Sequence[Call], kept: Collection[str]) -> list[Call]:
    """The calls some result depends on, in order: a call nobody reads is dropped (a
    rewrite can leave one: 1/b when c*(1/b) became c/b)."""
    live = set(kept)
    needed: list[Call] = []
    for call in reversed(calls):
        if call.target in live:
            needed.append(call)
            live.update(_names(call.arguments))
    return needed[::-1]


def _names(texts: Sequence[str]) -> list[str]:
    """The parameters and intermediates that ``texts`` read, each once, in order."""
    return list(dict.fromkeys(n for text in texts for n in _NAME.findall(text)))


def blocked(
    calls: Sequence[Call], arrays: Collection[str], results: Sequence[str], count: int
) -> list[str]:
    """The program run block by block: the source of ``blocked_program(x0, ..., shape,
    size, width, spread)``, for calls where every array parameter has the result's
    ``shape`` and reshapes to a flat array of ``size`` elements without a copy.

    A program over whole arrays makes a pass over memory per op, and a fresh array (fresh
    pages) per intermediate. Blocked, each op runs over ``width`` elements at a time, so
    an intermediate lives in a scratch row small enough to stay in the processor's cache;
    NumPy's numexpr computes this way. Scratch rows come from a buffer each thread keeps
    from call to call (``kept_scratch``), shared by intermediates whose lives do not overlap
    (a ufunc writes into an argument that dies on its line), and each result's op writes
    straight into its own output array. Calls that read no array (the scalar parameters'
    part) run once, before the loop.

    The loop is the inner function ``blocks(begin, end)`` over the elements from ``begin``
    to ``end``, with scratch rows of its own (its thread's), and
    ``spread(blocks, size)`` runs it over all of them: in one call, or in ranges on
    several threads at once (NumPy's ufuncs release the GIL), each writing its own part of
    the outputs. It returns the sum of what the calls return.

    It returns ``(check, results)``: ``check`` is the sum of every element of the outputs
    computed in the loop and of the array parameters, so it is finite (``check - check ==
    0``) when all of those are, except where a finite sum overflows. (A parameter or an
    output whose non-finite elements always make another output's non-finite is not
    summed: that output shows them.) Results not computed
    in the loop (parameters, literals, scalars) are returned as they are, for the caller
    to broadcast."""
    kept = {name for text in results for name in _NAME.findall(text)}
    calls = _needed(calls, kept)
    is_array = set(arrays)
    prelude: list[Call] = []
    loop: list[Call] = []
    for call in calls:
        if any(name in is_array for name in _names(call.arguments)):
            is_array.add(call.target)
            loop.append(call)
        else:
            prelude.append(call)
    # Each result computed in the loop owns an output array, r<k> (a name given twice is
    # one array: the caller copies it).
    rows: dict[str, int] = {}
    for text in results:
        if text in is_array and text.startswith("t"):
            rows.setdefault(text, len(rows))
    last_use: dict[str, int] = {}
    for number, call in enumerate(loop):
        for name in _names(call.arguments):
            last_use[name] = number
    # A value shows a non-finite element of each value it is computed from through
    # _PROPAGATING arguments alone. An output another output shows need not be summed,
    # nor an input any output shows. One pass from the outputs back, through each call's
    # propagating arguments: ``shown`` reach an output, ``shown_by_another`` reach one
    # through a call (so an output other than themselves: the program has no cycle).
    shown = set(rows)
    shown_by_another: set[str] = set()
    for call in reversed(loop):
        if call.target in shown and call.ufunc:
            for position in _PROPAGATING.get(call.function, ()):
                shown.add(call.arguments[position])
                shown_by_another.add(call.arguments[position])
    # Inside the loop a parameter array is read through its block, v<i> for x<i>.
    blocks = {name: "v" + name[1:] for name in sorted(arrays, key=lambda n: int(n[1:]))}

    # An intermediate in a scratch row is read as the row itself: the ufunc writing it is a
    # statement, and no local is made for it (a frame of 24,000 locals, one per node of a
    # large graph, is what made Python's compiler slow on such a loop).
    rows_of: dict[str, str] = {}

    def in_block(text: str) -> str:
        return _NAME.sub(lambda m: rows_of.get(m.group()) or blocks.get(m.group(), m.group()), text)

    slots: dict[str, int] = {}  # intermediate -> its scratch row, while it lives
    free: list[int] = []
    scratch_rows = 0
    body: list[str] = []
    for number, call in enumerate(loop):
        arguments = [in_block(text) for text in call.arguments]
        dying = [n for n in _names(call.arguments) if last_use[n] == number and n in slots]
        released = [slots.pop(n) for n in dying]
        if call.target in rows:
            destination = f"o{rows[call.target]}[start:stop]"
        elif call.ufunc:
            # An argument dying here is overwritten element by element as it is read,
            # which a ufunc allows; else a free row, else a new one.
            if released:
                slot = released.pop(0)
            elif free:
                slot = free.pop()
            else:
                slot, scratch_rows = scratch_rows, scratch_rows + 1
            slots[call.target] = slot
            destination = f"s{slot}"
        else:
            destination = ""
        free.extend(released)
        if call.ufunc and call.target in slots:
            body.append(f"{call.function}({', '.join(arguments)}, out={destination})")
            rows_of[call.target] = destination
        elif call.ufunc and destination:
            body.append(
                f"{call.target} = {call.function}({', '.join(arguments)}, out={destination})"
            )
        else:
            reading = Call(call.target, call.function, tuple(arguments), call.ufunc)
            body.append(f"{call.target} = {_code(reading)}")
            if destination:
                body.append(f"{destination} = {call.target}")
    parameters = [f"x{i}" for i in range(count)]
    signature = ", ".join([*parameters, "shape", "size", "width", "spread"])
    lines = [f"def blocked_program({signature}):"]
    lines += [f"    {call.target} = {_code(call)}" for call in prelude]
    lines += [f"    {block}_all = {name}.reshape(size)" for name, block in blocks.items()]
    for k in range(len(rows)):
        # r<k>: output k as returned (of the result's shape); o<k>: the same array, flat.
        lines.append(f"    r{k} = np.empty(shape)")
        lines.append(f"    o{k} = r{k}.reshape(size)")
    # What the loop reads from this frame (the flat inputs and outputs, the values computed
    # before the loop, the scalar parameters) reaches it as one tuple, unpacked into locals:
    # as free variables of the inner function, thousands of names make Python's compiler
    # superlinear (a 4,000-term sum's program took 2.4 s to compile, now 1.0 s).
    in_loop = {call.target for call in loop}
    outer = [f"{block}_all" for block in blocks.values()] + [f"o{k}" for k in range(len(rows))]
    outer += [name for name in _names(body) if name not in in_loop]
    lines.append(f"    outer = ({''.join(f'{name}, ' for name in outer)})")
    lines.append("    def blocks(begin, end):")
    if outer:
        lines.append(f"        {''.join(f'{name}, ' for name in outer)}= outer")
    scratch = [f"s{slot}" for slot in range(scratch_rows)]
    if scratch:
        rows_line = f"{''.join(f'{s}, ' for s in scratch)}= _scratch({scratch_rows}, width)"
        lines.append(f"        {rows_line}")
    lines += ["        check = 0.0", "        for start in range(begin, end, width):"]
    lines += ["            stop = start + width"]
    if scratch:
        # The last block may be shorter: so are its scratch rows.
        lines += ["            if stop > end:", "                stop = end"]
        lines += [f"                {s} = {s}[: end - start]" for s in scratch]
    lines += [f"            {block} = {block}_all[start:stop]" for block in blocks.values()]
    lines += [f"            {line}" for line in body]
    # The outputs no other output shows, and the inputs no output shows (see _PROPAGATING):
    # their finiteness is checked here, in cache, not by a pass over memory of their own.
    summed = [name for name in rows if name not in shown_by_another]
    summed += [block for name, block in blocks.items() if name not in shown]
    for first in range(0, len(summed), _SUMMED_PER_LINE):
        terms = summed[first : first + _SUMMED_PER_LINE]
        lines.append(f"            check += {' + '.join(f'np.add.reduce({n})' for n in terms)}")
    lines.append("        return check")
    returned = [f"r{rows[text]}" if text in rows else text for text in results]
    lines.append(f"    return spread(blocks, size), ({''.join(f'{t}, ' for t in returned)})")
    return lines


def _code(call: Call) -> str:
    if call.ufunc or "{" not in call.function:
        return f"{call.function}({', '.join(call.arguments)})"
    return call.function.format(*call.arguments)
