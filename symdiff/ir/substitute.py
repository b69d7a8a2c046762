"""Substitution: an expression with some of its nodes replaced by other expressions.

The REPL uses it to put a named expression where its name is used and to inline a user
function's body with its parameters replaced by the arguments. One walk over the graph in
topological order, so it is linear in the graph's size and depth costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from .graph import rebuild
from .nodes import Expr, make


def substitute(expr: Expr, replacements: Mapping[Expr, Expr]) -> Expr:
    """``expr`` with every node in ``replacements`` replaced, all at once.

    Replacements are not themselves searched, so ``{x: y, y: x}`` swaps ``x`` and ``y``.
    Nodes are rebuilt with :func:`make`, not simplified: the result reads as written.
    """
    if not replacements:
        return expr

    def visit(node: Expr, args: tuple[Expr, ...]) -> Expr:
        if node in replacements:
            return replacements[node]
        changed = any(new is not old for new, old in zip(args, node.args, strict=True))
        return make(node.op, args, node.payload) if changed else node

    return rebuild(expr, visit)
