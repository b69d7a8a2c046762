"""Numbers: the value and the gradient of an expression at a point.

Each expression gets a :class:`Plan` on first use: its topological order and variables. The
first evaluation runs the checked interpreter (``reverse.py`` under ``FloatAlgebra``); from
the second on, a compiled function does the same work in straight-line code. Whenever the
compiled code fails or returns something that is not finite, the checked interpreter runs
instead, so errors always name the subexpression, the offending value and the point. Both
follow the one numeric policy written in ``diff/algebra.py``, so every call gives the same
value or the same error.
"""

from __future__ import annotations

import math
import operator
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..deferred import Deferred
from ..diff.algebra import (
    Algebra,
    CheckedFloatAlgebra,
    FloatAlgebra,
    all_finite,
    nearest_float,
)
from ..diff.forward import tangents
from ..diff.reverse import StepFailed, forward, reverse
from ..errors import DomainError, SymdiffError, ValuesError
from ..ir.graph import active_nodes, topological_order, variable_names
from ..ir.nodes import Expr, is_variable, variable
from ..ir.ops import NAMED_CONSTANTS
from ..syntax.printer import excerpt
from .values import real_number
from .wide import WideAlgebra

if TYPE_CHECKING:
    from ..codegen import program as sweeps_program
    from ..codegen import python as python_code
    from . import arrays
    from .arrays import ArrayProgram
else:
    # Loaded at first use: an answer at one point (the command line's) is interpreted, and
    # never needs generated code; only arrays need NumPy programs.
    python_code = Deferred("symdiff.codegen.python")
    sweeps_program = Deferred("symdiff.codegen.program")
    arrays = Deferred("symdiff.numeric.arrays")

# Python compiles about 20 us a line, many times what interpreting a node costs: a graph
# of more than LARGE_GRAPH nodes is compiled on its LARGE_GRAPH_USES-th use, once
# interpreting it has cost about what compiling it will. Generating and compiling a
# program costs 12 to 21 interpreted calls of it (benchmarks/README.md, "The checked
# interpreter"; 7 to 16 before the interpreter's sweeps got faster). Smaller graphs are
# compiled on their second use.
LARGE_GRAPH = 3000
LARGE_GRAPH_USES = 16

_FLOATS = FloatAlgebra()
_CHECKED = CheckedFloatAlgebra()
_WIDE = WideAlgebra()
_MISSING = object()


@dataclass(eq=False)
class Plan:
    """What every evaluation of one expression needs, computed once.

    The plan hangs off its expression (``Expr._plan``), so it holds the expression itself
    only weakly: a strong reference would make every evaluated expression a reference
    cycle, kept alive, with its whole graph, until the cyclic garbage collector runs.
    """

    root: weakref.ref[Expr]
    body: list[Expr]  # the topological order without the root
    variables: tuple[str, ...]
    variable_nodes: tuple[Expr, ...]
    active: set[Expr]  # the nodes below the root that depend on a variable
    # Compiled on the second use (a large graph: later, see _worth_compiling); None until
    # then, or when no code can be written for it.
    value_code: Callable[..., float] | None = None
    gradient_code: Callable[..., tuple[float, ...]] | None = None
    # Calls so far that could have run each program (see _worth_compiling).
    value_uses: int = 0
    gradient_uses: int = 0
    compilable: bool = True
    names: frozenset[str] = field(default_factory=frozenset)
    # Each variable's place in a sweep's results (the value is at 0), and the point's
    # values in ``variables`` order read at C speed (a tuple, or KeyError).
    positions: dict[str, int] = field(default_factory=dict)
    read: Callable[[Mapping[str, object]], tuple[object, ...]] = tuple
    float_types: tuple[type, ...] = ()  # (float, float, ...), one per variable
    # NumPy programs (``numeric/arrays.py``), built on first use: "value" and "gradient".
    array_programs: dict[str, ArrayProgram] = field(default_factory=dict)

    @property
    def order(self) -> list[Expr]:
        """Every node, arguments first, the root last (alive while anyone evaluates it)."""
        root = self.root()
        assert root is not None
        return [*self.body, root]

    def compiled_value(self) -> Callable[..., float] | None:
        if self.value_code is None and self._worth_compiling("value"):
            try:
                self.value_code = python_code.compile_value(self.order, self.variable_nodes)
            except (ArithmeticError, ValueError):  # no code can be written for it
                self.compilable = False
        return self.value_code

    def compiled_gradient(self) -> Callable[..., tuple[float, ...]] | None:
        if self.gradient_code is None and self._worth_compiling("gradient"):
            try:
                self.gradient_code = python_code.compile_gradient(
                    self.order, self.variable_nodes, self.active
                )
            except (ArithmeticError, ValueError):
                self.compilable = False
        return self.gradient_code

    def _worth_compiling(self, program: str) -> bool:
        # Compiling a large graph costs about LARGE_GRAPH_USES interpreted calls: waiting
        # that many uses, no sequence of calls pays more than twice what the best choice
        # made in hindsight would have cost. Each program counts its own uses: gradients
        # do not pay for compiling a value that is asked for once.
        if program == "value":
            self.value_uses = uses = self.value_uses + 1
        else:
            self.gradient_uses = uses = self.gradient_uses + 1
        wait = LARGE_GRAPH_USES if len(self.body) >= LARGE_GRAPH else 2
        return self.compilable and uses >= wait


