"""Hypothesis strategies for expressions, built from the op table.

Every op of ``symdiff.ops.OPS`` is drawn, so a new op is generated with no edit here. Trees
are built with the node constructors, not from text; they need not be inside the domain
everywhere, so tests reject (``assume``) the points where evaluation raises ``DomainError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hypothesis import strategies as st

from symdiff import Expr
from symdiff.ir.nodes import constant, make, variable
from symdiff.ir.ops import OPS, Op

VARIABLE_NAMES = ("x", "y", "z")

# The operations (one argument or more) and the named constants (no arguments) of the table.
OPERATIONS: tuple[Op, ...] = tuple(op for op in OPS.values() if op.arity > 0)
NAMED_CONSTANTS: tuple[Op, ...] = tuple(op for op in OPS.values() if op.arity == 0)


def constants() -> st.SearchStrategy[Expr]:
    """Integer constants (exact in the graph), float constants, and pi and e."""
    integers = st.integers(min_value=0, max_value=5).map(constant)
    floats = st.floats(min_value=0.0, max_value=4.0, allow_subnormal=False).map(constant)
    named = st.sampled_from(NAMED_CONSTANTS).map(make)
    return st.one_of(integers, floats, named)


def leaves(names: Sequence[str] = VARIABLE_NAMES) -> st.SearchStrategy[Expr]:
    return st.one_of(st.sampled_from(names).map(variable), constants())


def _apply(op: Op, children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.tuples(*[children] * op.arity).map(lambda args: make(op, args))


def applications(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    """One op of the table applied to arguments drawn from ``children``."""
    return st.sampled_from(OPERATIONS).flatmap(lambda op: _apply(op, children))


def expressions(
    names: Sequence[str] = VARIABLE_NAMES, max_leaves: int = 8
) -> st.SearchStrategy[Expr]:
    """Random expression trees over ``names``, using every op of the table."""
    return st.recursive(leaves(names), applications, max_leaves=max_leaves)


def full_trees(names: Sequence[str] = VARIABLE_NAMES, depth: int = 3) -> st.SearchStrategy[Expr]:
    """Trees with an op on every level down to ``depth``: compositions of compositions."""
    trees = leaves(names)
    for _ in range(depth):
        trees = applications(trees)
    return trees


def coordinates(bound: float = 3.0) -> st.SearchStrategy[float]:
    return st.floats(min_value=-bound, max_value=bound, allow_subnormal=False)


def points(
    names: Sequence[str] = VARIABLE_NAMES, bound: float = 3.0
) -> st.SearchStrategy[Mapping[str, float]]:
    """A value for each of ``names``, finite and within ``bound`` of 0."""
    return st.fixed_dictionaries({name: coordinates(bound) for name in names})
