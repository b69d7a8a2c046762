"""Straight-line NumPy for an expression's value and gradient over arrays, from the graph.

The same reverse sweep as ``codegen/python.py`` runs under :class:`NumpyAlgebra`, which
writes each op as a NumPy expression from the table ``NUMPY`` (one template per op, keyed
by op), so the generated function takes arrays of any shape, mixed with floats, and
broadcasts as NumPy does. Shared subexpressions are one node of the graph, so each is
computed once: the DAG is the common-subexpression elimination.

NumPy is optional: nothing here imports it until an array program is built or run
(:func:`numpy_module`, through importlib, so that ``import symdiff`` stays free of it).

Unlike the float code, array code never raises at a bad element: NumPy gives ``inf`` or
``nan`` there (under ``np.errstate(all="ignore")``), and ``numeric/arrays.py`` applies the
domain policy to the results.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from typing import Any

from ..ir.ops import OPS, Op
from .python import CodeAlgebra, Literal, Value

# How each op is written: a template over its arguments {0}, {1}. ``np`` is NumPy. An op
# NumPy lacks is ``FALLBACK``: the op table's own ``numeric`` function applied elementwise
# (np.vectorize; slow, but exact to the scalar path), with NaN where it raises.
FALLBACK = "{f}"

NUMPY: dict[str, str] = {
    "add": "{0} + {1}",
    "sub": "{0} - {1}",
    "mul": "{0} * {1}",
    "div": "{0} / {1}",
    "neg": "-{0}",
    "pow": "{0} ** {1}",
    "pi": "np.pi",
    "e": "np.e",
    "sin": "np.sin({0})",
    "cos": "np.cos({0})",
    "tan": "np.tan({0})",
    "sec": "1.0 / np.cos({0})",
    "csc": "1.0 / np.sin({0})",
    "cot": "np.cos({0}) / np.sin({0})",
    "asin": "np.arcsin({0})",
    "acos": "np.arccos({0})",
    "atan": "np.arctan({0})",
    "sinh": "np.sinh({0})",
    "cosh": "np.cosh({0})",
    "tanh": "np.tanh({0})",
    "asinh": "np.arcsinh({0})",
    "acosh": "np.arccosh({0})",
    "atanh": "np.arctanh({0})",
    "exp": "np.exp({0})",
    "log": "np.log({0})",
    "log_base": "np.log({0}) / np.log({1})",
    "log10": "np.log10({0})",
    "log2": "np.log2({0})",
    "sqrt": "np.sqrt({0})",
    "cbrt": "np.cbrt({0})",
    "abs": "np.abs({0})",
    "sign": "np.sign({0})",
    "erf": FALLBACK,  # NumPy has no erf (SciPy's is not a dependency)
    "atan2": "np.arctan2({0}, {1})",
    "hypot": "np.hypot({0}, {1})",
    "min": "np.minimum({0}, {1})",
    "max": "np.maximum({0}, {1})",
}

_modules: dict[str, Any] = {}


def numpy_module() -> Any:
    """NumPy, imported on first use (it is an optional dependency: ``symdiff[numpy]``)."""
    module = _modules.get("numpy")
    if module is None:
        module = _modules["numpy"] = importlib.import_module("numpy")
    return module


def template(op: Op) -> str:
    """The op's template with the fallback spelled out: ``_erf({0})``."""
    text = NUMPY[op.key]
    if text == FALLBACK:
        return f"_{op.key}({', '.join(f'{{{i}}}' for i in range(op.arity))})"
    return text


def elementwise(op: Op) -> Callable[..., Any]:
    """The op's ``numeric`` function applied elementwise: NaN where it raises."""

    def scalar(*args: float) -> float:
        try:
            return float(op.numeric(*args))
        except (ArithmeticError, ValueError):
            return math.nan

    np = numpy_module()
    vectorized: Callable[..., Any] = np.vectorize(scalar, otypes=[np.float64])
    return vectorized


def namespace() -> dict[str, Any]:
    """What array code refers to: NumPy as ``np``, and each fallback op as ``_<key>``."""
    names: dict[str, Any] = {"np": numpy_module()}
    for key, text in NUMPY.items():
        if text == FALLBACK:
            names[f"_{key}"] = elementwise(OPS[key])
    return names


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


class NumpyAlgebra(CodeAlgebra):
    """Values are literals or names of arrays; each op applied to a name emits one line."""

    def __init__(self) -> None:
        super().__init__()
        self.namespace.update(namespace())

    def write(self, op: Op, args: Sequence[Value]) -> Value:
        return self.emit(template(op).format(*(self.source(a) for a in args)))

    def unless_zero(self, value: Value | int, partial: Callable[[], Value | int]) -> Value | int:
        # A constant zero is known now; elsewhere the convention holds elementwise.
        lifted = self.lift(value)
        if isinstance(lifted, Literal):
            return 0 if lifted.value == 0 else partial()
        general = self.lift(partial())
        return self.emit(f"np.where({self.source(lifted)} == 0, 0.0, {self.source(general)})")
