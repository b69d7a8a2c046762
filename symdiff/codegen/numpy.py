"""Straight-line NumPy for an expression's value and derivatives over arrays, from the graph.

The same reverse sweep as ``codegen/python.py`` runs under :class:`NumpyAlgebra`, which
writes each op as NumPy from the table ``NUMPY`` (one line per op, keyed by op), so the
generated function takes arrays of any shape, mixed with floats, and broadcasts as NumPy
does. Shared subexpressions are one node of the graph, so each is computed once: the DAG is
the common-subexpression elimination. :func:`schedule` then frees each intermediate after
its last use and lets a ufunc write into a dying intermediate (``out=``), so a program
holds a bounded working set of arrays and allocates few new ones.

NumPy is optional: nothing here imports it until an array program is built
(:func:`numpy_module`, through importlib, so that ``import symdiff`` stays free of it).
Array code never raises at a bad element: NumPy gives ``inf`` or ``nan`` there (run it
under ``np.errstate(all="ignore")``), and ``numeric/arrays.py`` applies the domain policy.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from ..ir.ops import OPS, Op
from .python import CodeAlgebra, Literal, Name, Value

# How each op is written. A bare name (``np.add``) is a ufunc called on the arguments,
# which may write into a dying intermediate; a template spells the call out over {0}, {1}.
# ``FALLBACK`` is for an op NumPy lacks: the op table's own ``numeric`` function applied
# elementwise (np.frompyfunc: slower, and exactly the scalar path's numbers).
FALLBACK = "fallback"

NUMPY: dict[str, str] = {
    "add": "np.add",
    "sub": "np.subtract",
    "mul": "np.multiply",
    "div": "np.divide",
    "neg": "np.negative",
    "pow": "np.power",  # x^1 is x and x^2 np.square (exact): see NumpyAlgebra.write
    "pi": "np.pi",  # constants are folded when the code is generated
    "e": "np.e",
    "sin": "np.sin",
    "cos": "np.cos",
    "tan": "np.tan",
    "sec": "np.reciprocal(np.cos({0}))",
    "csc": "np.reciprocal(np.sin({0}))",
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
    "atan2": "np.arctan2",
    "hypot": "np.hypot",
    "min": "np.minimum",
    "max": "np.maximum",
    # The wider table: reciprocals through NumPy's ufuncs (1/0 = inf, then the domain policy).
    "sech": "np.reciprocal(np.cosh({0}))",
    "csch": "np.reciprocal(np.sinh({0}))",
    "coth": "np.reciprocal(np.tanh({0}))",
    "asec": "np.arccos(np.reciprocal({0}))",
    "acsc": "np.arcsin(np.reciprocal({0}))",
    "acot": FALLBACK,  # acot(0) = pi/2, and atan(1/x) elsewhere: the scalar function's convention
    "asech": "np.arccosh(np.reciprocal({0}))",
    "acsch": "np.arcsinh(np.reciprocal({0}))",
    "acoth": "np.arctanh(np.reciprocal({0}))",
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


def namespace() -> dict[str, Any]:
    """What array code refers to: NumPy as ``np``, and each fallback op as ``_<key>``."""
    names: dict[str, Any] = {"np": numpy_module()}
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


@dataclass(frozen=True, slots=True)
class Negated(Name):
    """``-name``, not yet written: a sum or product that meets it absorbs the sign
    (``a + -b`` is ``a - b``), so the reverse sweep's many negations cost no pass."""


class NumpyAlgebra(CodeAlgebra):
    """Values are literals or names of arrays; each op applied to a name emits one line.

    Rewrites on the way, each exact for every float (signed zeros included) except the
    last, which rounds once instead of twice: ``-(-a)`` is ``a``; ``a + -b`` is ``a - b``,
    ``-a + b`` is ``b - a``, ``a - -b`` is ``a + b``; ``-a * b`` and ``-a / b`` are
    ``-(a*b)`` and ``-(a/b)``, with the sign folded into a constant factor when there is
    one; and ``c * (1/b)``, the reverse sweep's chain rule through a division, is ``c/b``.
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
        key = op.key
        first = args[0] if args else None
        if key == "neg" and isinstance(first, Name):
            return Name(first.name) if isinstance(first, Negated) else Negated(first.name)
        if key in ("add", "sub"):
            a, b = args
            if isinstance(b, Negated):
                return self.write(OPS["sub" if key == "add" else "add"], [a, Name(b.name)])
            if key == "add" and isinstance(a, Negated):
                return self.write(OPS["sub"], [b, Name(a.name)])
        if key in ("mul", "div"):
            return self._product(key, *args)
        text = NUMPY[key]
        if key == "pow" and isinstance(args[1], Literal):
            if args[1].value == 1:
                return args[0]  # exact (policy 4)
            if args[1].value == 2:
                text = "np.square"  # x*x, which is what pow(x, 2) computes
                args = args[:1]
        elif text == FALLBACK:
            text = f"_{key}"
        return self.call(text, [self.source(a) for a in args])

    def _product(self, key: str, a: Value, b: Value) -> Value:
        negated = False
        if isinstance(a, Negated):
            a, negated = Name(a.name), not negated
        if isinstance(b, Negated):
            b, negated = Name(b.name), not negated
        if negated:
            for position, factor in ((1, b), (0, a)):
                if isinstance(factor, Literal) and factor.value != 0:
                    folded = Literal(-factor.value)
                    a, b = (a, folded) if position else (folded, b)
                    negated = False
                    break
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
        return Negated(result.name) if negated else result

    def call(self, function: str, arguments: Sequence[str]) -> Name:
        key = (function, tuple(arguments))
        written = self._written.get(key)
        if written is not None:
            return written
        ufunc = "{" not in function
        code = f"{function}({', '.join(arguments)})" if ufunc else function.format(*arguments)
        name = self.emit(code)
        self.calls.append(Call(name.name, function, key[1], ufunc and "_" not in function))
        self._written[key] = name
        return name

    def unless_zero(self, value: Value | int, partial: Callable[[], Value | int]) -> Value | int:
        # A constant zero is known now; elsewhere the convention holds elementwise.
        lifted = self.lift(value)
        if isinstance(lifted, Literal):
            return 0 if lifted.value == 0 else partial()
        general = self.source(self.lift(partial()))
        return self.call("np.where({0} == 0, 0.0, {1})", [self.source(lifted), general])


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
    # A call nobody reads is dropped (a rewrite can leave one: 1/b when c*(1/b) became c/b).
    live = set(kept)
    needed: list[Call] = []
    for call in reversed(calls):
        if call.target in live:
            needed.append(call)
            live.update(n for text in call.arguments for n in _NAME.findall(text))
    calls = needed[::-1]
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


def _code(call: Call) -> str:
    if call.ufunc or "{" not in call.function:
        return f"{call.function}({', '.join(call.arguments)})"
    return call.function.format(*call.arguments)
