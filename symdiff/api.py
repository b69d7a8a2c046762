"""The public API: every function ``import symdiff`` offers, over the layers below.

It is also where ``Expr``'s methods are bound to the layers that implement them
(:func:`symdiff.ir.nodes.register_methods`), so ``str(e)``, ``e.evaluate()`` and
``e.diff("x")`` work while every import in the package points down.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .deferred import Deferred
from .diff.algebra import CheckedFloatAlgebra
from .diff.forward import tangents
from .diff.reverse import StepFailed, forward
from .diff.symbolic import derivative, gradient, hessian, jacobian, variable_name
from .errors import SymdiffError, ValuesError
from .ir.graph import active_nodes, topological_order
from .ir.nodes import Expr, register_methods, variable
from .numeric.evaluate import (
    Plan,
    array_gradient,
    domain_error,
    evaluate,
    forward_sweeps,
    node_values,
    not_finite_error,
    plan,
    read_point,
    value_and_gradient,
)
from .numeric.values import real_number
from .numeric.wide import WideAlgebra
from .simplify import shortest
from .simplify import simplify as simplify_with_rules
from .syntax.parser import as_expr, parse
from .syntax.printer import display, displayable, text, to_text_with_bindings
from .syntax.serialize import from_json, to_json

if TYPE_CHECKING:
    from .diff import explain as explaining
    from .diff.explain import Explanation, ForwardExplanation
    from .numeric import arrays, compiled
    from .numeric.compiled import Compiled
    from .syntax import dot, latex
else:  # loaded at their first use: the command line's start pays for every import
    explaining = Deferred("symdiff.diff.explain")
    arrays = Deferred("symdiff.numeric.arrays")
    compiled = Deferred("symdiff.numeric.compiled")
    dot = Deferred("symdiff.syntax.dot")
    latex = Deferred("symdiff.syntax.latex")


def __getattr__(name: str) -> Any:
    if name in ("Explanation", "ForwardExplanation"):
        return getattr(explaining, name)
    if name == "Compiled":
        return compiled.Compiled
    raise AttributeError(f"module 'symdiff.api' has no attribute {name!r}")


__all__ = [
    "CheckReport",
    "Compiled",
    "Explanation",
    "Expr",
    "ForwardExplanation",
    "Gradient",
    "as_expr",
    "check",
    "compile",
    "count_nodes",
    "derivative",
    "differentiate",
    "explain",
    "from_json",
    "gradient",
    "hessian",
    "jacobian",
    "jvp",
    "parse",
    "simplify",
]


class Gradient(Mapping[str, float]):
    """Every partial derivative at a point, by variable name; ``.value`` is the value.

    Read-only. ``float(g)`` is the derivative when there is exactly one variable.
    """

    # A view of one sweep's results, (value, partial, partial, ...): a gradient of 10,000
    # variables costs no dict of its own. ``_positions`` (the plan's, shared) gives each
    # variable's place in ``_results``; ``_extra`` holds names the caller gave that the
    # expression does not contain, whose partials are zero.
    __slots__ = ("_extra", "_positions", "_results", "_value")

    _value: float
    _results: Sequence[float]
    _positions: Mapping[str, int]
    _extra: dict[str, float]

    def __init__(self, value: float, partials: Mapping[str, float]) -> None:
        self._value = value
        self._positions = {name: i for i, name in enumerate(partials, 1)}
        self._results = (value, *partials.values())
        self._extra = {}

    @property
    def value(self) -> float:
        """The function's value at the point."""
        return self._value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Gradient):
            return (
                _same(self._value, other._value)
                and self.keys() == other.keys()
                and all(_same(self[name], other[name]) for name in self)
            )
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __getitem__(self, name: str) -> float:
        position = self._positions.get(name)
        if position is None:
            return self._extra[name]
        return self._results[position]

    def __iter__(self) -> Iterator[str]:
        yield from self._positions
        yield from self._extra

    def __len__(self) -> int:
        return len(self._positions) + len(self._extra)

    def __contains__(self, name: object) -> bool:
        return name in self._positions or name in self._extra

    def __float__(self) -> float:
        if len(self) != 1:
            raise SymdiffError(
                f"float() of a gradient needs exactly one variable, not {len(self)}"
                f" ({', '.join(self) or 'none'}); index it by name instead"
            )
        return self[next(iter(self))]

    def __repr__(self) -> str:
        partials = ", ".join(f"{k!r}: {v!r}" for k, v in self.items())
        return f"Gradient(value={self.value!r}, partials={{{partials}}})"


