"""Expression graph to text, in the grammar's own syntax, so ``parse(str(e)) is e``.

The text backend's table: operators as ``precedence.OPERATORS`` writes them, with the one
parenthesisation decision, :func:`~.precedence.needs_parentheses`; every other op is a call
by its name (``sin(x)``, ``log(x, 2)``) or, without arguments, its name (``pi``). The walk is
iterative and emits pieces onto a list joined once at the end, so printing is linear in the
output's length at any depth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ..errors import SymdiffError
from ..ir.graph import topological_order
from ..ir.nodes import Expr, is_constant, is_variable
from ..limits import current as current_limits
from .precedence import OPERATORS, needs_parentheses

# How binary operators are spaced: sums get spaces, tighter operators none (x*y + 2^x).
_SPACED = {"add": " + ", "sub": " - "}

# Operators whose application to leaves is not worth a name of its own (-2, 3/2, x - 1).
_SMALL = frozenset({"neg", "sub", "div"})


def format_number(value: int | float) -> str:
    """Shortest text that reads back as the same number (repr of int or float)."""
    return repr(value)


Piece = str | Expr


def emit(root: Expr, expand: Callable[[Expr], Sequence[Piece]], width: int | None = None) -> str:
    """The text of ``root``: ``expand`` turns a node into its pieces, in order, where a
    piece is text or a node to expand in turn. The walk keeps its own stack, so any depth
    prints, and joins once, so the cost is linear in the output. Text and LaTeX share it.

    With ``width``, only the first ``width`` characters are written, followed by ``...``
    if there is more: the cost is then bounded by the width, however large the tree."""
    pieces: list[str] = []
    written = 0
    stack: list[Piece] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
            written += len(item)
            if width is not None and written > width:
                return "".join(pieces)[:width] + "..."
        else:
            stack.extend(reversed(expand(item)))
    return "".join(pieces)


def to_text(root: Expr, names: Mapping[Expr, str] | None = None, width: int | None = None) -> str:
    """``root`` as text; nodes in ``names`` (other than root) print as those names; with
    ``width``, at most that many characters and ``...`` (see :func:`emit`)."""
    named = names or {}

    def expand(node: Expr) -> Sequence[Piece]:
        if node in named and node is not root:
            return [named[node]]
        if is_constant(node):
            return [format_number(node.payload)]  # type: ignore[arg-type]
        if is_variable(node):
            return [str(node.payload)]
        if node.op.key not in OPERATORS:
            if not node.op.arity:
                return [node.op.name]
            call: list[Piece] = [node.op.name, "("]
            for i, arg in enumerate(node.args):
                call.extend((", ", arg) if i else (arg,))
            return [*call, ")"]
        return _operator(node, named)

    return emit(root, expand, width)


def _operator(node: Expr, names: Mapping[Expr, str]) -> list[Piece]:
    symbol = OPERATORS[node.op.key].symbol
    parts: list[Piece] = []
    if len(node.args) == 1:
        parts.append(symbol)
    for i, arg in enumerate(node.args):
        if i:
            parts.append(_SPACED.get(node.op.key, symbol))
        if arg not in names and needs_parentheses(node, arg, i):
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
    return all(not arg.args for arg in node.args) and node.op.key in _SMALL


def printed_size(expr: Expr, limit: int) -> int:
    """How many nodes ``str(expr)`` writes, counted up to just past ``limit``: a shared
    node is written at every use, so this can be far more than the graph's size."""
    size: dict[Expr, int] = {}
    for node in topological_order([expr]):
        size[node] = min(limit + 1, 1 + sum(size[arg] for arg in node.args))
    return size[expr]


def text(expr: Expr) -> str:
    """``str(expr)``: the whole text, or a :class:`SymdiffError` when it would write more
    than ``symdiff.limits`` ``printed_nodes`` nodes (a shared node is written at every use,
    so a small graph can print as an enormous tree); ``to_string(cse=True)`` then writes
    each shared node once."""
    limit = current_limits().printed_nodes
    if printed_size(expr, limit) > limit:
        raise SymdiffError(
            f"the expression would print as more than {limit:,} nodes (it has "
            f"{len(topological_order([expr])):,} distinct ones, shared); use "
            "to_string(cse=True), which writes each shared part once, or raise "
            "symdiff.limits(printed_nodes=...)"
        )
    return to_text(expr)


# What a display or a message shows of an expression at most.
DISPLAY_NODES = 10_000
EXCERPT_WIDTH = 200


def excerpt(expr: Expr, width: int = EXCERPT_WIDTH) -> str:
    """The start of ``expr``'s text, at most ``width`` characters and ``...``: for messages
    and displays, at a cost bounded by the width."""
    return to_text(expr, width=width)


def display(expr: Expr) -> str:
    """``repr(expr)``: the text when it is of a readable size, else a bounded summary."""
    if printed_size(expr, DISPLAY_NODES) <= DISPLAY_NODES:
        return to_text(expr)
    nodes = len(topological_order([expr]))
    return f"<Expr of {nodes:,} distinct nodes: {excerpt(expr)}>"


def displayable(expr: Expr) -> bool:
    """Whether a rich display (LaTeX in Jupyter) of ``expr`` is of a readable size."""
    return printed_size(expr, DISPLAY_NODES) <= DISPLAY_NODES
