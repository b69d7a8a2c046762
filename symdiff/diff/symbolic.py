"""Symbolic derivatives: the reverse sweep run with expression nodes as adjoints.

Under :class:`NodeAlgebra` every rule of the op table builds nodes through the simplifying
constructors instead of computing numbers, so the sweep that gives the numeric gradient
gives the gradient as expressions. Adjoints are built over the function's own shared graph,
so the gradient costs a small multiple of the function (the cheap-gradient principle), not
the n^2 of differentiating a tree term by term.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..errors import SymdiffError
from ..ir.graph import active_nodes, topological_order
from ..ir.memo import Memo
from ..ir.nodes import Expr, is_constant, is_variable, variable
from ..limits import Limits
from ..limits import current as current_limits
from ..simplify import ONE, ZERO, as_number, build, number, shortest, simplify, splits_kept
from ..syntax.parser import as_expr, as_exprs
from ..syntax.printer import excerpt
from .algebra import Algebra
from .reverse import StepFailed, reverse


class NodeAlgebra(Algebra[Expr]):
    """Values are expression nodes, built with the simplifying constructors."""

    def constant(self, value: int | float) -> Expr:
        return number(value)

    def apply(self, op: object, *args: Expr | int) -> Expr:
        for a in args:  # the rules' numbers (2 in m.pow(x, 2)) made nodes; usually none
            if type(a) is not Expr:
                args = tuple(a if isinstance(a, Expr) else number(a) for a in args)
                break
        return build(op, args)  # type: ignore[arg-type]

    def is_zero(self, value: Expr | int) -> bool:
        return value is ZERO or (isinstance(value, int) and value == 0)

    def unless_zero(self, value: Expr | int, partial: Callable[[], Expr | int]) -> Expr | int:
        # A zero constant (0 or 0.0) decides now; anything else takes the general formula.
        number = value if isinstance(value, int) else as_number(value)
        return 0 if number == 0 else partial()


NODES = NodeAlgebra()

# Single derivatives remembered by _next_order: (expression, variable, limits) -> result,
# at most 512 of them and 200,000 result nodes in all (about 30 MB).
STEPS: Memo[tuple[Expr, str, Limits], Expr] = Memo(max_entries=512, max_size=200_000)


def variable_name(name: object) -> str:
    if isinstance(name, Expr) and is_variable(name):
        return str(name.payload)
    if not isinstance(name, str):
        raise SymdiffError(f"a variable is named by a string, not {type(name).__name__}")
    node = as_expr(name)
    if not is_variable(node):
        raise SymdiffError(f"{name!r} is not a variable name")
    return str(node.payload)  # the micro sign µ names the variable μ


def _gradient_nodes(root: Expr, names: Sequence[str]) -> list[Expr]:
    """d root / d name for each name, from one reverse sweep over the simplified graph.

    The partials share the function's graph, so a gradient costs a small multiple of the
    function; they are left as the rules build them (a normal form per partial would
    unshare them). ``derivative`` writes its one result in the shortest form found.

    Under NodeAlgebra a node's value is the node itself. ``root`` is what ``simplify`` or
    ``shortest`` returned (every caller passes one), so each of its nodes is a fixed point
    of the rules, and running the forward pass would rebuild every node into itself: half
    the cost of a gradient, for nothing (tests/test_symbolic.py holds that the two agree,
    on random expressions with huge constants too)."""
    order = topological_order([root])
    # Only nodes on a path to a requested variable need adjoints.
    active = active_nodes(order, {variable(name) for name in names})
    values = {node: node for node in order}
    try:
        with splits_kept():
            adjoints = reverse(order, values, NODES, ONE, active)
    except StepFailed as failure:
        if failure.argument is None or not isinstance(failure.cause, SymdiffError):
            raise
        # A partial that exists nowhere (polygamma's in its whole-number order).
        argument = failure.node.args[failure.argument]
        raise SymdiffError(
            f"{excerpt(failure.node)} has no derivative with respect to {excerpt(argument)}:"
            f" {failure.cause}"
        ) from None
    return [adjoints.get(variable(name), ZERO) for name in names]


def derivative(expr: Expr | str, var: str | Expr, order: int = 1) -> Expr:
    """The ``order``-th derivative of ``expr`` with respect to ``var``, as an expression,
    in the shortest form found (see :func:`symdiff.simplify.shortest`).

    >>> derivative("sin(log(x))", "x")
    cos(log(x))/x
    """
    name = variable_name(var)
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise SymdiffError(f"the order of a derivative is a whole number >= 0, not {order!r}")
    most = current_limits().derivative_order
    if order > most:
        raise SymdiffError(
            f"the order {order:,} is over the limit of {most:,} "
            "(symdiff.limits(derivative_order=...) raises it)"
        )
    result = simplify(expr)
    growth = Growth()
    for _ in range(order):
        if is_constant(result) or result is ZERO:
            return ZERO
        if order > 1:
            growth.before(result)
        # Each order starts from the last in its shortest form: the 6th derivative of
        # exp(-x^2) is 8*exp(-x^2)*(8*x^6 - 60*x^4 + 90*x^2 - 15), not 288 characters.
        result = _next_order(result, name)
        growth.last = result
    return result


def _next_order(expr: Expr, name: str) -> Expr:
    """d/d(name) of ``expr`` in its shortest form: one order of :func:`derivative`.

    Remembered (nodes are interned, so the same expression is the same key): the orders
    of ``derivative(f, x, 4)`` are those of ``derivative(f, x, 3)`` and one more, and the
    search for the shortest form is most of a derivative's cost. The limits in force are
    part of the key, since they bound the work; the table is bounded by the results'
    nodes (``STEPS``)."""
    key = (expr, name, current_limits())
    result = STEPS.get(key)
    if result is None:
        with splits_kept():  # the sweep's splits, read again by the search for a form
            (result,) = _gradient_nodes(expr, [name])
            result = shortest(result)
        STEPS.put(key, result, len(topological_order([result])))
    return result


class Growth:
    """The sizes of repeated derivatives, to refuse the next before it is built when, growing
    as the last did, it would pass the ``derivative_nodes`` limit (or four times the first
    expression, if more). Repeated derivatives grow geometrically (the terms of
    d^n/dx^n exp(-x^2) double with n), so the last one allowed costs about the limit.

    A derivative is the next of a chain when its expression contains the last one's result
    (``diff(2*diff(f, x), x)``); any other starts a chain of its own. An order counts one
    derivative of the chain, whatever order that derivative itself had.
    """

    def __init__(self) -> None:
        self.bound = 0
        self.size = 0
        self.order = 0
        self.last: Expr | None = None

    def before(self, expr: Expr) -> None:
        """Account for differentiating ``expr``: raise if that would pass the limit."""
        order = topological_order([expr])
        # A leaf (the 1 of d/dx x) is in many expressions without starting any chain.
        chained = self.last is not None and bool(self.last.args) and self.last in set(order)
        previous, self.size = (self.size if chained else 0), len(order)
        self.order = self.order + 1 if chained else 1
        if not chained:
            self.bound = max(current_limits().derivative_nodes, 4 * self.size)
        expected = self.size * self.size // previous if previous else self.size
        if expected > self.bound:
            raise SymdiffError(
                f"the derivative of order {self.order} would have about {expected:,} nodes,"
                f" over the limit of {self.bound:,} (each order multiplies the size;"
                " symdiff.limits(derivative_nodes=...) raises it)"
            )


def _names(exprs: Iterable[Expr], variables: Iterable[str | Expr] | None) -> list[str]:
    if variables is None:
        seen: dict[str, None] = {}
        for e in exprs:
            seen.update(dict.fromkeys(e.variables))
        return list(seen)
    if isinstance(variables, str | Expr) or not isinstance(variables, Iterable):
        shown = "one string" if isinstance(variables, str) else type(variables).__name__
        raise SymdiffError(f"variables are a list of names, e.g. ['x', 'y'], not {shown}")
    return [variable_name(v) for v in variables]


def gradient(expr: Expr | str, variables: Iterable[str | Expr] | None = None) -> dict[str, Expr]:
    """Every partial derivative as an expression, by variable name, from one sweep."""
    root = simplify(expr)
    names = _names([as_expr(expr)], variables)
    return dict(zip(names, _gradient_nodes(root, names), strict=True))


def jacobian(
    exprs: Sequence[Expr | str], variables: Iterable[str | Expr] | None = None
) -> list[list[Expr]]:
    """Rows of partial derivatives, one row per expression: ``J[i][j] = d f_i / d v_j``."""
    if isinstance(exprs, str | Expr):
        raise SymdiffError("jacobian takes a list of expressions; for one, use gradient")
    roots = as_exprs(exprs, "jacobian")
    names = _names(roots, variables)
    return [_gradient_nodes(simplify(root), names) for root in roots]


def hessian(expr: Expr | str, variables: Iterable[str | Expr] | None = None) -> list[list[Expr]]:
    """The matrix of second derivatives, symmetric by construction."""
    names = _names([as_expr(expr)], variables)
    first = _gradient_nodes(simplify(expr), names)
    matrix: list[list[Expr]] = [[ZERO] * len(names) for _ in names]
    for i, partial in enumerate(first):
        # d2f/dxi dxj for j >= i; the lower triangle is the same objects. The sweep's
        # partials are simplified again first: where a coefficient would overflow, one may
        # hold a node the rules rewrite when they meet it again (tests/test_rules.py).
        row = _gradient_nodes(simplify(partial), names[i:])
        for offset, entry in enumerate(row):
            j = i + offset
            matrix[i][j] = matrix[j][i] = entry
    return matrix
