"""Expression graph to text, in the grammar's own syntax, so ``parse(str(e)) is e``.

One precedence table (the op table's levels) and one decision, :func:`_needs_parentheses`.
The walk is iterative and emits pieces onto a list joined once at the end, so printing is
linear in the output's length at any depth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ..ir.graph import topological_order
from ..ir.nodes import Expr, is_constant, is_variable
from ..ir.ops import ATOM, POWER, UNARY

# How binary operators are spaced: sums get spaces, tighter operators none (x*y + 2^x).
_SPACED = {"+": " + ", "-": " - "}


def precedence(node: Expr) -> int:
    """How tightly a node binds when printed (ops.SUM ... ops.ATOM)."""
    return node.op.precedence if node.op.symbol is not None else ATOM


def _needs_parentheses(parent: Expr, child: Expr, position: int) -> bool:
    """Whether ``child``, the ``position``-th argument of ``parent``, needs parentheses."""
    outer, inner = precedence(parent), precedence(child)
    if parent.op.key == "pow":
        # The base is an atom ((-x)^2, (x^y)^z); the exponent may be signed (x^-y, x^y^z).
        return inner <= POWER if position == 0 else inner < UNARY
    if parent.op.arity == 1:
        # -(-x) rather than --x: the same graph, easier to read.
        return inner <= UNARY
    # Left-associative: a - (b - c) and a/(b*c) keep their parentheses, (a - b) - c does not.
    return inner < outer if position == 0 else inner <= outer


def format_number(value: int | float) -> str:
    """Shortest text that reads back as the same number (repr of int or float)."""
    return repr(value)


Piece = str | Expr


def emit(root: Expr, expand: Callable[[Expr], Sequence[Piece]]) -> str:
    """The text of ``root``: ``expand`` turns a node into its pieces, in order, where a
    piece is text or a node to expand in turn. The walk keeps its own stack, so any depth
    prints, and joins once, so the cost is linear in the output. Text and LaTeX share it."""
    pieces: list[str] = []
    stack: list[Piece] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
        else:
            stack.extend(reversed(expand(item)))
    return "".join(pieces)


def to_text(root: Expr, names: Mapping[Expr, str] | None = None) -> str:
    """``root`` as text; nodes in ``names`` (other than root) print as those names."""
    named = names or {}

    def expand(node: Expr) -> Sequence[Piece]:
        if node in named and node is not root:
            return [named[node]]
        if is_constant(node):
            return [format_number(node.payload)]  # type: ignore[arg-type]
        if is_variable(node):
            return [str(node.payload)]
        if node.op.symbol is None:
            if not node.op.arity:
                return [node.op.name]
            call: list[Piece] = [node.op.name, "("]
            for i, arg in enumerate(node.args):
                call.extend((", ", arg) if i else (arg,))
            return [*call, ")"]
        return _operator(node, named)

    return emit(root, expand)


def _operator(node: Expr, names: Mapping[Expr, str]) -> list[Piece]:
    symbol = node.op.symbol
    assert symbol is not None
    parts: list[Piece] = []
    if len(node.args) == 1:
        parts.append(symbol)
    for i, arg in enumerate(node.args):
        if i:
            parts.append(_SPACED.get(symbol, symbol))
        if arg not in names and _needs_parentheses(node, arg, i):
            parts.extend(("(", arg, ")"))
        else:
            parts.append(arg)
    return parts


def to_text_with_bindings(roots: Sequence[Expr], prefix: str = "t") -> list[str]:
    """Lines ``t1 = x*y``, ... for every compound node used more than once, then one line
    per root written in terms of those names: readable however much the graph shares."""
    order = topological_order(roots)
    uses: dict[Expr, int] = {}
    for node in order:
        for arg in node.args:
            uses[arg] = uses.get(arg, 0) + 1
    taken = {str(node.payload) for node in order if is_variable(node)}
    while any(name.startswith(prefix) for name in taken):
        prefix += "_"
    names: dict[Expr, str] = {}
    lines: list[str] = []
    for node in order:
        if node.args and uses.get(node, 0) > 1 and not _is_small(node):
            names[node] = f"{prefix}{len(names) + 1}"
            lines.append(f"{names[node]} = {to_text(node, names)}")
    lines.extend(to_text(root, names) if root not in names else names[root] for root in roots)
    return lines


def _is_small(node: Expr) -> bool:
    """Nodes not worth a name: a negated or divided pair of leaves, such as -2 or 3/2."""
    return all(not arg.args for arg in node.args) and node.op.symbol in ("-", "/")


def printed_size(expr: Expr, limit: int) -> int:
    """How many nodes ``str(expr)`` writes, counted up to just past ``limit``: a shared
    node is written at every use, so this can be far more than the graph's size."""
    size: dict[Expr, int] = {}
    for node in topological_order([expr]):
        size[node] = min(limit + 1, 1 + sum(size[arg] for arg in node.args))
    return size[expr]
