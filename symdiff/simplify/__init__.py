"""Simplification: exact numbers (``numbers.py``) and the rewrite rules as a table
(``rules.py``), applied while expressions are built; sparse polynomials (``polynomial.py``)
and the rational normal form (``normal.py``).

:func:`simplify` rebuilds any expression bottom-up through the rules table, in linear time;
:func:`shortest` then looks for a shorter way to write it through the normal form, at a
bounded cost (``symdiff.simplify`` in the public API does both).
"""

from ..ir.graph import rebuild
from ..ir.nodes import Expr
from ..syntax.parser import as_expr
from .normal import Budget, shortest
from .numbers import ONE, ZERO, as_number, number
from .rules import RULES, Rule, build, disabled

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
]


def simplify(expr: Expr | str) -> Expr:
    """``expr`` rebuilt bottom-up with the rewrite rules (sharing kept).

    Every node :func:`build` returns is a fixed point of the rules, so
    ``simplify(simplify(e)) is simplify(e)``.
    """
    return rebuild(as_expr(expr), lambda node, args: build(node.op, args) if args else node)
