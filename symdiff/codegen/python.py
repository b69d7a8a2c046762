"""Straight-line Python for an expression's value and gradient, generated from the graph.

The reverse sweep runs once under :class:`CodeAlgebra`, whose "values" are names of local
variables in the function being written; every op application becomes one assignment. The
result is the gradient as a single Python function, with no graph walking, dict look-ups
or dispatch left at run time.

The generated source never contains text the user wrote: variables become parameters
``x0, x1, ...``, intermediate values ``t0, t1, ...``, numbers are the ``repr`` of finite
floats, and functions are names bound by this module to the op table's ``numeric``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..diff.algebra import Algebra, FloatAlgebra
from ..diff.reverse import forward, reverse
from ..ir.nodes import Expr
from ..ir.ops import OPS, Op

# Larger graphs are evaluated by the interpreter: compiling them would cost more than it saves.
COMPILE_LIMIT = 3000

_FLOATS = FloatAlgebra()


def _literal(text: str) -> float | None:
    """The number a code fragment stands for, if it is a numeric literal."""
    return float(text) if text[0] in "0123456789-." else None


class CodeAlgebra(Algebra[str]):
    """Values are Python expressions (a local name or a literal); ops emit assignments."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {"_pow": math.pow}

    def constant(self, value: int | float) -> str:
        return repr(float(value))

    def lift(self, value: str | int) -> str:
        return self.constant(value) if isinstance(value, int) else value

    def is_zero(self, value: str | int) -> bool:
        return self.lift(value) in ("0.0", "-0.0")

    def emit(self, code: str) -> str:
        name = f"t{len(self.lines)}"
        self.lines.append(f"{name} = {code}")
        return name

    def apply(self, op: Op, *args: str | int) -> str:
        texts = [self.lift(a) for a in args]
        numbers = [_literal(t) for t in texts]
        if all(n is not None for n in numbers):
            # Fold arithmetic on literals; leave anything that fails for run time.
            try:
                return repr(_FLOATS.apply(op, *numbers))  # type: ignore[arg-type]
            except (ArithmeticError, ValueError):
                pass
        if op.key == "pow":
            exponent = numbers[1]
            if exponent == 1:
                return texts[0]
            if exponent is not None and exponent.is_integer() and abs(exponent) <= 64:
                # x ** 2 with an int is what math.pow(x, 2.0) computes, minus a call.
                return self.emit(f"{texts[0]} ** {int(exponent)}")
            return self.emit(f"_pow({texts[0]}, {texts[1]})")
        if op.python is not None:
            return self.emit(op.python.format(*texts))
        function = f"_{op.key}"
        self.namespace[function] = op.numeric
        return self.emit(f"{function}({', '.join(texts)})")

    def add(self, a: str | int, b: str | int) -> str:
        if self.is_zero(a):
            return self.lift(b)
        if self.is_zero(b):
            return self.lift(a)
        return self.apply(OPS["add"], a, b)

    def mul(self, a: str | int, b: str | int) -> str:
        for x, y in ((a, b), (b, a)):
            factor = _literal(self.lift(x))
            if factor == 1:
                return self.lift(y)
            if factor == -1:
                return self.neg(y)
        return self.apply(OPS["mul"], a, b)


def _function(
    name: str, parameters: int, body: list[str], result: str, algebra: CodeAlgebra
) -> Callable[..., Any]:
    params = ", ".join(f"x{i}" for i in range(parameters))
    source = "\n".join(
        [f"def {name}({params}):", *(f"    {line}" for line in body), f"    return {result}"]
    )
    code = compile(source, f"<symdiff {name}>", "exec")
    exec(code, algebra.namespace)  # the source holds no user text (see above)
    function: Callable[..., Any] = algebra.namespace[name]
    function.source = source  # type: ignore[attr-defined]
    return function


def compile_value(order: Sequence[Expr], variables: Sequence[Expr]) -> Callable[..., float]:
    """``f(x0, x1, ...) -> value``; raises ArithmeticError or ValueError where undefined."""
    algebra = CodeAlgebra()
    names = {node: f"x{i}" for i, node in enumerate(variables)}
    values = forward(order, algebra, names.__getitem__)
    return _function("value", len(variables), algebra.lines, values[order[-1]], algebra)


def compile_gradient(
    order: Sequence[Expr], variables: Sequence[Expr], active: set[Expr]
) -> Callable[..., tuple[float, ...]]:
    """``g(x0, x1, ...) -> (value, d/dx0, d/dx1, ...)``.

    Raises ArithmeticError or ValueError where the value or a partial is undefined, and
    ArithmeticError when a result is not finite: the caller then asks the checked
    interpreter, which says precisely what failed.
    """
    algebra = CodeAlgebra()
    names = {node: f"x{i}" for i, node in enumerate(variables)}
    values = forward(order, algebra, names.__getitem__)
    adjoints = reverse(order, values, algebra, "1.0", active)
    outputs = [values[order[-1]], *(adjoints.get(v, "0.0") for v in variables)]
    # inf - inf and nan - nan are nan, which is true; a finite sum minus itself is 0.0.
    check = " + ".join(outputs)
    body = [*algebra.lines, f"_check = {check}", "if _check - _check:", "    raise _NonFinite"]
    algebra.namespace["_NonFinite"] = OverflowError
    return _function("gradient", len(variables), body, f"({', '.join(outputs)},)", algebra)
