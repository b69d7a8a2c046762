"""The public API: every function ``import symdiff`` offers, over the layers below.

It is also where ``Expr``'s methods are bound to the layers that implement them
(:func:`symdiff.ir.nodes.register_methods`), so ``str(e)``, ``e.evaluate()`` and
``e.diff("x")`` work while every import in the package points down.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .diff.symbolic import derivative, gradient, hessian, jacobian
from .errors import SymdiffError
from .ir.graph import topological_order
from .ir.nodes import Expr, register_methods
from .numeric.evaluate import evaluate, plan, read_point, value_and_gradient
from .simplify import simplify
from .syntax.latex import to_latex
from .syntax.parser import as_expr, parse
from .syntax.printer import display, displayable, text, to_text_with_bindings
from .syntax.serialize import from_json, to_json

__all__ = [
    "Expr",
    "Gradient",
    "as_expr",
    "count_nodes",
    "derivative",
    "differentiate",
    "from_json",
    "gradient",
    "hessian",
    "jacobian",
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


def differentiate(
    expr: Expr | str, values: Mapping[str, object] | None = None, /, **keywords: object
) -> Gradient:
    """The value and all partial derivatives of ``expr`` at a point, in one reverse sweep.

    >>> g = differentiate("sin(x*y) + cos(x*y)", x=2, y=3)
    >>> round(g.value, 4), round(g["x"], 4)
    (0.6808, 3.7188)
    """
    node = expr if type(expr) is Expr else as_expr(expr)
    p = node._plan or plan(node)
    point = read_point(p, values, keywords)
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


def count_nodes(*exprs: Expr | str) -> int:
    """The number of distinct nodes in the expressions' graph, shared nodes once."""
    return len(topological_order(as_expr(e) for e in exprs))


register_methods(
    text=text,
    display=display,
    displayable=displayable,
    text_with_bindings=lambda expr: "\n".join(to_text_with_bindings([expr])),
    latex=to_latex,
    to_json=to_json,
    from_json=from_json,
    variables=lambda expr: plan(expr).variables,
    evaluate=evaluate,
    derivative=derivative,
    gradient_at=lambda expr, values, keywords: differentiate(expr, values, **keywords),
)
