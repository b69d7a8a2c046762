"""The public API: every function ``import symdiff`` offers, over the layers below.

It is also where ``Expr``'s methods are bound to the layers that implement them
(:func:`symdiff.ir.nodes.register_methods`), so ``str(e)``, ``e.evaluate()`` and
``e.diff("x")`` work while every import in the package points down.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping
from typing import Any

from .diff.algebra import FloatAlgebra
from .diff.explain import Explanation, explain_at, explain_symbolic
from .diff.forward import tangents
from .diff.reverse import StepFailed, forward
from .diff.symbolic import _variable_name, derivative, gradient, hessian, jacobian
from .errors import SymdiffError
from .ir.graph import active_nodes, topological_order
from .ir.nodes import Expr, register_methods, variable
from .numeric.evaluate import (
    Plan,
    _domain_error,
    _not_finite,
    evaluate,
    plan,
    read_point,
    value_and_gradient,
)
from .simplify import simplify
from .syntax.dot import to_dot
from .syntax.latex import to_latex
from .syntax.parser import as_expr, parse
from .syntax.printer import to_text, to_text_with_bindings
from .syntax.serialize import from_json, to_json

__all__ = [
    "Explanation",
    "Expr",
    "Gradient",
    "as_expr",
    "count_nodes",
    "derivative",
    "differentiate",
    "explain",
    "from_json",
    "gradient",
    "hessian",
    "jacobian",
    "jvp",
    "parse",
    "simplify",
]


class Gradient(Mapping[str, float]):
    """Every partial derivative at a point, by variable name; ``.value`` is the value.

    Read-only. ``float(g)`` is the derivative when there is exactly one variable.
    """

    __slots__ = ("_partials", "_value")

    _value: float
    _partials: dict[str, float]

    def __init__(self, value: float, partials: Mapping[str, float]) -> None:
        self._value = value
        self._partials = dict(partials)

    @property
    def value(self) -> float:
        """The function's value at the point."""
        return self._value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Gradient):
            return self._value == other._value and self._partials == other._partials
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __getitem__(self, name: str) -> float:
        return self._partials[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._partials)

    def __len__(self) -> int:
        return len(self._partials)

    def __float__(self) -> float:
        if len(self._partials) != 1:
            raise SymdiffError(
                f"float() of a gradient needs exactly one variable, not {len(self._partials)}"
                f" ({', '.join(self._partials) or 'none'}); index it by name instead"
            )
        return next(iter(self._partials.values()))

    def __repr__(self) -> str:
        partials = ", ".join(f"{k!r}: {v!r}" for k, v in self._partials.items())
        return f"Gradient(value={self.value!r}, partials={{{partials}}})"


_FLOATS = FloatAlgebra()
_MODES = ("reverse", "forward")


def differentiate(
    expr: Expr | str,
    values: Mapping[str, object] | None = None,
    /,
    **keywords: object,
) -> Gradient:
    """The value and all partial derivatives of ``expr`` at a point, in one reverse sweep
    (``mode="reverse"``) or one forward sweep per variable (``mode="forward"``).

    ``mode`` is read as the mode only when it is text, so a variable named ``mode`` still
    takes a number as a keyword, like every other name.

    >>> g = differentiate("sin(x*y) + cos(x*y)", x=2, y=3)
    >>> round(g.value, 4), round(g["x"], 4)
    (0.6808, 3.7188)
    """
    mode = keywords.pop("mode") if isinstance(keywords.get("mode"), str) else "reverse"
    if mode not in _MODES:
        raise SymdiffError(f"mode is 'reverse' or 'forward', not {mode!r}")
    node = expr if type(expr) is Expr else as_expr(expr)
    p = node._plan or plan(node)
    point = read_point(p, values, keywords)
    if mode == "forward":
        results = _forward_sweeps(p, point, [{v: 1.0} for v in p.variable_nodes])
    else:
        results = value_and_gradient(p, point)
    partials = dict(zip(p.variables, results[1:], strict=True))
    given = keywords if values is None else {**values, **keywords}
    if len(given) != len(partials):
        for name in given:
            partials.setdefault(name, 0.0)
    gradient = Gradient.__new__(Gradient)
    gradient._value = results[0]
    gradient._partials = partials
    return gradient


