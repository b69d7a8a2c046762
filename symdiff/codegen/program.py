"""Reverse mode as a program: one forward pass over several expressions, then reverse
sweeps, written out as one straight-line function by any code algebra.

A *sweep* ``(root, wanted)`` asks for d root / d v for each variable ``v`` in ``wanted``;
only nodes on a path to a wanted variable get adjoints, so asking for fewer variables
writes less code (a Hessian row i asks only for j >= i, so each entry is computed once).
The forward values are shared by every sweep, and shared nodes are computed once.

The generated source never contains user text: parameters are ``x0, x1, ...``,
intermediates ``t0, t1, ...`` (see ``codegen/python.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..diff.reverse import forward, reverse
from ..ir.graph import active_nodes, topological_order
from ..ir.nodes import Expr
from .python import CodeAlgebra, Literal, Name, Value


@dataclass(frozen=True)
class Sweep:
    """d ``root`` / d ``v`` for each ``v`` of ``wanted``."""

    root: Expr
    wanted: tuple[Expr, ...]


@dataclass
class StraightLine:
    """The lines computing every requested number, and the text of each number."""

    lines: list[str]
    values: list[str]  # one per root
    partials: list[list[str]]  # one list per sweep, in its ``wanted`` order


def straight_line(
    algebra: CodeAlgebra,
    roots: Sequence[Expr],
    variables: Sequence[Expr],
    sweeps: Sequence[Sweep],
) -> StraightLine:
    """The values of ``roots`` and the partials of ``sweeps``, as ``algebra`` writes them."""
    parameters: dict[Expr, Value] = {node: Name(f"x{i}") for i, node in enumerate(variables)}
    order = topological_order([*roots, *(sweep.root for sweep in sweeps)])
    values = forward(order, algebra, parameters.__getitem__)
    partials: list[list[str]] = []
    for sweep in sweeps:
        sweep_order = topological_order([sweep.root])
        active = active_nodes(sweep_order, set(sweep.wanted))
        active.discard(sweep.root)
        adjoints = reverse(sweep_order, values, algebra, Literal(1.0), active)
        partials.append([algebra.source(adjoints.get(v, Literal(0.0))) for v in sweep.wanted])
    texts = [algebra.source(values[root]) for root in roots]
    return StraightLine(algebra.lines, texts, partials)
