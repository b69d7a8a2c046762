"""Explanations: the reverse sweep (or forward mode's tangent sweeps), recorded step by
step as a textbook works it by hand.

The numbers are not recomputed. :class:`RecordingAlgebra` wraps the algebra the sweep runs
under (floats for a point, expression nodes for a symbolic derivative) and tags what the
sweep builds: the seed, each chain-rule product ``adjoint * partial`` and each sum where
paths meet at a shared node. Reading the tags back after the real ``forward`` and
``reverse`` gives the worked example, and its answers are the sweep's own, bit for bit.
Forward mode is recorded the same way around :func:`~symdiff.diff.forward.tangents`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, Generic, TypeVar

from ..errors import SymdiffError
from ..ir.graph import active_nodes, topological_order
from ..ir.nodes import Expr, is_variable, make, variable
from ..ir.ops import Op
from ..simplify import ONE, ZERO, shortest, simplify
from ..syntax.dot import render, to_dot
from ..syntax.latex import to_latex
from ..syntax.printer import to_text
from .algebra import Algebra, CheckedFloatAlgebra, nearest_float
from .forward import tangents
from .reverse import forward, reverse
from .symbolic import NODES

T = TypeVar("T")

# What a recorded quantity is: a forward value or a rule's temporary, the seed at the
# output, one chain-rule product, or the sum of products where paths meet.
VALUE, SEED, PRODUCT, SUM = "value", "seed", "product", "sum"
_ADJOINTS = (SEED, PRODUCT, SUM)


@dataclass(eq=False)
class Traced(Generic[T]):
    """A value of the wrapped algebra, tagged with how the sweep made it."""

    value: T
    kind: str = VALUE
    # PRODUCT: (adjoint, partial); SUM: the products, in the order the sweep added them.
    parts: tuple[Traced[T] | int, ...] = ()


def _raw(value: object) -> Any:
    return value.value if isinstance(value, Traced) else value


def _kind(value: object) -> str | None:
    return value.kind if isinstance(value, Traced) else None


# What RecordingAlgebra hands the wrapped algebra as the partial, to learn whether it was
# asked for (the value was not zero) or a zero was given instead.
_ASKED: Any = object()


def _asked() -> Any:
    return _ASKED


class RecordingAlgebra(Algebra[Traced[T]]):
    """The wrapped algebra's arithmetic, unchanged, with each result tagged.

    Rules only ever see forward values, never adjoints, so a product whose left factor is
    an adjoint is the sweep's ``adjoint * partial``, and a sum of an adjoint and such a
    product is the sweep accumulating at a shared node.
    """

    def __init__(self, inner: Algebra[T]) -> None:
        self.inner = inner

    def constant(self, value: int | float) -> Traced[T]:
        return Traced(self.inner.constant(value))

    def apply(self, op: Op, *args: Traced[T] | int) -> Traced[T]:
        return Traced(self.inner.apply(op, *[_raw(a) for a in args]))

    def is_zero(self, value: Traced[T] | int) -> bool:
        return self.inner.is_zero(_raw(value))

    def unless_zero(
        self, value: Traced[T] | int, partial: Callable[[], Traced[T] | int]
    ) -> Traced[T] | int:
        # The wrapped algebra decides what zero is (a number at a point, a zero node).
        zero = self.inner.unless_zero(_raw(value), _asked)
        if zero is _ASKED:
            return partial()
        if isinstance(zero, int):
            return 0  # structural: the contribution is skipped
        return Traced(zero)  # a number (a float or a wide decimal): it still multiplies

    def add(self, a: Traced[T] | int, b: Traced[T] | int) -> Traced[T]:
        result = self.inner.add(_raw(a), _raw(b))
        if _kind(a) in _ADJOINTS and _kind(b) == PRODUCT:
            assert isinstance(a, Traced) and isinstance(b, Traced)
            terms = a.parts if a.kind == SUM else (a,)
            return Traced(result, SUM, (*terms, b))
        return Traced(result)

    def mul(self, a: Traced[T] | int, b: Traced[T] | int) -> Traced[T]:
        result = self.inner.mul(_raw(a), _raw(b))
        if _kind(a) in _ADJOINTS:
            assert isinstance(a, Traced)
            return Traced(result, PRODUCT, (a, b))
        return Traced(result)


# --- rule names: a small table keyed by op, one name per argument ----------------------

_RULES: dict[str, tuple[str, ...]] = {
    "add": ("sum rule", "sum rule"),
    "sub": ("difference rule", "difference rule"),
    "mul": ("product rule", "product rule"),
    "div": ("quotient rule", "quotient rule"),
    "neg": ("negation",),
    "pow": ("power rule", "exponential rule"),
}

_U, _V = variable("u"), variable("v")


@functools.cache
def rule_name(op: Op, index: int) -> str:
    """The name of the rule for ``op``'s partial in argument ``index``: an algebra rule, or
    the table entry, written from the op table's own rule."""
    if op.key in _RULES:
        return _RULES[op.key][index]
    if index in op.whole_arguments:
        return f"table: {op.name} has no derivative in its whole-number argument {index + 1}"
    generic = (_U, _V)[: op.arity]
    entry = make(op, generic)
    partial = _as_node(op.partials[index](NODES, entry, *generic))
    wrt = "u" if index == 0 else "v"
    symbol = "d" if op.arity == 1 else "∂"
    return f"table: {symbol}/{symbol}{wrt} {to_text(entry)} = {to_text(partial)}"