def plan(expr: Expr) -> Plan:
    existing: Plan | None = expr._plan
    if existing is None:
        order = topological_order([expr])
        variable_nodes = tuple(node for node in order if is_variable(node))
        active = active_nodes(order)
        active.discard(expr)  # the root is nobody's argument
        existing = Plan(
            root=weakref.ref(expr),
            body=order[:-1],
            variables=variable_names(variable_nodes),
            variable_nodes=variable_nodes,
            active=active,
        )
        existing.names = frozenset(existing.variables)
        existing.positions = {name: i for i, name in enumerate(existing.variables, 1)}
        existing.read = _reader(existing.variables)
        existing.float_types = (float,) * len(existing.variables)
        expr._plan = existing
    return existing


# --- the point ---------------------------------------------------------------------


def _reader(names: tuple[str, ...]) -> Callable[[Mapping[str, object]], tuple[object, ...]]:
    """``point -> (point[n] for n in names)`` as a tuple, by ``operator.itemgetter``."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    if names:
        get = operator.itemgetter(names[0])
        return lambda point: (get(point),)
    return lambda point: ()


def given_values(
    values: Mapping[str, object] | None, keywords: Mapping[str, object]
) -> Mapping[str, object]:
    """A call's values, from a mapping and keywords (``f(expr, {"x": 1}, y=2)``): checked
    to be a mapping, a name given in both refused; one of them as it is when the other is
    empty."""
    if values is None:
        return keywords
    if type(values) is not dict and not isinstance(values, Mapping):  # dict: no ABC check
        raise ValuesError(
            f"values are a mapping from names to numbers, not {type(values).__name__}"
        )
    if not keywords:
        return values
    twice = sorted(set(values) & set(keywords), key=str)
    if twice:
        raise ValuesError(f"a value is given twice for {_names(twice)}")
    return {**values, **keywords}


def read_point(
    p: Plan, values: Mapping[str, object] | None, keywords: Mapping[str, object]
) -> list[float]:
    """The variables' values in ``p.variables`` order, checked; extra names are allowed."""
    point = given_values(values, keywords)
    # The common case at C speed (a point of 10,000 floats is read in 0.3 ms, not 3 ms):
    # every name given, every value a float, all finite (a finite sum says so; a sum that
    # overflows takes the careful way below).
    try:
        fast = p.read(point)
    except KeyError:
        pass
    else:
        floats = tuple(map(type, fast)) == p.float_types
        total = sum(fast) if floats else math.nan  # type: ignore[arg-type]
        if total - total == 0 and len(point) == len(fast):
            return list(fast)  # type: ignore[arg-type]  # floats, checked above
    result: list[float] = []
    missing: list[str] = []
    for name in p.variables:
        value = point.get(name, _MISSING)
        if value is _MISSING:
            missing.append(name)
        elif type(value) is float and value - value == 0:
            result.append(value)
        else:
            result.append(_real(name, value))
    if missing:
        raise ValuesError(f"no value given for {_names(missing)}")
    if len(point) != len(result):
        for name, value in point.items():
            if name not in p.names:
                _extra(name, value)
    return result


def _real(name: str, value: object) -> float:
    return real_number(value, f"the value of {name}")


def _extra(name: object, value: object) -> None:
    if not isinstance(name, str):
        raise ValuesError(f"variable names are strings, not {type(name).__name__} ({name!r})")
    if name in NAMED_CONSTANTS:
        raise ValuesError(f"{name} is a constant; it cannot be given a value")
    _real(name, value)