def _same(a: Any, b: Any) -> bool:
    """Numbers equal, or arrays (over arrays) of one shape equal element by element."""
    if type(a) is float and type(b) is float:
        return a == b
    shape = getattr(a, "shape", ())
    return bool(shape == getattr(b, "shape", ()) and (a == b).all())


_FLOATS = CheckedFloatAlgebra()
_WIDE = WideAlgebra()
_MODES = ("reverse", "forward")


def simplify(expr: Expr | str) -> Expr:
    """``expr`` rewritten by the rules, then in the shortest form found among it and its
    rational normal form (sums over a common denominator, polynomials expanded and
    collected, common factors cancelled); the value is kept wherever ``expr`` is defined.
    Every step has a budget, so a huge expression costs a bounded time and is kept as the
    rules leave it. ``simplify(simplify(e)) is simplify(e)``.

    >>> simplify("1/(x + 1) - x/(x + 1)^2")
    1/(x + 1)^2
    >>> simplify("(x^2 - 1)/(x - 1)")
    x + 1
    """
    return shortest(simplify_with_rules(expr))


def differentiate(
    expr: Expr | str,
    values: Mapping[str, object] | None = None,
    /,
    **keywords: object,
) -> Gradient:
    """The value and all partial derivatives of ``expr`` at a point, in one reverse sweep
    (``mode="reverse"``) or one forward sweep per variable (``mode="forward"``).

    ``mode`` is read as the mode only when it is text, so a variable named ``mode`` still
    takes a number as a keyword, like every other name.

    Values may be NumPy or Dask arrays, mixed with numbers: the value and every partial
    are then arrays of the broadcast shape, and ``errors="warn"|"raise"|"ignore"`` is the
    domain policy for their elements (``symdiff/numeric/arrays.py``).

    >>> g = differentiate("sin(x*y) + cos(x*y)", x=2, y=3)
    >>> round(g.value, 4), round(g["x"], 4)
    (0.6808, 3.7188)
    """
    mode = _mode(keywords)
    node = expr if type(expr) is Expr else as_expr(expr)
    p = node._plan or plan(node)
    results: Sequence[Any]
    try:
        point = read_point(p, values, keywords)
    except ValuesError:
        # Arrays are looked for only once the scalar reader refuses a value, so the scalar
        # path pays nothing for them (numeric/arrays.py; reverse mode in generated NumPy).
        if not arrays.has_arrays(values, keywords):
            if not arrays.has_options(keywords):
                raise
            # errors= and backend= are for arrays; at a single point a domain error raises.
            arrays.drop_options(keywords)
            return differentiate(node, values, mode=mode, **keywords)
        results = array_gradient(p, values, keywords)
        over_arrays = True
    else:
        over_arrays = False
        if mode == "forward":
            results = forward_sweeps(p, point, [{v: 1.0} for v in p.variable_nodes])
        else:
            results = value_and_gradient(p, point)
    extra: dict[str, float] = {}
    given = keywords if values is None else {**values, **keywords} if keywords else values
    if len(given) != len(p.variables):
        zero = results[0] * 0.0 if over_arrays else 0.0
        extra = {name: zero for name in given if name not in p.positions}
    gradient = Gradient.__new__(Gradient)
    gradient._value = results[0]
    gradient._results = results
    gradient._positions = p.positions
    gradient._extra = extra
    return gradient


def _mode(keywords: dict[str, object]) -> str:
    """The ``mode`` keyword, taken out of ``keywords`` when it is text."""
    if "mode" not in keywords or not isinstance(keywords["mode"], str):
        return "reverse"  # the common case, checked first: differentiate is a hot path
    mode = str(keywords.pop("mode"))
    if mode not in _MODES:
        raise SymdiffError(f"mode is 'reverse' or 'forward', not {mode!r}")
    return mode


