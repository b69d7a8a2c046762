"""Hypothesis strategies for expressions, built from the op table: the one place tests get
random expressions from.

Every op of ``symdiff.ir.ops.OPS`` is drawn, so a new op is generated with no edit here.
Trees are built with the node constructors, not from text. Constants cover what users write
and what breaks numbers: 0 and 0.0 (distinct nodes), small integers and floats, huge
(1e300, 10**30) and tiny (1e-300) magnitudes, any finite float, and negative values as
negations (the graph keeps constants non-negative and prints ``-2`` as a negation). Trees
need not be inside the domain everywhere, so numeric tests reject (``assume``) the points
where evaluation raises ``DomainError``.

Numeric comparisons with SymPy or finite differences cannot follow magnitudes like 1e300
through a formula (the float answer is rightly ``inf`` or rounds to nothing); such tests pass
``constants=moderate_constants()`` and say so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from hypothesis import strategies as st

from symdiff import Expr
from symdiff.ir.nodes import constant, make, variable
from symdiff.ir.ops import OPS, Op

VARIABLE_NAMES = ("x", "y", "z")

# CI runs every property on the same derandomized examples each time (conftest.py), at most
# CI_EXAMPLES of them, so the whole suite stays short; run locally, Hypothesis draws new
# examples every time, which is where it finds what a fixed set cannot, and each property
# gets the budget its test names.
CI_EXAMPLES = 100


def examples(budget: int) -> int:
    """``max_examples`` for a property whose local budget is ``budget``."""
    return min(budget, CI_EXAMPLES) if os.environ.get("CI") else budget


# The operations (one argument or more) and the named constants (no arguments) of the table.
OPERATIONS: tuple[Op, ...] = tuple(op for op in OPS.values() if op.arity > 0)
NAMED_CONSTANTS: tuple[Op, ...] = tuple(op for op in OPS.values() if op.arity == 0)

# Magnitudes where floats overflow, underflow or lose every digit of a sum: 1e300 squared is
# inf, 1e-300 squared is 0.0, and 10**30 is an int no float holds exactly.
HUGE: tuple[int | float, ...] = (1e300, 10**30, 1.7976931348623157e308)
TINY: tuple[float, ...] = (1e-300, 5e-324)
EXTREMES: tuple[int | float, ...] = (0, 0.0, *HUGE, *TINY)


def _negated(expr: Expr) -> Expr:
    return make(OPS["neg"], (expr,))


def _signed(magnitudes: st.SearchStrategy[int | float]) -> st.SearchStrategy[Expr]:
    nodes = magnitudes.map(constant)
    return st.one_of(nodes, nodes.map(_negated))


def named_constants() -> st.SearchStrategy[Expr]:
    """pi, e and every other op of the table without arguments."""
    return st.sampled_from(NAMED_CONSTANTS).map(make)


def moderate_constants() -> st.SearchStrategy[Expr]:
    """Integers 0 to 5, floats 0.0 to 4.0 and the named constants (negative values still
    come from the neg op): for comparisons that cannot follow huge or tiny magnitudes
    through a formula, and for tests held back by a defect the wide constants expose."""
    magnitudes: st.SearchStrategy[int | float] = st.one_of(
        st.integers(min_value=0, max_value=5),
        st.floats(min_value=0.0, max_value=4.0, allow_subnormal=False),
    )
    return st.one_of(magnitudes.map(constant), named_constants())


def constants() -> st.SearchStrategy[Expr]:
    """Every kind of constant: the moderate ones, 0 and 0.0, huge and tiny magnitudes, any
    finite float, integers up to 10**30, each also negated; and the named constants."""
    magnitudes: st.SearchStrategy[int | float] = st.one_of(
        st.integers(min_value=0, max_value=5),
        st.floats(min_value=0.0, max_value=4.0, allow_subnormal=False),
        st.sampled_from(EXTREMES),
        st.floats(min_value=0.0, allow_nan=False, allow_infinity=False),
        st.integers(min_value=0, max_value=10**30),
    )
    return st.one_of(_signed(magnitudes), named_constants())


# The default of the functions below, whose parameter of the same name shadows it.
_every_constant = constants


def leaves(
    names: Sequence[str] = VARIABLE_NAMES,
    constants: st.SearchStrategy[Expr] | None = None,
) -> st.SearchStrategy[Expr]:
    """A variable of ``names`` or a constant (by default, every kind of constant)."""
    numbers = _every_constant() if constants is None else constants
    return st.one_of(st.sampled_from(names).map(variable), numbers)


# For the arguments an op takes as whole numbers only (polygamma's order).
_WHOLE_NUMBERS = st.integers(min_value=0, max_value=3).map(constant)


def _apply(op: Op, children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    arguments = [_WHOLE_NUMBERS if i in op.whole_arguments else children for i in range(op.arity)]
    return st.tuples(*arguments).map(lambda args: make(op, args))


def applications(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    """One op of the table applied to arguments drawn from ``children``."""
    return st.sampled_from(OPERATIONS).flatmap(lambda op: _apply(op, children))


def expressions(
    names: Sequence[str] = VARIABLE_NAMES,
    max_leaves: int = 8,
    constants: st.SearchStrategy[Expr] | None = None,
) -> st.SearchStrategy[Expr]:
    """Random expression trees over ``names``, using every op of the table."""
    return st.recursive(leaves(names, constants), applications, max_leaves=max_leaves)


def full_trees(
    names: Sequence[str] = VARIABLE_NAMES,
    depth: int = 3,
    constants: st.SearchStrategy[Expr] | None = None,
) -> st.SearchStrategy[Expr]:
    """Trees with an op on every level down to ``depth``: compositions of compositions."""
    trees = leaves(names, constants)
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