def _names(names: list[str]) -> str:
    return ", ".join(names)


# --- value and gradient --------------------------------------------------------------


def evaluate(
    expr: Expr, values: Mapping[str, object] | None, keywords: Mapping[str, object]
) -> float:
    p = plan(expr)
    try:
        point = read_point(p, values, keywords)
    except ValuesError:
        # Arrays are found only once the scalar reader refuses a value: the scalar path
        # pays nothing for them.
        if arrays.has_arrays(values, keywords):
            return array_value(p, values, dict(keywords))  # type: ignore[no-any-return]
        if not arrays.has_options(keywords):
            raise
        # errors= and backend= are for arrays; at a single point a domain error raises.
        keywords = dict(keywords)
        arrays.drop_options(keywords)
        point = read_point(p, values, keywords)
    code = p.compiled_value()
    if code is not None:
        try:
            result = code(*point)
            if result - result == 0:
                return float(result)
        except (ArithmeticError, ValueError):
            pass  # the checked interpreter below says what went wrong
    return interpret_value(p, point)


def array_value(p: Plan, values: Mapping[str, object] | None, keywords: dict[str, object]) -> Any:
    """The value over arrays (``numeric/arrays.py``); ``errors=`` is the domain policy,
    ``backend=`` "numpy" or "numba"."""
    return _array_outputs(p, values, keywords, gradient=False, stacklevel=6)[0]


def array_gradient(
    p: Plan, values: Mapping[str, object] | None, keywords: dict[str, object]
) -> list[Any]:
    """``[value, d/dv for each of p.variables]`` over arrays."""
    return _array_outputs(p, values, keywords, gradient=True, stacklevel=5)


def _array_outputs(
    p: Plan,
    values: Mapping[str, object] | None,
    keywords: dict[str, object],
    gradient: bool,
    stacklevel: int,
) -> list[Any]:
    # One array program per plan and job, built on first use.
    errors = arrays.errors_option(keywords)
    backend = arrays.backend_option(keywords)
    arguments = arrays.read_array_point(p.variables, values, keywords)
    job = "gradient" if gradient else "value"
    program = p.array_programs.get(job)
    if program is None:
        root = p.order[-1]
        sweeps = [sweeps_program.Sweep(root, p.variable_nodes)] if gradient else []
        program = p.array_programs[job] = arrays.build([root], p.variable_nodes, sweeps)
    outputs = arrays.run(
        program,
        arguments,
        p.variables,
        errors,
        stacklevel=stacklevel,
        backend=backend,
        checked=False,
    )
    return arrays.widen(outputs, arrays.extra_arrays(p.variables, values, keywords))


def interpret_value(p: Plan, point: list[float]) -> float:
    """The value at ``point``, by the checked interpreter: a DomainError if undefined."""
    floats, wide = _forward_values(p, point)
    if not wide:
        return float(floats[p.order[-1]])
    value = float(wide[p.order[-1]])
    if not all_finite((value,)):
        raise not_finite_error(p, point, _as_floats(wide), {})
    return value


def _forward_values(p: Plan, point: list[float]) -> tuple[dict[Expr, float], dict[Expr, Any]]:
    """Every node's value at ``point``: the checked float pass, and an empty second map; or,
    where a float step overflowed, an empty first map and the wide pass (policy 3)."""
    leaf = dict(zip(p.variable_nodes, point, strict=True)).__getitem__
    try:
        floats = forward(p.order, _CHECKED, leaf)
        float(floats[p.order[-1]])  # an exact result beyond the float range overflows here
        return floats, {}
    except StepFailed as failure:
        if not isinstance(failure.cause, OverflowError):
            raise domain_error(p, point, failure, _FLOATS) from None
    except OverflowError:
        pass  # an exact constant beyond the float range
    return {}, _wide_values(p, point)


def _wide_values(p: Plan, point: list[float]) -> dict[Expr, Any]:
    """Every node's value at ``point`` in wide arithmetic (policy 3)."""
    wide_leaf = {node: _WIDE.constant(x) for node, x in zip(p.variable_nodes, point, strict=True)}
    try:
        return forward(p.order, _WIDE, wide_leaf.__getitem__)
    except StepFailed as failure:
        raise domain_error(p, point, failure, _WIDE) from None


def value_and_gradient(p: Plan, point: list[float]) -> tuple[float, ...]:
    """``(value, d/dv for each of p.variables)`` at ``point``."""
    code = p.compiled_gradient()
    if code is not None:
        try:
            return code(*point)
        except (ArithmeticError, ValueError):
            pass  # the checked interpreter below says what went wrong
    return interpret_gradient(p, point)


