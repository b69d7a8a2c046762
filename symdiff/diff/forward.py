"""Forward mode: tangents pushed from the inputs to the output, with the reverse sweep's rules.

A tangent is d node / d t along one direction of the inputs. It moves forward through the
same per-argument partials of the op table that the reverse sweep uses: the tangent of
``f(a, b)`` is ``df/da * tangent(a) + df/db * tangent(b)``. One forward sweep gives the
derivative along one direction, so a full gradient costs one sweep per input (cheap for few
inputs and many outputs), where reverse mode costs one sweep per output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from ..ir.nodes import Expr
from .algebra import Algebra
from .reverse import StepFailed

T = TypeVar("T")


def tangents(
    order: Sequence[Expr],
    values: Mapping[Expr, T],
    algebra: Algebra[T],
    seeds: Mapping[Expr, T],
    active: set[Expr],
) -> dict[Expr, T]:
    """The tangent of every node that depends on a seeded leaf; ``seeds`` gives the leaves'
    tangents (the direction). A node missing from the result has tangent zero."""
    result: dict[Expr, T] = dict(seeds)
    for node in order:
        if not node.args or node not in active:
            continue
        args = [values[a] for a in node.args]
        total: T | None = None
        for i, arg in enumerate(node.args):
            tangent = result.get(arg)
            if tangent is None:
                continue  # a constant argument, or one off every seeded path
            try:
                partial = node.op.partials[i](algebra, values[node], *args)
                if algebra.is_zero(partial):
                    continue
                contribution = algebra.mul(tangent, partial)
                total = contribution if total is None else algebra.add(total, contribution)
            except (ArithmeticError, ValueError) as exc:
                raise StepFailed(node, i, exc) from exc
        if total is not None:
            result[node] = total
    return result