def _as_node(value: Expr | int) -> Expr:
    return value if isinstance(value, Expr) else NODES.constant(value)


# --- the recorded explanation ----------------------------------------------------------


@dataclass(frozen=True)
class Step(Generic[T]):
    """A named node of the forward pass: ``name = formula``, with its value."""

    name: str
    node: Expr
    formula: Expr  # the node's op applied to its arguments' names
    value: T


@dataclass(frozen=True)
class Path(Generic[T]):
    """One chain-rule product into a node: adjoint of ``consumer`` times the local
    derivative of ``consumer`` with respect to its ``index``-th argument."""

    consumer: Expr
    index: int
    rule: str
    local_formula: Expr | None  # the op table's partial, in terms of the names
    local: T | int
    adjoint: T | int
    value: T | int


@dataclass(frozen=True)
class AdjointStep(Generic[T]):
    """A node's adjoint, d output / d node: the seed, or the sum of its paths."""

    name: str
    node: Expr
    paths: tuple[Path[T], ...]
    value: T


_LETTERS = "rstuvwpqabcdghkmn"
# Steps shown per pass before the rest are summarised.
LIMIT = 30


def _names(order: Sequence[Expr], active: set[Expr]) -> dict[Expr, str]:
    """Names for the leaves (their own) and for the compound nodes worth a step: those on
    a path from a variable, and the output. The output is ``z`` as in the textbook."""
    root = order[-1]
    names: dict[Expr, str] = {}
    taken = {str(node.payload) for node in order if is_variable(node)}
    for node in order:
        if is_variable(node):
            names[node] = str(node.payload)
    if not root.args:
        names[root] = to_text(root)
        return names
    output = next((n for n in ("z", "f", "y", "out") if n not in taken), "out_")
    taken.add(output)
    steps = [n for n in order[:-1] if n.args and n in active]
    letters = [c for c in _LETTERS if c not in taken]
    if len(steps) <= len(letters):
        chosen = letters[: len(steps)]
    else:
        prefix = "v"
        while any(name.startswith(prefix) for name in taken):
            prefix += "_"
        chosen = [f"{prefix}{i}" for i in range(1, len(steps) + 1)]
    names.update(zip(steps, chosen, strict=True))
    names[root] = output
    return names