def interpret_gradient(
    p: Plan, point: list[float], active: set[Expr] | None = None
) -> tuple[float, ...]:
    """``value_and_gradient`` by the checked interpreter: a DomainError if undefined.
    ``active``: the nodes whose adjoints are swept (by default, all that depend on a
    variable; the partials of the others are 0)."""
    order = p.order
    active = p.active if active is None else active
    floats, wide = _forward_values(p, point)
    value: float | None = None
    if floats:
        value = float(floats[order[-1]])
        try:
            adjoints = reverse(order, floats, _CHECKED, 1.0, active)
            return (value, *(float(adjoints.get(v, 0.0)) for v in p.variable_nodes))
        except StepFailed as failure:
            if not isinstance(failure.cause, OverflowError):
                raise domain_error(p, point, failure, _FLOATS) from None
        # A step of the sweep overflowed: the whole point again in wide arithmetic.
        wide = _wide_values(p, point)
    try:
        wide_adjoints = reverse(order, wide, _WIDE, _WIDE.constant(1), active)
    except StepFailed as failure:
        raise domain_error(p, point, failure, _WIDE) from None
    # A value the float pass computed stands, so that it is the value ``evaluate`` gives.
    results = (
        float(wide[order[-1]]) if value is None else value,
        *(float(wide_adjoints.get(v, 0)) for v in p.variable_nodes),
    )
    if not all_finite(results):
        raise not_finite_error(p, point, _as_floats(wide), _as_floats(wide_adjoints))
    return results


def partial_at(p: Plan, point: list[float], name: str) -> float:
    """``d f / d name`` at ``point``, where f is defined: the reverse sweep along the paths
    to ``name`` alone, so the same number as that partial of the whole gradient, but one
    that a partial in another variable without a value (in y at y = 0, in x*sqrt(y)) does
    not stop. 0 for a name f does not use."""
    node = variable(name)
    active = active_nodes(p.order, (node,))
    results = interpret_gradient(p, point, active)
    if node not in p.variable_nodes:
        return 0.0
    return results[1 + p.variable_nodes.index(node)]


def forward_sweeps(
    p: Plan, point: list[float], directions: Sequence[Mapping[Expr, float]]
) -> tuple[float, ...]:
    """Forward mode at ``point``: ``(value, one directional derivative per direction)``, one
    tangent sweep each. Where a float step overflows, the same sweeps run in wide arithmetic
    (policy 3), so forward mode stays forward mode (``explain(..., mode="forward")`` shows
    these numbers), and a value the float pass computed stands."""
    order = p.order
    root = order[-1]
    leaf = dict(zip(p.variable_nodes, point, strict=True)).__getitem__
    value: float | None = None
    try:
        floats = forward(order, _CHECKED, leaf)
        value = float(floats[root])
        results = [value]
        for seeds in directions:
            active = active_nodes(order, seeds)
            results.append(float(tangents(order, floats, _CHECKED, seeds, active).get(root, 0.0)))
    except StepFailed as failure:
        if not isinstance(failure.cause, OverflowError):
            raise domain_error(p, point, failure, _FLOATS) from None
        return _wide_tangents(p, point, directions, value)
    except OverflowError:
        # An exact result beyond the float range (14^269 alone: no float step overflowed)
        return _wide_tangents(p, point, directions, value)
    if not all_finite(results):
        raise not_finite_error(p, point, floats, {})
    return tuple(results)


def _wide_tangents(
    p: Plan, point: list[float], directions: Sequence[Mapping[Expr, float]], value: float | None
) -> tuple[float, ...]:
    order = p.order
    root = order[-1]
    wide = _wide_values(p, point)
    results = [nearest_float(wide[root]) if value is None else value]
    try:
        for seeds in directions:
            active = active_nodes(order, seeds)
            wide_seeds = {node: _WIDE.constant(d) for node, d in seeds.items()}
            swept = tangents(order, wide, _WIDE, wide_seeds, active)
            results.append(nearest_float(swept.get(root, 0)))
    except StepFailed as failure:
        raise domain_error(p, point, failure, _WIDE) from None
    if not all_finite(results):
        raise not_finite_error(p, point, _as_floats(wide), {})
    return tuple(results)


