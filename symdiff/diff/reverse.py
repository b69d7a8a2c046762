"""Backpropagation, written once for every algebra.

``forward`` computes each node's value in topological order. ``reverse`` then walks the
order backwards: a node's adjoint (d output / d node) is final once every node that uses it
has been visited, and it flows to each argument as adjoint * partial. Where paths meet, at
a shared node, the contributions add up: that is the chain rule on a graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..ir.nodes import Expr, is_constant, is_variable
from .algebra import Algebra

T = TypeVar("T")


class StepFailed(ArithmeticError):
    """A node's value (``argument is None``) or its partial for one argument failed."""

    def __init__(self, node: Expr, argument: int | None, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.node = node
        self.argument = argument
        self.cause = cause


def forward(order: Sequence[Expr], algebra: Algebra[T], leaf: Callable[[Expr], T]) -> dict[Expr, T]:
    """The value of every node; ``leaf`` gives the variables' values."""
    values: dict[Expr, T] = {}
    apply = algebra.apply
    for node in order:
        try:
            if node.args:  # most nodes: asked first
                values[node] = apply(node.op, *[values[a] for a in node.args])
            elif is_variable(node):
                values[node] = leaf(node)
            elif is_constant(node):
                values[node] = algebra.constant(node.payload)  # type: ignore[arg-type]
            else:
                values[node] = apply(node.op)  # pi, e
        except (ArithmeticError, ValueError) as exc:
            raise StepFailed(node, None, exc) from exc
    return values


def reverse(
    order: Sequence[Expr],
    values: dict[Expr, T],
    algebra: Algebra[T],
    seed: T,
    active: set[Expr],
) -> dict[Expr, T]:
    """Adjoints of the active nodes, for ``seed`` at the output (``order[-1]``)."""
    adjoints: dict[Expr, T] = {order[-1]: seed}
    is_zero, mul, add = algebra.is_zero, algebra.mul, algebra.add
    for node in reversed(order):
        adjoint = adjoints.get(node)
        if adjoint is None or not node.args:
            continue
        args = [values[a] for a in node.args]
        value = values[node]
        partials = node.op.partials
        for i, arg in enumerate(node.args):
            if arg not in active:
                continue  # e.g. the constant exponent of x^2: never ask for log(x)
            try:
                partial = partials[i](algebra, value, *args)
                if is_zero(partial):
                    continue
                contribution = mul(adjoint, partial)
                previous = adjoints.get(arg)
                adjoints[arg] = contribution if previous is None else add(previous, contribution)
            except (ArithmeticError, ValueError) as exc:
                raise StepFailed(node, i, exc) from exc
    return adjoints