class Explanation(Generic[T]):
    """The forward and backward passes of one reverse sweep, step by step.

    ``str()`` reads like the worked example; ``to_markdown()`` and ``to_latex()`` render
    the same steps. ``adjoints`` maps each named node (by name and by node) to its adjoint;
    ``partials`` maps each variable to the derivative, as ``differentiate`` gives it.
    """

    def __init__(
        self,
        expr: Expr,
        point: Mapping[str, float] | None,
        names: dict[Expr, str],
        forward_steps: list[Step[T]],
        backward_steps: list[AdjointStep[T]],
        partials: dict[str, T],
        value: T,
        node_values: dict[Expr, T],
        node_adjoints: dict[Expr, T],
    ) -> None:
        self.expr = expr
        self.point = dict(point) if point is not None else None
        self.names = names
        self.forward_steps = forward_steps
        self.backward_steps = backward_steps
        self.partials = partials
        self.value = value
        self.node_values = node_values
        self.node_adjoints = node_adjoints
        self.output = names[expr]
        # Whether the numbers are the interpreter's wide decimals (a step overflowed the
        # floats at this point), each shown rounded to the float nearest it.
        self.wide = False
        self.adjoints: dict[str | Expr, T] = {}
        for node, adjoint in node_adjoints.items():
            if node in names:
                self.adjoints[names[node]] = adjoint
                self.adjoints[node] = adjoint

    @property
    def symbolic(self) -> bool:
        return self.point is None

    def show_values(self, values: Mapping[Expr, T]) -> None:
        """Show ``values`` as the nodes' values in the forward pass and the result: where
        floats computed the values and only the derivatives needed wide decimals, the
        numbers ``evaluate`` and ``differentiate`` give."""
        self.forward_steps = [replace(s, value=values[s.node]) for s in self.forward_steps]
        self.node_values = {**self.node_values, **values}
        self.value = values[self.expr]

    def summary(self) -> str:
        order = topological_order([self.expr])
        uses: dict[Expr, int] = {}
        for node in order:
            for arg in node.args:
                uses[arg] = uses.get(arg, 0) + 1
        shared = sum(1 for node in order if node.args and uses.get(node, 0) > 1)
        inputs = sum(1 for node in order if is_variable(node))
        return (
            f"{len(order)} nodes: {inputs} input{'s' * (inputs != 1)}, "
            f"{len(self.forward_steps)} named step{'s' * (len(self.forward_steps) != 1)}, "
            f"{shared} shared"
        )

    # --- rendering ---------------------------------------------------------------------

    def _lines(self, style: _Style, limit: int | None) -> list[str]:
        z = self.output
        where = ""
        if self.point:
            where = " at " + ", ".join(f"{k} = {_number(v)}" for k, v in self.point.items())
        defined = f"{z} = {style.formula(self.expr)}" if self.expr.args else z
        lines = [style.title(f"{defined}{where}"), style.text(self.summary())]
        if self.wide:
            lines.append(
                style.text(
                    "A step overflows the floats at this point, so the derivatives are "
                    "computed in wide decimals, each number shown as the float nearest it "
                    "(inf beyond the float range); the values of the forward pass are the "
                    "floats' where they computed them, as evaluate gives them."
                )
            )
        lines.append(style.heading("Forward pass: each node from its arguments"))
        forward_steps = self.forward_steps if limit is None else self.forward_steps[:limit]
        for step in forward_steps:
            value = "" if self.symbolic else " " + style.value(step.value)
            formula = style.formula(step.formula)
            lines.append(style.item(f"{style.name(step.name)} = {formula}{value}"))
        lines.extend(style.more(len(self.forward_steps) - len(forward_steps)))
        lines.extend(self._derivative_lines(style, limit))
        lines.append(style.heading("Result"))
        if not self.symbolic:
            lines.append(style.item(f"{style.name(z)} = {style.exact(self.value)}"))
        for name, partial in self.partials.items():
            # A symbolic derivative is given in the shortest form found, after the sweep's.
            swept = self.node_adjoints.get(variable(name), partial)
            shown = style.exact(partial)
            if swept is not partial:
                shown = f"{style.exact(swept)} = {shown}"
            lines.append(style.item(f"{style.d(z, name)} = {shown}"))
        return style.finish(lines)

    def _derivative_lines(self, style: _Style, limit: int | None) -> list[str]:
        """The pass that carries the derivatives: here the backward pass."""
        lines = [style.heading(f"Backward pass: the adjoint of each node, from {self.output} back")]
        backward_steps = self.backward_steps if limit is None else self.backward_steps[:limit]
        for adjoint_step in backward_steps:
            lines.extend(self._adjoint_lines(adjoint_step, style))
        lines.extend(style.more(len(self.backward_steps) - len(backward_steps)))
        return lines

    def _adjoint_lines(self, step: AdjointStep[T], style: _Style) -> list[str]:
        z, n = self.output, step.name
        if not step.paths:
            return [style.item(f"{style.d(z, n)} {style.value(step.value)}{style.note('seed')}")]
        chain = " + ".join(
            f"{style.d(z, self.names[p.consumer])}{style.dot}{style.d(self.names[p.consumer], n)}"
            for p in step.paths
        )
        numbers = ""
        if not self.symbolic:
            products = (f"{_factor(p.adjoint)}{style.dot}{_factor(p.local)}" for p in step.paths)
            numbers = " = " + " + ".join(products)
        how = "chain rule"
        if len(step.paths) > 1:
            how += f"; {len(step.paths)} paths meet at {n}, their products add up"
        total = style.value(step.value)
        lines = [style.item(f"{style.d(z, n)} = {chain}{numbers} {total}{style.note(how)}")]
        for p in step.paths:
            consumer = self.names[p.consumer]
            formula = "" if p.local_formula is None else f" = {style.formula(p.local_formula)}"
            # The value, unless the formula already is that number (or is symbolic).
            local = " " + style.value(p.local)
            if p.local_formula is not None and (
                self.symbolic or _is_number(p.local_formula, p.local)
            ):
                local = ""
            lines.append(style.sub(f"{style.d(consumer, n)}{formula}{local}{style.note(p.rule)}"))
        return lines

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self, limit: int | None = LIMIT) -> str:
        """The steps as plain text; a graph with more than ``limit`` steps in a pass shows
        the first ``limit`` of them (``None``: all)."""
        return "\n".join(self._lines(_TEXT, limit))

    def __repr__(self) -> str:
        return f"<Explanation of {self.names[self.expr]} = {self.expr}>"

    def to_markdown(self, limit: int | None = LIMIT) -> str:
        """The steps as Markdown: headings and lists, formulas as inline code."""
        return "\n".join(self._lines(_MARKDOWN, limit))

    def to_latex(self, limit: int | None = LIMIT) -> str:
        """The steps as a LaTeX ``align*`` block."""
        return "\n".join(self._lines(_LATEX, limit))

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_dot(self, gradients: bool = True) -> str:
        """The graph as Graphviz DOT, each node with its name and value (and adjoint)."""
        values = self.node_values if not self.symbolic else None
        adjoints = self.node_adjoints if gradients and not self.symbolic else None
        return to_dot(self.expr, values, adjoints, self.names, self.output)  # type: ignore[arg-type]

    @property
    def mode(self) -> str:
        return "reverse"

    def _repr_svg_(self) -> str | None:
        # None (Graphviz missing) tells Jupyter to show the Markdown steps alone.
        try:
            return render(self.to_dot(), "svg").decode()
        except SymdiffError:
            return None


