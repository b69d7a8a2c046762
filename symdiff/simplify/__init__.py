"""Simplification: exact numbers (``numbers.py``) and the rewrite rules as a table
(``rules.py``), applied while expressions are built; sparse polynomials (``polynomial.py``)
and the rational normal form (``normal.py``).

:func:`simplify` rebuilds any expression bottom-up through the rules table, in linear time;
:func:`shortest` then looks for a shorter way to write it through the normal form, at a
bounded cost (``symdiff.simplify`` in the public API does both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..deferred import Deferred
from ..ir.graph import rebuild
from ..ir.nodes import Expr
from ..syntax.parser import as_expr
from .numbers import ONE, ZERO, as_number, number
from .rules import RULES, Rule, build, disabled, splits_kept

if TYPE_CHECKING:
    from . import normal
    from .normal import Budget
else:  # loaded at the first shortest form: the command line's answer at a point needs none
    normal = Deferred("symdiff.simplify.normal")

__all__ = [
    "ONE",
    "RULES",
    "ZERO",
    "Budget",
    "Rule",
    "as_number",
    "build",
    "disabled",
    "number",
    "shortest",
    "simplify",
    "splits_kept",
]


def __getattr__(name: str) -> Any:
    if name == "Budget":
        return normal.Budget
    raise AttributeError(f"module 'symdiff.simplify' has no attribute {name!r}")


def shortest(expr: Expr, budget: Budget | None = None) -> Expr:
    """The shortest printed form found for ``expr`` within ``budget`` (``normal.py``)."""
    with splits_kept():
        return normal.shortest(expr) if budget is None else normal.shortest(expr, budget)


def simplify(expr: Expr | str) -> Expr:
    """``expr`` rebuilt bottom-up with the rewrite rules (sharing kept).

    Every node :func:`build` returns is a fixed point of the rules, so
    ``simplify(simplify(e)) is simplify(e)``.
    """
    root = as_expr(expr)
    with splits_kept():
        return rebuild(root, lambda node, args: build(node.op, args) if args else node)