def forward_jacobian(
    exprs: list[Expr], names: list[str], values: Mapping[str, object]
) -> list[list[float]]:
    """``J[i][j] = d exprs[i] / d names[j]`` at a point by forward mode: one forward pass of
    values over the expressions' shared graph, then one tangent sweep per variable that
    gives a whole column. Cheaper than a reverse sweep per row when there are fewer
    variables than expressions."""
    leaves: dict[Expr, float] = {}
    for expr in exprs:
        p = expr._plan or plan(expr)
        leaves.update(zip(p.variable_nodes, read_point(p, values, {}), strict=True))
    order = topological_order(exprs)
    columns: list[list[float]] = []
    try:
        node_values = forward(order, _FLOATS, leaves.__getitem__)
        for name in names:
            seed = variable(name)
            active = active_nodes(order, {seed})
            column = tangents(order, node_values, _FLOATS, {seed: 1.0}, active, exprs)
            columns.append([column.get(e, 0.0) for e in exprs])
        finite = all(math.isfinite(node_values[e]) for e in exprs)
        finite = finite and all(math.isfinite(x) for c in columns for x in c)
    except StepFailed:
        finite = False
    if not finite:
        # The reverse sweep of each row says what went wrong, as differentiate does.
        return [[differentiate(e, values).get(n, 0.0) for n in names] for e in exprs]
    return [[column[i] for column in columns] for i in range(len(exprs))]


def compile(
    exprs: Expr | str | Sequence[Expr | str],
    variables: Iterable[str | Expr] | None = None,
    *,
    order: int = 1,
    backend: str = "numpy",
    threads: int | None = None,
) -> Compiled:
    """The value and derivatives of ``exprs`` as one generated function of the variables
    (``variables`` in that order; by default the expression's variables, first appearance
    first). ``order=0`` gives the value, ``1`` ``(value, gradient)``, ``2`` ``(value,
    gradient, hessian rows)``; a list of expressions gives ``(values, jacobian rows)``.
    Floats in give floats out; NumPy or Dask arrays give arrays (``backend="numba"``: a
    fused Numba loop over them, see the README), the NumPy program sharing a large array's
    blocks among up to ``threads`` threads (default: one per core). ``.source`` shows the
    code: the forward pass, then the adjoint pass, as a program.

    >>> f = compile("x^2*y")
    >>> f.variables
    ('x', 'y')
    >>> f(3.0, 2.0)
    (18.0, (12.0, 9.0))
    >>> compile("x^2*y", order=2)(3.0, 2.0)
    (18.0, (12.0, 9.0), ((4.0, 6.0), (6.0, 0.0)))
    >>> compile(["x*y", "x + y^2"], ["x", "y"])(2.0, 3.0)
    ((6.0, 11.0), ((3.0, 2.0), (1.0, 6.0)))
    """
    return compiled.Compiled(exprs, variables, order=order, backend=backend, threads=threads)


def jvp(
    expr: Expr | str,
    direction: Mapping[str, float],
    values: Mapping[str, object] | None = None,
    /,
    **keywords: object,
) -> tuple[float, float]:
    """``(value, directional derivative)`` of ``expr`` at a point along ``direction`` (a
    mapping from variable names to floats; names left out move by 0), in one forward sweep.

    >>> jvp("x*y", {"x": 1.0, "y": 1.0}, x=2, y=3)
    (6.0, 5.0)
    """
    node = expr if type(expr) is Expr else as_expr(expr)
    p = node._plan or plan(node)
    point = read_point(p, values, keywords)
    if not isinstance(direction, Mapping):
        raise SymdiffError(f"a direction maps variable names to numbers, not {direction!r}")
    by_name = dict(zip(p.variables, p.variable_nodes, strict=True))
    seeds: dict[Expr, float] = {}
    for name, step in direction.items():
        number = real_number(step, f"the direction for {name}")
        if name in by_name:
            seeds[by_name[name]] = number
    value, derivative = forward_sweeps(p, point, [seeds])
    return value, derivative