@dataclass(frozen=True)
class Term(Generic[T]):
    """One product into a node's tangent: the local derivative of the node with respect to
    its ``index``-th argument, times that argument's tangent."""

    argument: Expr
    index: int
    rule: str
    local_formula: Expr | None
    local: T | int
    tangent: T | int
    value: T | int


@dataclass(frozen=True)
class TangentStep(Generic[T]):
    """A node's tangent along one input, d node / d input: the seed, or a sum of terms."""

    name: str
    node: Expr
    terms: tuple[Term[T], ...]
    value: T


class ForwardExplanation(Explanation[T]):
    """Forward mode, step by step: the same forward pass of values, then for each input one
    tangent pass pushing d node / d input from that input to the output.

    ``tangents[x]`` maps each named node (by name and by node) to its tangent along x;
    ``partials`` are ``differentiate(..., mode="forward")``'s, bit for bit, and agree with
    the reverse explanation's to rounding.
    """

    def __init__(
        self,
        expr: Expr,
        point: Mapping[str, float] | None,
        names: dict[Expr, str],
        forward_steps: list[Step[T]],
        tangent_steps: dict[str, list[TangentStep[T]]],
        partials: dict[str, T],
        value: T,
        node_values: dict[Expr, T],
        node_tangents: dict[str, dict[Expr, T]],
    ) -> None:
        super().__init__(expr, point, names, forward_steps, [], partials, value, node_values, {})
        self.tangent_steps = tangent_steps
        self.node_tangents = node_tangents
        self.tangents: dict[str, dict[str | Expr, T]] = {}
        for wrt, by_node in node_tangents.items():
            named: dict[str | Expr, T] = {}
            for node, tangent in by_node.items():
                if node in names:
                    named[names[node]] = tangent
                    named[node] = tangent
            self.tangents[wrt] = named

    @property
    def mode(self) -> str:
        return "forward"

    def _derivative_lines(self, style: _Style, limit: int | None) -> list[str]:
        lines: list[str] = []
        for wrt, steps in self.tangent_steps.items():
            lines.append(
                style.heading(f"Tangent pass along {wrt}: d node/d{wrt} of each node, forward")
            )
            shown = steps if limit is None else steps[:limit]
            for step in shown:
                lines.extend(self._tangent_lines(step, wrt, style))
            lines.extend(style.more(len(steps) - len(shown)))
        return lines

    def _tangent_lines(self, step: TangentStep[T], wrt: str, style: _Style) -> list[str]:
        n = step.name
        total = style.value(step.value)
        if not step.terms:
            return [style.item(f"{style.total(n, wrt)} {total}{style.note('seed')}")]
        chain = " + ".join(
            f"{style.d(n, self.names[t.argument])}{style.dot}"
            f"{style.total(self.names[t.argument], wrt)}"
            for t in step.terms
        )
        numbers = ""
        if not self.symbolic:
            products = (f"{_factor(t.local)}{style.dot}{_factor(t.tangent)}" for t in step.terms)
            numbers = " = " + " + ".join(products)
        how = "chain rule"
        if len(step.terms) > 1:
            how += f"; {len(step.terms)} arguments of {n} move with {wrt}, their products add up"
        lines = [style.item(f"{style.total(n, wrt)} = {chain}{numbers} {total}{style.note(how)}")]
        for t in step.terms:
            argument = self.names[t.argument]
            formula = "" if t.local_formula is None else f" = {style.formula(t.local_formula)}"
            local = " " + style.value(t.local)
            if t.local_formula is not None and (
                self.symbolic or _is_number(t.local_formula, t.local)
            ):
                local = ""
            lines.append(style.sub(f"{style.d(n, argument)}{formula}{local}{style.note(t.rule)}"))
        return lines

    def to_dot(self, gradients: bool = True) -> str:
        """The graph as Graphviz DOT, each node with its name and value (tangents are
        per input, so the picture leaves them to the text)."""
        values = self.node_values if not self.symbolic else None
        return to_dot(self.expr, values, None, self.names, self.output)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"<ForwardExplanation of {self.names[self.expr]} = {self.expr}>"


