"""Forward mode: tangents pushed from the inputs to the output, with the reverse sweep's rules.

A tangent is d node / d t along one direction of the inputs. It moves forward through the
same per-argument partials of the op table that the reverse sweep uses: the tangent of
``f(a, b)`` is ``df/da * tangent(a) + df/db * tangent(b)``. One forward sweep gives the
derivative along one direction, so a full gradient costs one sweep per input (cheap for few
inputs and many outputs), where reverse mode costs one sweep per output.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
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
    outputs: Collection[Expr] | None = None,
) -> dict[Expr, T]:
    """The tangent of every node that depends on a seeded leaf; ``seeds`` gives the leaves'
    tangents (the direction). A node missing from the result has tangent zero.

    A partial that fails (sqrt's at 0) fails the sweep only where its tangent would reach
    one of the ``outputs`` (by default the last node of ``order``) through partials that
    are not structurally zero (policy 1), as the reverse sweep never asks for a partial
    below one: ``heaviside(sqrt(x))`` at 0 has derivative 0 in both modes. Until then the
    failure is carried by the node instead of a tangent, and it is raised as the
    :class:`StepFailed` of the partial that failed."""
    result: dict[Expr, T] = dict(seeds)
    failed: dict[Expr, StepFailed] = {}
    for node in order:
        if not node.args or node not in active:
            continue
        args = [values[a] for a in node.args]
        total: T | None = None
        failure: StepFailed | None = None
        for i, arg in enumerate(node.args):
            tangent = result.get(arg)
            if tangent is None and arg not in failed:
                continue  # a constant argument, or one off every seeded path
            try:
                partial = node.op.partials[i](algebra, values[node], *args)
            except (ArithmeticError, ValueError) as exc:
                failure = failure or StepFailed(node, i, exc)
                continue
            if algebra.is_zero(partial):
                continue  # a structural zero: nothing of the argument passes, nor its failure
            if tangent is None:
                failure = failure or failed[arg]
                continue
            try:  # a step that overflows (the checked algebra): the caller computes widely
                contribution = algebra.mul(tangent, partial)
                total = contribution if total is None else algebra.add(total, contribution)
            except (ArithmeticError, ValueError) as exc:
                raise StepFailed(node, i, exc) from exc
        if failure is not None:
            failed[node] = failure
        elif total is not None:
            result[node] = total
    if failed:
        for output in order[-1:] if outputs is None else outputs:
            if output in failed:
                raise failed[output]
    return result