def _forward_sweeps(
    p: Plan, point: list[float], directions: list[dict[Expr, float]]
) -> tuple[float, ...]:
    """``(value, one directional derivative per direction)``: one forward sweep each."""
    order = p.order
    leaf = dict(zip(p.variable_nodes, point, strict=True)).__getitem__
    root = order[-1]
    try:
        values = forward(order, _FLOATS, leaf)
        results = [values[root]]
        for seeds in directions:
            active = active_nodes(order, seeds)
            results.append(tangents(order, values, _FLOATS, seeds, active).get(root, 0.0))
    except StepFailed as failure:
        raise _domain_error(p, point, failure) from None
    if not all(math.isfinite(r) for r in results):
        raise _not_finite(p, point, values, {})
    return tuple(results)


def jvp(
    expr: Expr | str,
    direction: Mapping[str, float],
    values: Mapping[str, object] | None = None,
    /,
    **keywords: object,
) -> tuple[float, float]:
    """``(value, directional derivative)`` of ``expr`` at a point along ``direction`` (a
    mapping from variable names to floats; names left out move by 0), in one forward sweep.

    >>> jvp("x*y", {"x": 1.0, "y": 1.0}, x=2, y=3)
    (6.0, 5.0)
    """
    node = expr if type(expr) is Expr else as_expr(expr)
    p = node._plan or plan(node)
    point = read_point(p, values, keywords)
    if not isinstance(direction, Mapping):
        raise SymdiffError(f"a direction maps variable names to numbers, not {direction!r}")
    by_name = dict(zip(p.variables, p.variable_nodes, strict=True))
    seeds: dict[Expr, float] = {}
    for name, step in direction.items():
        if isinstance(step, bool) or not isinstance(step, numbers.Real):
            raise SymdiffError(f"the direction for {name} must be a real number, not {step!r}")
        if not math.isfinite(float(step)):
            raise SymdiffError(f"the direction for {name} must be finite, not {step!r}")
        if name in by_name:
            seeds[by_name[name]] = float(step)
    value, derivative = _forward_sweeps(p, point, [seeds])
    return value, derivative


def explain(
    expr: Expr | str,
    wrt: str | Expr | Mapping[str, object] | None = None,
    values: Mapping[str, object] | None = None,
    /,
    **keywords: object,
) -> Explanation[Any]:
    """The derivative worked step by step, from the same sweep that computes it.

    With a point (``explain(e, x=2, y=3)``, or a mapping), the forward pass names every node
    and gives its value, and the backward pass gives each node's adjoint as a sum of
    chain-rule products; the partials are ``differentiate``'s, bit for bit. With a variable
    and no point (``explain(e, "x")``), the steps are expressions and the result is
    ``derivative(e, "x")``. ``str()`` shows the steps; ``.adjoints`` holds every adjoint.

    >>> print(explain("sin(log(x))", x=2).partials)
    {'x': 0.38461945068198605}
    """
    node = expr if type(expr) is Expr else as_expr(expr)
    if isinstance(wrt, Mapping):
        if values is not None:
            raise SymdiffError("explain takes one mapping of values, not two")
        wrt, values = None, wrt
    name = None if wrt is None else _variable_name(wrt)
    if name is not None and values is None and not keywords:
        return explain_symbolic(node, name)
    p = node._plan or plan(node)
    point = read_point(p, values, keywords)
    try:
        explanation = explain_at(
            node, p.variable_nodes, point, None if name is None else variable(name)
        )
    except StepFailed as failure:
        raise _domain_error(p, point, failure) from None
    numbers = [explanation.value, *explanation.partials.values()]
    if not all(math.isfinite(n) for n in numbers):
        raise _not_finite(p, point, explanation.node_values, explanation.node_adjoints)
    return explanation


def graph(
    expr: Expr | str,
    values: Mapping[str, object] | None = None,
    /,
    *,
    gradients: bool = False,
) -> str:
    """The expression graph as Graphviz DOT. With ``values``, every node is named as in
    ``explain`` and shows its value, and with ``gradients=True`` its adjoint too."""
    node = expr if type(expr) is Expr else as_expr(expr)
    if values is None:
        if gradients:
            raise SymdiffError("gradients on the graph need a point: give values too")
        return to_dot(node)
    return explain(node, values).to_dot(gradients=gradients)


def count_nodes(*exprs: Expr | str) -> int:
    """The number of distinct nodes in the expressions' graph, shared nodes once."""
    return len(topological_order(as_expr(e) for e in exprs))


register_methods(
    text=to_text,
    text_with_bindings=lambda expr: "\n".join(to_text_with_bindings([expr])),
    latex=to_latex,
    to_json=to_json,
    from_json=from_json,
    variables=lambda expr: plan(expr).variables,
    evaluate=evaluate,
    derivative=derivative,
    gradient_at=lambda expr, values, keywords: differentiate(expr, values, **keywords),
    to_dot=lambda expr, values, gradients: graph(expr, values, gradients=gradients),
)