def _is_number(formula: Expr, value: object) -> bool:
    """Whether ``formula`` is written just as ``value`` is shown (1, -1, 0.5)."""
    return to_text(formula) == _number(value)


def _number(value: object) -> str:
    """A short form of a number for reading (4 significant digits)."""
    if isinstance(value, Expr):
        return to_text(value)
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, float)
    if not math.isfinite(value):
        return repr(value)
    return f"{value:.4g}"


def _factor(value: object) -> str:
    text = _number(value)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class _Style:
    """How one output format writes the pieces of an explanation."""

    formula: Callable[[Expr], str]
    name: Callable[[str], str]
    d: Callable[[str, str], str]
    total: Callable[[str, str], str]
    title: Callable[[str], str]
    heading: Callable[[str], str]
    item: Callable[[str], str]
    sub: Callable[[str], str]
    text: Callable[[str], str]
    note: Callable[[str], str]
    finish: Callable[[list[str]], list[str]]
    dot: str = "·"
    approx: str = "≈"

    def value(self, value: object) -> str:
        if isinstance(value, Expr):
            return f"= {self.formula(value)}"
        if isinstance(value, int):
            return f"= {value}"
        assert isinstance(value, float)
        short = _number(value)
        return f"= {short}" if float(short) == value else f"{self.approx} {short}"

    def exact(self, value: object) -> str:
        return self.formula(value) if isinstance(value, Expr) else repr(value)

    def more(self, hidden: int) -> list[str]:
        if hidden <= 0:
            return []
        return [self.item(f"... and {hidden} more (a limit of None shows every step)")]