def explain(
    expr: Expr | str,
    wrt: str | Expr | Mapping[str, object] | None = None,
    values: Mapping[str, object] | None = None,
    /,
    **keywords: object,
) -> Explanation[Any]:
    """The derivative worked step by step, from the same sweep that computes it.

    With a point (``explain(e, x=2, y=3)``, or a mapping), the forward pass names every node
    and gives its value, and the backward pass gives each node's adjoint as a sum of
    chain-rule products; the partials are ``differentiate``'s, bit for bit. With a variable
    and no point (``explain(e, "x")``), the steps are expressions and the result is
    ``derivative(e, "x")``. ``str()`` shows the steps; ``.adjoints`` holds every adjoint.
    ``wrt`` may be given by keyword too (``explain(e, wrt="x", x=2)``): read as the variable
    when it is a name, as ``mode`` is read as the mode when it is text.

    ``mode="forward"`` records forward mode instead (a :class:`ForwardExplanation`): the
    same forward pass, then one tangent pass per variable (or for ``wrt``), each node's
    d node / d variable from the chain rule; ``.tangents[x]`` holds them, and the partials
    are ``differentiate(..., mode="forward")``'s, so the two sweeps compare side by side.

    >>> print(explain("sin(log(x))", x=2).partials)
    {'x': 0.38461945068198605}
    """
    mode = _mode(keywords)
    named = keywords.get("wrt")
    if wrt is None and isinstance(named, str | Expr):
        wrt = named  # as a keyword too, read as the variable when it is one
        del keywords["wrt"]
    node = expr if type(expr) is Expr else as_expr(expr)
    if isinstance(wrt, Mapping):
        if values is not None:
            raise SymdiffError("explain takes one mapping of values, not two")
        wrt, values = None, wrt
    name = None if wrt is None else variable_name(wrt)
    if name is not None and values is None and not keywords:
        if mode == "forward":
            return explaining.explain_forward_symbolic(node, name)
        return explaining.explain_symbolic(node, name)
    p = node._plan or plan(node)
    point = read_point(p, values, keywords)
    record = explaining.explain_forward_at if mode == "forward" else explaining.explain_at
    wrt = None if name is None else variable(name)
    try:
        explanation: Explanation[float] = record(node, p.variable_nodes, point, wrt)
    except StepFailed as failure:
        if not isinstance(failure.cause, OverflowError):
            raise domain_error(p, point, failure) from None
        # A step overflowed in floats: the steps in the interpreter's wide decimals, as
        # differentiate computes this point (the numeric policy).
        try:
            explanation = record(node, p.variable_nodes, point, wrt, _WIDE)
        except StepFailed as wide_failure:
            raise domain_error(p, point, wide_failure, _WIDE) from None
        explanation.wide = True
        # Values the float pass computed stand, as in differentiate and evaluate.
        explanation.show_values(node_values(p, point))
    numbers = [explanation.value, *explanation.partials.values()]
    if not all(math.isfinite(n) for n in numbers):
        raise not_finite_error(p, point, explanation.node_values, explanation.node_adjoints)
    return explanation


def graph(
    expr: Expr | str,
    values: Mapping[str, object] | None = None,
    /,
    *,
    gradients: bool = False,
) -> str:
    """The expression graph as Graphviz DOT. With ``values``, every node is named as in
    ``explain`` and shows its value, and with ``gradients=True`` its adjoint too."""
    node = expr if type(expr) is Expr else as_expr(expr)
    if values is None:
        if gradients:
            raise SymdiffError("gradients on the graph need a point: give values too")
        return dot.to_dot(node)
    return explain(node, values).to_dot(gradients=gradients)


# --- cross-check ------------------------------------------------------------------------

