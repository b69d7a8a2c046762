"""Simplification: exact numbers and the rewrite rules, applied while expressions are built.

:func:`simplify` rebuilds any expression bottom-up with the same rules.
"""

from ..ir.graph import rebuild
from ..ir.nodes import Expr
from ..syntax.parser import as_expr
from .rewrite import ONE, ZERO, build, number

__all__ = ["ONE", "ZERO", "build", "number", "simplify"]


def simplify(expr: Expr | str) -> Expr:
    """``expr`` rebuilt bottom-up with the simplifying constructors (sharing kept)."""
    return rebuild(as_expr(expr), lambda node, args: build(node.op, args) if args else node)