def _latex_name(name: str) -> str:
    return to_latex(variable(name))


_TEXT = _Style(
    formula=to_text,
    name=lambda name: name,
    d=lambda top, bottom: f"∂{top}/∂{bottom}",
    total=lambda top, bottom: f"d{top}/d{bottom}",
    title=lambda line: line,
    heading=lambda line: f"\n{line}",
    item=lambda line: f"  {line}",
    sub=lambda line: f"      {line}",
    text=lambda line: line,
    note=lambda line: f"  ({line})",
    finish=lambda lines: lines,
)

_MARKDOWN = _Style(
    formula=lambda e: f"`{to_text(e)}`",
    name=lambda name: name,
    d=lambda top, bottom: f"∂{top}/∂{bottom}",
    total=lambda top, bottom: f"d{top}/d{bottom}",
    title=lambda line: f"### {line}",
    heading=lambda line: f"\n**{line}**\n",
    item=lambda line: f"- {line}",
    sub=lambda line: f"  - {line}",
    text=lambda line: f"\n{line}",
    note=lambda line: f" *({line})*",
    finish=lambda lines: lines,
)

_LATEX = _Style(
    formula=to_latex,
    name=_latex_name,
    d=lambda top, bottom: (
        f"\\frac{{\\partial {_latex_name(top)}}}{{\\partial {_latex_name(bottom)}}}"
    ),
    total=lambda top, bottom: f"\\frac{{d {_latex_name(top)}}}{{d {_latex_name(bottom)}}}",
    title=lambda line: f"% {line}",
    heading=lambda line: f"&\\text{{{line}}} \\\\",
    item=lambda line: f"&{line} \\\\",
    sub=lambda line: f"&\\quad {line} \\\\",
    text=lambda line: f"% {line}",
    note=lambda line: f" \\quad \\text{{({line})}}",
    finish=lambda lines: [*lines[:2], "\\begin{align*}", *lines[2:], "\\end{align*}"],
    dot=" \\cdot ",
    approx="\\approx",
)