# Where a non-smooth op switches branch, as a function of its arguments that changes sign
# there: a derivative at (or a difference across) that point is one-sided at best.
_SWITCHES: dict[str, Callable[[list[float]], float]] = {
    "abs": lambda args: args[0],
    "sign": lambda args: args[0],
    "heaviside": lambda args: args[0],
    "acot": lambda args: args[0],  # a jump from -pi/2 to pi/2
    "min": lambda args: args[0] - args[1],
    "max": lambda args: args[0] - args[1],
}
# Sums whose result is tiny next to their terms lose those digits (cancellation).
_CANCELS: dict[str, Callable[[list[float]], float]] = {
    "add": lambda args: args[0] + args[1],
    "sub": lambda args: args[0] - args[1],
}
_AGREE = 1e-9  # relative: reverse, forward and symbolic differ only by rounding
_EPSILON = 2.0**-52


@dataclass(frozen=True)
class CheckRow:
    """One variable's derivative by every method, and whether they agree."""

    variable: str
    reverse: float
    forward: float
    symbolic: float | None
    finite_difference: float | None
    step: float
    agree: bool
    notes: tuple[str, ...]


class CheckReport:
    """Per variable: reverse mode, forward mode, the evaluated symbolic derivative and
    central finite differences side by side. ``ok`` is True when they all agree and
    nothing was flagged; ``str()`` prints the table and the flags."""

    def __init__(
        self, expr: Expr, point: dict[str, float], value: float, rows: list[CheckRow]
    ) -> None:
        self.expr = expr
        self.point = point
        self.value = value
        self.rows = {row.variable: row for row in rows}

    @property
    def ok(self) -> bool:
        return all(row.agree and not row.notes for row in self.rows.values())

    def __getitem__(self, name: str) -> CheckRow:
        return self.rows[name]

    def __str__(self) -> str:
        at = ", ".join(f"{k} = {v!r}" for k, v in self.point.items())
        lines = [f"check {self.expr} at {at}: value {self.value!r}"]
        header = ("variable", "reverse", "forward", "symbolic", "finite difference", "step", "")
        table = [header]
        for row in self.rows.values():
            table.append(
                (
                    row.variable,
                    repr(row.reverse),
                    repr(row.forward),
                    "failed" if row.symbolic is None else repr(row.symbolic),
                    "failed" if row.finite_difference is None else repr(row.finite_difference),
                    f"{row.step:.1e}",
                    "agree" if row.agree and not row.notes else "CHECK",
                )
            )
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        for line in table:
            lines.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        for row in self.rows.values():
            lines.extend(f"  {row.variable}: {note}" for note in row.notes)
        lines.append("all methods agree" if self.ok else "look at the flagged variables")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<CheckReport of {self.expr}: {'ok' if self.ok else 'flagged'}>"


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def check(
    expr: Expr | str, values: Mapping[str, object] | None = None, /, **keywords: object
) -> CheckReport:
    """Cross-check the derivative at a point four ways: reverse mode, forward mode, the
    symbolic derivative evaluated, and central finite differences (step ``h`` per variable,
    ``cbrt(eps)*max(1, |x|)``). Flags kinks (abs, sign, min, max at or across their
    switching point), points where the formula is undefined a step away (domain edges),
    and cancellation (a sum much smaller than its terms, or a difference below rounding).

    >>> check("x^2", x=3).ok
    True
    """
    node = expr if type(expr) is Expr else as_expr(expr)
    p = node._plan or plan(node)
    point = read_point(p, values, keywords)
    reverse_results = value_and_gradient(p, point)
    forward_results = forward_sweeps(p, point, [{v: 1.0} for v in p.variable_nodes])
    order = p.order
    here = node_values(p, point)
    rows: list[CheckRow] = []
    for k, name in enumerate(p.variables):
        notes: list[str] = []
        reverse_value, forward_value = reverse_results[k + 1], forward_results[k + 1]
        symbolic: float | None
        try:
            symbolic = derivative(node, name).evaluate(dict(zip(p.variables, point, strict=True)))
        except SymdiffError as exc:
            symbolic = None
            notes.append(f"the symbolic derivative cannot be evaluated here: {exc}")
        step = _EPSILON ** (1 / 3) * max(1.0, abs(point[k]))
        around: list[dict[Expr, float] | None] = []
        for sign in (1.0, -1.0):
            moved = list(point)
            moved[k] += sign * step
            nearby = _values_nearby(p, moved)
            around.append(nearby)
            if nearby is None:
                notes.append(f"domain edge: undefined at {name} = {moved[k]!r}, a step away")
        difference: float | None = None
        upper, lower = around
        if upper is not None and lower is not None:
            above, below = upper[node], lower[node]
            difference = (above - below) / (2 * step)
            if math.isfinite(difference):
                scale = max(abs(above), abs(below))
                if above != below and abs(above - below) < 1e-10 * scale:
                    notes.append("cancellation: f changes by less than 1e-10 of its size")
            else:
                difference = None
            notes.extend(_kinks(order, here, upper, lower))
        notes.extend(_cancellations(order, here))
        rounding = 16 * _EPSILON * max(abs(here[node]), 1.0) / step
        agree = _close(reverse_value, forward_value, _AGREE)
        if symbolic is not None:
            agree = agree and _close(reverse_value, symbolic, _AGREE)
        if difference is not None:
            tolerance = 1e-5 * max(1.0, abs(reverse_value)) + rounding
            agree = agree and abs(difference - reverse_value) <= tolerance
        rows.append(
            CheckRow(name, reverse_value, forward_value, symbolic, difference, step, agree,
                     tuple(dict.fromkeys(notes)))
        )  # fmt: skip
    return CheckReport(node, dict(zip(p.variables, point, strict=True)), reverse_results[0], rows)