def node_values(p: Plan, point: list[float]) -> dict[Expr, float]:
    """Every node's value at ``point`` as a float; where a float step overflows, the values
    of the wide pass (policy 3) rounded to floats, so a node beyond the float range is inf.
    """
    floats, wide = _forward_values(p, point)
    # The float pass keeps exact integers exact (14^269 in min(x, 14^269)): floats too.
    return _as_floats(wide or floats)


def _as_floats(numbers: Mapping[Expr, object]) -> dict[Expr, float]:
    """Wide or exact numbers rounded to floats: beyond the float range they are inf."""
    return {node: nearest_float(number) for node, number in numbers.items()}


# --- errors that name the subexpression ----------------------------------------------


def not_finite_error(
    p: Plan, point: list[float], values: dict[Expr, float], adjoints: dict[Expr, float]
) -> DomainError:
    """The error for a result that is inf or nan: it names the first node to go wrong."""
    where = _where(p, point)
    for node in p.order:
        value = values[node]
        if not math.isfinite(value):
            if math.isinf(value):
                what = "is too large for a floating-point number"
            else:
                what = "is not a number"
            shown = _argument_values(node, values)
            message = f"{_shown(node)} {what}{shown}{where}"
            return DomainError(message, excerpt(node), _point(p, point))
    # The values are finite: a derivative overflowed; name the node nearest the output.
    for node in reversed(p.order):
        if node in adjoints and not math.isfinite(adjoints[node]):
            message = f"the derivative with respect to {_shown(node)} is not finite{where}"
            return DomainError(message, excerpt(node), _point(p, point))
    return DomainError(f"the result is not finite{where}", excerpt(p.order[-1]), _point(p, point))


def _shown(node: Expr, width: int = 80) -> str:
    """A subexpression as a message quotes it: in full unless it is long, and at a cost
    bounded by the width however large its tree."""
    return excerpt(node, width)


def _where(p: Plan, point: list[float]) -> str:
    at = ", ".join(f"{name} = {value!r}" for name, value in zip(p.variables, point, strict=True))
    return f" at {at}" if at else ""


def _point(p: Plan, point: list[float]) -> dict[str, float]:
    return dict(zip(p.variables, point, strict=True))


def _argument_values(node: Expr, values: dict[Expr, float]) -> str:
    # A variable's value is in the point already, and a number (-1) is its own value: only
    # other compound arguments are shown (those with a value).
    shown = [
        f"{text} = {values[arg]!r}"
        for arg in dict.fromkeys(node.args)
        if arg.args and arg in values and not _is_literal(text := _shown(arg), values[arg])
    ]
    return f" where {', '.join(shown)}" if shown else ""


def _arguments_at(
    p: Plan, point: list[float], node: Expr, algebra: Algebra[Any]
) -> dict[Expr, Any]:
    """The values of ``node``'s arguments (and theirs) at ``point``, for a message: in
    ``algebra``, else widely where a float cannot hold one (the exact 1/3660^256 of a
    simplified derivative), else none."""
    order = topological_order(node.args)
    for reading in (algebra, _WIDE) if algebra is not _WIDE else (_WIDE,):
        values = zip(p.variable_nodes, point, strict=True)
        leaf = {variable: reading.constant(x) for variable, x in values}.__getitem__
        try:
            return forward(order, reading, leaf)
        except StepFailed:
            continue
    return {}


def _is_literal(text: str, value: float) -> bool:
    try:
        return float(text) == value
    except ValueError:
        return False


def domain_error(
    p: Plan, point: list[float], failure: StepFailed, algebra: Algebra[Any] = _FLOATS
) -> DomainError:
    node = failure.node
    where = _where(p, point)
    values = _argument_values(node, _as_floats(_arguments_at(p, point, node, algebra)))
    domain = f" ({node.op.name} needs {node.op.domain})" if node.op.domain else ""
    if failure.argument is not None:
        arg = node.args[failure.argument]
        message = f"{_shown(node)} has no derivative with respect to {_shown(arg)}{values}{where}"
        if isinstance(failure.cause, SymdiffError):
            message += f" ({failure.cause})"  # no derivative anywhere, and why
    elif isinstance(failure.cause, ZeroDivisionError):
        message = f"{_shown(node)} divides by zero{values}{where}"
    elif isinstance(failure.cause, OverflowError):
        message = f"{_shown(node)} is too large for a floating-point number{values}{where}"
    else:
        message = f"{_shown(node)} is undefined{values}{where}{domain}"
    return DomainError(message, excerpt(node), _point(p, point))