# --- recording a sweep -------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A number as the explanation shows it: the interpreter keeps integer constants exact
    (Fractions) while it can, and gives floats in the end, so the explanation does too. An
    exact value beyond the float range (14^269, which min(0, 14^269) never needs as a
    float) is shown as the infinity of its sign, as a wide (Decimal) one converts."""
    return nearest_float(value) if isinstance(value, Fraction | Decimal) else value


def _record(
    root: Expr,
    algebra: Algebra[T],
    leaf: Callable[[Expr], T],
    seed: T,
    active: set[Expr],
    point: Mapping[str, float] | None,
    variables: Sequence[Expr],
    zero: T,
) -> Explanation[T]:
    order = topological_order([root])
    recording: RecordingAlgebra[T] = RecordingAlgebra(algebra)
    traced_values = forward(order, recording, lambda node: Traced(leaf(node)))
    traced_adjoints = reverse(order, traced_values, recording, Traced(seed, SEED), active)
    values = {node: _plain(t.value) for node, t in traced_values.items()}
    adjoints = {node: _plain(t.value) for node, t in traced_adjoints.items()}

    names, in_names, forward_steps = _forward_pass(order, values)

    # Whose adjoint is each recorded adjoint: the sweep reads a node's adjoint once it is
    # final, so the object multiplied is the one left in the dict.
    owner = {id(t): node for node, t in traced_adjoints.items()}
    backward_steps: list[AdjointStep[T]] = []
    for node in reversed(order):
        traced = traced_adjoints.get(node)
        if traced is None or node not in names:
            continue
        terms = traced.parts if traced.kind == SUM else (() if traced.kind == SEED else (traced,))
        used: dict[Expr, int] = {}
        paths: list[Path[T]] = []
        for term in terms:
            assert isinstance(term, Traced) and term.kind == PRODUCT
            adjoint, partial = term.parts
            assert isinstance(adjoint, Traced)
            consumer = owner[id(adjoint)]
            index = _argument_index(consumer, node, used, in_names)
            paths.append(
                Path(
                    consumer=consumer,
                    index=index,
                    rule=rule_name(consumer.op, index),
                    local_formula=_local_formula(consumer, index, in_names),
                    local=_plain(_raw(partial)),
                    adjoint=_plain(adjoint.value),
                    value=_plain(term.value),
                )
            )
        backward_steps.append(AdjointStep(names[node], node, tuple(paths), _plain(traced.value)))

    partials = {str(v.payload): adjoints.get(v, zero) for v in variables}
    return Explanation(
        root, point, names, forward_steps, backward_steps, partials, values[root], values,
        adjoints,
    )  # fmt: skip


def _forward_pass(
    order: Sequence[Expr], values: Mapping[Expr, T]
) -> tuple[dict[Expr, str], Callable[[Expr], Expr], list[Step[T]]]:
    """The names of the nodes, each node written in its arguments' names, and the steps of
    the forward pass of values."""
    names = _names(order, active_nodes(order))
    placeholder = {node: variable(name) for node, name in names.items() if node.args}
    for node in order:
        if is_variable(node):
            placeholder[node] = node

    def in_names(node: Expr) -> Expr:
        return placeholder.get(node, node)

    forward_steps = [
        Step(names[n], n, make(n.op, tuple(in_names(a) for a in n.args)), values[n])
        for n in order
        if n.args and n in names
    ]
    return names, in_names, forward_steps


def _record_forward(
    root: Expr,
    algebra: Algebra[T],
    leaf: Callable[[Expr], T],
    seed: T,
    point: Mapping[str, float] | None,
    variables: Sequence[Expr],
    zero: T,
) -> ForwardExplanation[T]:
    """Forward mode recorded: one tangent sweep per variable, each seeded with ``seed``."""
    order = topological_order([root])
    recording: RecordingAlgebra[T] = RecordingAlgebra(algebra)
    traced_values = forward(order, recording, lambda node: Traced(leaf(node)))
    values = {node: _plain(t.value) for node, t in traced_values.items()}
    names, in_names, forward_steps = _forward_pass(order, values)
    tangent_steps: dict[str, list[TangentStep[T]]] = {}
    node_tangents: dict[str, dict[Expr, T]] = {}
    for wrt in variables:
        name = str(wrt.payload)
        active = active_nodes(order, {wrt})
        seeds = {wrt: Traced(seed, SEED)}
        traced_tangents = tangents(order, traced_values, recording, seeds, active)
        # Whose tangent each recorded tangent is: a node's tangent is final once made.
        owner = {id(t): node for node, t in traced_tangents.items()}
        steps: list[TangentStep[T]] = []
        for node in order:
            traced = traced_tangents.get(node)
            if traced is None or node not in names:
                continue
            kind = traced.kind
            products = traced.parts if kind == SUM else (() if kind == SEED else (traced,))
            used: dict[Expr, int] = {}
            terms: list[Term[T]] = []
            for product in products:
                assert isinstance(product, Traced) and product.kind == PRODUCT
                tangent, partial = product.parts
                assert isinstance(tangent, Traced)
                argument = owner[id(tangent)]
                index = _argument_index(node, argument, used, in_names)
                terms.append(
                    Term(
                        argument=argument,
                        index=index,
                        rule=rule_name(node.op, index),
                        local_formula=_local_formula(node, index, in_names),
                        local=_plain(_raw(partial)),
                        tangent=_plain(tangent.value),
                        value=_plain(product.value),
                    )
                )
            steps.append(TangentStep(names[node], node, tuple(terms), _plain(traced.value)))
        tangent_steps[name] = steps
        node_tangents[name] = {node: _plain(t.value) for node, t in traced_tangents.items()}
    partials = {name: by_node.get(root, zero) for name, by_node in node_tangents.items()}
    return ForwardExplanation(
        root, point, names, forward_steps, tangent_steps, partials, values[root], values,
        node_tangents,
    )  # fmt: skip


def _local_formula(consumer: Expr, index: int, in_names: Callable[[Expr], Expr]) -> Expr | None:
    """The op table's partial of ``consumer`` in argument ``index``, written in the names:
    the same rule the sweep ran, under the symbolic algebra."""
    try:
        args = [in_names(a) for a in consumer.args]
        return _as_node(consumer.op.partials[index](NODES, in_names(consumer), *args))
    except (ArithmeticError, ValueError, SymdiffError):
        return None


def _argument_index(
    consumer: Expr, node: Expr, used: dict[Expr, int], in_names: Callable[[Expr], Expr]
) -> int:
    """Which argument of ``consumer`` a product came through: the sweep visits arguments in
    order and skips those whose partial is identically zero."""
    indices = [i for i, a in enumerate(consumer.args) if a is node]
    if len(indices) > 1:
        indices = [i for i in indices if _local_formula(consumer, i, in_names) is not ZERO]
    seen = used.get(consumer, 0)
    used[consumer] = seen + 1
    return indices[min(seen, len(indices) - 1)]


_FLOATS = CheckedFloatAlgebra()


def explain_at(
    root: Expr,
    variables: Sequence[Expr],
    point: Sequence[float],
    wrt: Expr | None = None,
    algebra: Algebra[Any] = _FLOATS,
) -> Explanation[float]:
    """The reverse sweep at a point, recorded; ``variables`` and ``point`` line up. With
    ``wrt``, only the nodes on a path to that variable take part, as in ``derivative``.
    ``algebra`` is the interpreter's numbers (its wide decimals where floats overflow)."""
    at = {v: algebra.constant(x) for v, x in zip(variables, point, strict=True)}
    order = topological_order([root])
    active = active_nodes(order, None if wrt is None else {wrt})
    return _record(
        root, algebra, at.__getitem__, algebra.constant(1.0), active,
        dict(zip((str(v.payload) for v in variables), point, strict=True)),
        variables if wrt is None else [wrt], 0.0,
    )  # fmt: skip