def _values_nearby(p: Plan, point: list[float]) -> dict[Expr, float] | None:
    """Every node's value a step away, or None where the formula has no finite value there."""
    try:
        values = node_values(p, point)
    except SymdiffError:
        return None
    return values if math.isfinite(values[p.order[-1]]) else None


def _arguments(node: Expr, values: Mapping[Expr, float]) -> list[float]:
    return [values[a] for a in node.args]


def _kinks(
    order: list[Expr],
    here: Mapping[Expr, float],
    upper: Mapping[Expr, float],
    lower: Mapping[Expr, float],
) -> list[str]:
    notes = []
    for node in order:
        switch = _SWITCHES.get(node.op.key)
        if switch is None:
            continue
        at, above, below = (switch(_arguments(node, v)) for v in (here, upper, lower))
        if at == 0:
            notes.append(f"kink: {node} is at its switching point; derivatives are one-sided")
        elif (above > 0) != (below > 0) or above == 0 or below == 0:
            notes.append(f"kink: {node} switches within a step; finite differences straddle it")
    return notes


def _cancellations(order: list[Expr], here: Mapping[Expr, float]) -> list[str]:
    notes = []
    for node in order:
        combine = _CANCELS.get(node.op.key)
        if combine is None:
            continue
        args = _arguments(node, here)
        size = max(abs(a) for a in args)
        if size > 0 and abs(combine(args)) < 1e-8 * size:
            notes.append(f"cancellation: {node} is far smaller than its terms (digits lost)")
    return notes


# Past this many nodes a drawn graph is too dense to read (and slow to lay out), so Jupyter
# shows the expression as text instead.
SVG_NODE_LIMIT = 200


def svg(expr: Expr) -> str | None:
    """The graph drawn as SVG by Graphviz, or None when Graphviz is missing or the graph has
    more than ``SVG_NODE_LIMIT`` nodes (Jupyter then falls back to another form)."""
    if count_nodes(expr) > SVG_NODE_LIMIT:
        return None
    try:
        return dot.render(dot.to_dot(expr), "svg").decode()
    except SymdiffError:
        return None


def count_nodes(*exprs: Expr | str) -> int:
    """The number of distinct nodes in the expressions' graph, shared nodes once."""
    return len(topological_order(as_expr(e) for e in exprs))


register_methods(
    text=text,
    display=display,
    displayable=displayable,
    text_with_bindings=lambda expr: "\n".join(to_text_with_bindings([expr])),
    latex=lambda expr: latex.to_latex(expr),
    to_json=to_json,
    from_json=from_json,
    variables=lambda expr: plan(expr).variables,
    evaluate=evaluate,
    derivative=derivative,
    gradient_at=lambda expr, values, keywords: differentiate(expr, values, **keywords),
    to_dot=lambda expr, values, gradients: graph(expr, values, gradients=gradients),
    svg=svg,
)