def explain_forward_at(
    root: Expr,
    variables: Sequence[Expr],
    point: Sequence[float],
    wrt: Expr | None = None,
    algebra: Algebra[Any] = _FLOATS,
) -> ForwardExplanation[float]:
    """Forward mode at a point, recorded: one tangent sweep per variable (or for ``wrt``)."""
    at = {v: algebra.constant(x) for v, x in zip(variables, point, strict=True)}
    return _record_forward(
        root, algebra, at.__getitem__, algebra.constant(1.0),
        dict(zip((str(v.payload) for v in variables), point, strict=True)),
        variables if wrt is None else [wrt], 0.0,
    )  # fmt: skip


def explain_forward_symbolic(expr: Expr, name: str) -> ForwardExplanation[Expr]:
    """Forward mode's tangent sweep along ``name`` with expression nodes as values: the
    same derivative as ``derivative``, possibly written another way."""
    root = simplify(expr)
    return _record_forward(root, NODES, lambda node: node, ONE, None, [variable(name)], ZERO)


def explain_symbolic(expr: Expr, name: str) -> Explanation[Expr]:
    """The symbolic derivative d expr / d name, recorded: the same sweep ``derivative``
    runs, over the same simplified graph, with expression nodes as values."""
    root = simplify(expr)
    order = topological_order([root])
    wrt = variable(name)
    active = active_nodes(order, {wrt})
    explanation = _record(root, NODES, lambda node: node, ONE, active, None, [wrt], ZERO)
    explanation.partials = {k: shortest(v) for k, v in explanation.partials.items()}
    return explanation


__all__ = [
    "AdjointStep",
    "Explanation",
    "ForwardExplanation",
    "Path",
    "RecordingAlgebra",
    "Step",
    "TangentStep",
    "Term",
    "explain_at",
    "explain_forward_at",
    "explain_forward_symbolic",
    "explain_symbolic",
    "rule_name",
]
