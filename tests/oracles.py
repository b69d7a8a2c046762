"""Reference answers: our graph as a SymPy expression, finite differences, both numeric paths
side by side, and the corpus of formulas (each with a point in its domain) they are checked on.

The conversion walks our nodes, never our text: ``sympify`` would read ``E``, ``I``,
``gamma`` and ``beta`` as SymPy's constants and functions, and ``^`` as XOR. Each op of the
table has one SymPy construction below; an op without one is an import error, so a new op
cannot slip past the oracle. SymPy is the reference here, never the engine.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy

import symdiff
from symdiff import Expr, Gradient
from symdiff.codegen.python import COMPILE_LIMIT
from symdiff.diff.algebra import FloatAlgebra
from symdiff.diff.reverse import forward, reverse
from symdiff.ir.graph import active_nodes, topological_order
from symdiff.ir.nodes import is_constant, is_variable, variable
from symdiff.ir.ops import OPS, Op
from symdiff.numeric.evaluate import plan

# Digits for SymPy's arithmetic: far beyond a float's 16, so the reference is exact for us.
DIGITS = 40

Construction = Callable[..., sympy.Expr]


class RealCubeRoot(sympy.Function):
    """The real cube root: cbrt(-8) = -2 (sympy.cbrt is the principal, complex, root)."""

    @classmethod
    def eval(cls, x: sympy.Expr) -> sympy.Expr | None:
        return sympy.real_root(x, 3) if x.is_number and x.is_extended_real else None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        # d/dx x^(1/3) = 1/(3*x^(2/3))
        return 1 / (3 * self**2)


class Sign(sympy.Function):
    """sign(x), whose derivative is 0 where it exists; sympy.sign's is 2*DiracDelta(x)."""

    @classmethod
    def eval(cls, x: sympy.Expr) -> sympy.Expr | None:
        return sympy.sign(x) if x.is_number else None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.S.Zero


_CONSTRUCTIONS: dict[str, Construction] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": lambda a, b: a**b,
    "pi": lambda: sympy.pi,
    "e": lambda: sympy.E,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "sec": sympy.sec,
    "csc": sympy.csc,
    "cot": sympy.cot,
    "asin": sympy.asin,
    "acos": sympy.acos,
    "atan": sympy.atan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "asinh": sympy.asinh,
    "acosh": sympy.acosh,
    "atanh": sympy.atanh,
    "exp": sympy.exp,
    "log": sympy.log,
    "log_base": lambda x, base: sympy.log(x) / sympy.log(base),
    "log10": lambda x: sympy.log(x) / sympy.log(10),
    "log2": lambda x: sympy.log(x) / sympy.log(2),
    "sqrt": sympy.sqrt,
    "cbrt": RealCubeRoot,
    "abs": sympy.Abs,
    "sign": Sign,
    "erf": sympy.erf,
    "atan2": sympy.atan2,
    "hypot": lambda x, y: sympy.sqrt(x**2 + y**2),
    "min": sympy.Min,
    "max": sympy.Max,
}


def _construction(key: str) -> Construction:
    try:
        return _CONSTRUCTIONS[key]
    except KeyError:
        raise NotImplementedError(
            f"tests/oracles.py has no SymPy construction for the op {key!r}: add one"
        ) from None


# Iterating the table (not the constructions) is what makes a missing op fail loudly.
SYMPY_OPS: dict[str, Construction] = {key: _construction(key) for key in OPS}


def symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


def _number(value: int | float) -> sympy.Expr:
    # A float constant is its exact binary value, as the float engine sees it.
    return sympy.Integer(value) if type(value) is int else sympy.Float(value, DIGITS)


class Undefined(ArithmeticError):
    """SymPy gives no finite real number here (outside the domain, or at a kink)."""


def to_sympy(expr: Expr) -> sympy.Expr:
    """The same formula as a SymPy expression, built node by node in topological order.

    Raises :class:`Undefined` when a constant part is infinite for SymPy: ``cot(pi)`` is
    ``zoo`` there, but a large finite number in floats, whose pi is not exactly pi.
    """
    converted: dict[Expr, sympy.Expr] = {}
    for node in topological_order([expr]):
        if is_variable(node):
            converted[node] = symbol(str(node.payload))
        elif is_constant(node):
            converted[node] = _number(node.payload)  # type: ignore[arg-type]
        else:
            args = [converted[arg] for arg in node.args]
            try:
                result = SYMPY_OPS[node.op.key](*args)
            except (TypeError, ValueError) as exc:  # Min(x, zoo): "not comparable"
                raise Undefined(f"SymPy cannot build {node}: {exc}") from None
            if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                raise Undefined(f"{node} is {result} for SymPy")
            converted[node] = result
    return converted[expr]


def sympy_at(expression: sympy.Expr, point: Mapping[str, float]) -> float:
    """``expression`` at ``point``, computed with ``DIGITS`` digits and rounded to a float."""
    exact = {symbol(name): sympy.Float(value, DIGITS + 10) for name, value in point.items()}
    # xreplace rebuilds the tree, so sign(2.0), Heaviside(0.0), DiracDelta(1.0) evaluate.
    try:
        result = sympy.sympify(expression).xreplace(exact).evalf(DIGITS)
    except (TypeError, ValueError) as exc:  # atan2(x, zoo): "Invalid NaN comparison"
        raise Undefined(f"SymPy cannot evaluate {expression}: {exc}") from None
    try:
        number = complex(result)
    except (TypeError, ValueError):
        raise Undefined(f"SymPy leaves {result} unevaluated") from None
    if not (math.isfinite(number.real) and math.isfinite(number.imag)):
        raise Undefined(f"SymPy gives {result}")
    if abs(number.imag) > 1e-30 * max(1.0, abs(number.real)):
        raise Undefined(f"SymPy gives the complex number {result}")
    return number.real


class SympyGradient:
    """The value and every partial of one expression according to SymPy, at any point."""

    def __init__(self, expr: Expr) -> None:
        self.expression = to_sympy(expr)
        self.names = expr.variables
        self.partials = {name: sympy.diff(self.expression, symbol(name)) for name in self.names}

    def value_at(self, point: Mapping[str, float]) -> float:
        return sympy_at(self.expression, point)

    def partials_at(self, point: Mapping[str, float]) -> dict[str, float]:
        return {name: sympy_at(partial, point) for name, partial in self.partials.items()}


# --- finite differences ----------------------------------------------------------------


def central_difference(
    expr: Expr, point: Mapping[str, float], name: str, step: float = 1e-3
) -> float:
    """d expr / d name at ``point`` by central differences with one Richardson step.

    The step is relative to the coordinate; ``(4*D(h/2) - D(h))/3`` cancels the h^2 term of
    the central difference, leaving an error of order h^4. Raises ``DomainError`` when a
    sample falls outside the domain.
    """
    h = step * max(1.0, abs(point[name]))

    def slope(h: float) -> float:
        above = expr.evaluate({**point, name: point[name] + h})
        below = expr.evaluate({**point, name: point[name] - h})
        return (above - below) / (2 * h)

    return (4 * slope(h / 2) - slope(h)) / 3


def smooth_along(expr: Expr, point: Mapping[str, float], name: str, step: float = 1e-4) -> bool:
    """Whether the one-sided slopes at ``point`` along ``name`` agree (no kink within step).

    Central differences average the two sides, so they are blind to kinks such as
    ``hypot(z, z)`` = sqrt(2)*abs(z) at 0; this tells such points apart.
    """
    h = step * max(1.0, abs(point[name]))
    here = expr.evaluate(point)
    above = (expr.evaluate({**point, name: point[name] + h}) - here) / h
    below = (here - expr.evaluate({**point, name: point[name] - h})) / h
    return abs(above - below) <= 1e-2 * max(1.0, abs(above), abs(below))


def finite_difference_gradient(
    expr: Expr, point: Mapping[str, float], step: float = 1e-3
) -> dict[str, float]:
    """Every partial derivative of ``expr`` at ``point``, by :func:`central_difference`."""
    return {name: central_difference(expr, point, name, step) for name in expr.variables}


# --- conditioning ------------------------------------------------------------------------


class _NoisyFloats(FloatAlgebra):
    """Floats whose every operation is off by a random relative ``noise``."""

    def __init__(self, noise: float, seed: int) -> None:
        self.noise = noise
        self.random = random.Random(seed)

    def apply(self, op: Op, *args: float | int) -> float:
        exact = super().apply(op, *args)
        return exact * (1 + self.noise * self.random.uniform(-1.0, 1.0))


def sensitivity(expr: Expr, point: Mapping[str, float], trials: int = 3) -> float:
    """How far the value and gradient move when every operation errs by 1e-13, relatively.

    Rounding errs by 1.1e-16 per operation, so a sensitivity of 1e-7 means the float answer
    may be off by about 1e-10 relative: comparisons at 1e-9 are then too strict. This is how
    random trees such as ``csc(exp(exp(4)))`` (sine of 5e23) or ``tan`` near pi/2 are told
    apart from wrong derivatives. Raises ``DomainError`` where the gradient is undefined.
    """
    exact = symdiff.differentiate(expr, point)
    reference = [exact.value, *exact.values()]
    order = topological_order([expr])
    active = active_nodes(order)
    leaf = {node: float(point[str(node.payload)]) for node in order if is_variable(node)}
    worst = 0.0
    for seed in range(trials):
        algebra = _NoisyFloats(1e-13, seed)
        try:
            values = forward(order, algebra, leaf.__getitem__)
            adjoints = reverse(order, values, algebra, 1.0, active)
        except ArithmeticError:
            return math.inf
        noisy = [values[expr], *(adjoints.get(variable(name), 0.0) for name in exact)]
        for a, b in zip(reference, noisy, strict=True):
            worst = max(worst, abs(a - b) / max(abs(a), 1e-6))
    return worst


def hazards(expr: Expr, point: Mapping[str, float]) -> list[str]:
    """Why floats and exact arithmetic may rightly disagree at ``point``; empty if no reason.

    Kinks and jumps (abs and sign at 0, ties of min and max, atan2's branch cut) where a
    rounding error of 1e-16 picks the other side, and underflow (``1e-130^5`` is 0.0 in
    floats, so ``0^tiny`` is 0 where the exact answer is nearly 1).
    """
    order = topological_order([expr])
    leaf = {node: float(point[str(node.payload)]) for node in order if is_variable(node)}
    values = forward(order, FloatAlgebra(), leaf.__getitem__)
    found: list[str] = []
    for node in order:
        args = [values[arg] for arg in node.args]
        key, value = node.op.key, values[node]
        if key in ("abs", "sign") and abs(args[0]) <= 1e-8:
            found.append(f"{node}: {key} at 0")
        elif key in ("min", "max") and abs(args[0] - args[1]) <= 1e-8 * max(1.0, *map(abs, args)):
            found.append(f"{node}: a tie")
        elif key == "atan2" and args[1] < 0 and abs(args[0]) <= 1e-8 * abs(args[1]):
            found.append(f"{node}: on the branch cut")
        if 0 < abs(value) < sys.float_info.min or (
            value == 0 and key not in ("add", "sub") and args and all(args)
        ):
            found.append(f"{node}: underflow to {value!r}")
    return found


# --- the two numeric paths -------------------------------------------------------------


def gradients_both_ways(expr: Expr, point: Mapping[str, float]) -> tuple[Gradient, Gradient]:
    """The gradient from the checked interpreter (a first call) and from compiled code.

    Forgetting the expression's plan makes the next call a first call again. The plan is a
    cache, so resetting it changes nothing but which of the two paths runs.
    """
    expr._plan = None
    interpreted = symdiff.differentiate(expr, point)
    assert plan(expr).gradient_code is None, "the first call must not compile"
    compiled = symdiff.differentiate(expr, point)
    if len(plan(expr).order) <= COMPILE_LIMIT:
        assert plan(expr).gradient_code is not None, "the second call must compile"
    return interpreted, compiled


def values_both_ways(expr: Expr, point: Mapping[str, float]) -> tuple[float, float]:
    """``expr.evaluate`` by the checked interpreter (a first call) and by compiled code."""
    expr._plan = None
    interpreted = expr.evaluate(point)
    assert plan(expr).value_code is None, "the first call must not compile"
    compiled = expr.evaluate(point)
    if len(plan(expr).order) <= COMPILE_LIMIT:
        assert plan(expr).value_code is not None, "the second call must compile"
    return interpreted, compiled


# --- the corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A formula and a point inside its domain (away from kinks, where SymPy differs)."""

    text: str
    point: dict[str, float]

    def __str__(self) -> str:
        return self.text


def case(text: str, point: Mapping[str, float] | None = None, **values: float) -> Case:
    return Case(text, {name: float(v) for name, v in {**(point or {}), **values}.items()})


# Every op of the table, alone or nearly, at a sensible point (both arguments of two-argument
# ops varying, and each fixed in turn).
FUNCTION_CASES = [
    case("x + y", x=1.5, y=-2.5),
    case("x - y", x=1.5, y=-2.5),
    case("x*y", x=1.5, y=-2.5),
    case("x/y", x=3, y=-1.5),
    case("-x", x=0.7),
    case("x^y", x=1.7, y=2.3),
    case("pow(x, 2.5)", x=1.3),
    case("x^3", x=-1.5),
    case("x^-2", x=-0.7),
    case("2^x", x=-1.2),
    case("pi*x", x=0.3),
    case("e^x", x=0.4),
    case("sin(x)", x=0.7),
    case("cos(x)", x=0.7),
    case("tan(x)", x=0.7),
    case("sec(x)", x=0.7),
    case("csc(x)", x=0.7),
    case("cot(x)", x=0.7),
    case("asin(x)", x=0.3),
    case("acos(x)", x=-0.4),
    case("atan(x)", x=2.5),
    case("sinh(x)", x=0.9),
    case("cosh(x)", x=-0.9),
    case("tanh(x)", x=0.5),
    case("asinh(x)", x=-1.7),
    case("acosh(x)", x=1.5),
    case("atanh(x)", x=0.3),
    case("exp(x)", x=1.3),
    case("log(x)", x=2.5),
    case("log(x, b)", x=5, b=3),
    case("log(x, 2)", x=10),
    case("log(8, b)", b=1.5),
    case("log(x, 0.5)", x=3),
    case("log10(x)", x=42),
    case("log2(x)", x=0.3),
    case("sqrt(x)", x=2),
    case("cbrt(x)", x=-2),
    case("cbrt(x + 10)", x=17),
    case("abs(x)", x=-1.3),
    case("abs(x*y)", x=2, y=-3),
    case("sign(x)", x=0.4),
    case("sign(x)*x^2", x=-0.8),
    case("erf(x)", x=0.6),
    case("atan2(y, x)", y=1.2, x=-0.7),
    case("atan2(y, 2)", y=-1),
    case("atan2(3, x)", x=-2),
    case("hypot(x, y)", x=3, y=-4),
    case("hypot(x, 1)", x=-0.5),
    case("min(x, y)", x=1, y=2),
    case("max(x, y)", x=1, y=2),
    case("min(x, 2*y)", x=3, y=0.5),
    case("max(x^2, y)", x=1.5, y=0.3),
]

# Composite formulas: chains, products, quotients, shared subexpressions, names that SymPy
# would misread as its own (E, I, gamma, beta), Greek letters.
COMPOSITE_CASES = [
    case("sin(log(x))", x=2),
    case("sin(x*y) + cos(x*y)", x=2, y=3),
    case("x^2*y", x=2, y=3),
    case("x*y*z", x=1.5, y=-2, z=0.5),
    case("(x + y)^2", x=0.5, y=1.25),
    case("(x - y)/(x + y)", x=2, y=0.5),
    case("x^x", x=1.5),
    case("x^(1/x)", x=2.5),
    case("exp(-x^2)", x=0.8),
    case("exp(sin(x))*cos(x)", x=1.1),
    case("log(1 + x^2)", x=-1.4),
    case("sqrt(x^2 + y^2)", x=3, y=4),
    case("atan(y/x)", x=2, y=1),
    case("sin(x)^2 + cos(x)^2", x=0.9),
    case("tan(x)*cos(x)", x=0.4),
    case("1/(1 + exp(-x))", x=0.3),
    case("x*exp(-x)", x=2),
    case("log(sin(x))", x=1),
    case("sin(cos(tan(x)))", x=0.6),
    case("exp(exp(x))", x=0.5),
    case("log(log(x))", x=3),
    case("x^3 - 3*x^2 + 2*x - 7", x=1.7),
    case("(x^2 - 1)/(x^2 + 1)", x=0.6),
    case("sqrt(1 - x^2)", x=0.6),
    case("asin(x) + acos(x)", x=0.2),
    case("sinh(x)^2 - cosh(x)^2", x=1.3),
    case("x*y + y*z + z*x", x=1, y=2, z=3),
    case("x/y/z", x=1, y=2, z=4),
    case("x - y - z", x=1, y=2, z=4),
    case("x^2^y", x=1.3, y=1.5),
    case("(x^2)^y", x=1.3, y=1.5),
    case("-x^2", x=1.5),
    case("(-x)^3", x=1.5),
    case("-(-x)", x=0.5),
    case("x*sin(1/x)", x=0.3),
    case("log(x)/x", x=4),
    case("x^y*y^x", x=1.2, y=2.1),
    case("exp(x*y*z)", x=0.5, y=-0.4, z=1.5),
    case("sin(x + y + z)", x=0.1, y=0.2, z=0.3),
    case("cos(x)*cos(y) - sin(x)*sin(y)", x=0.4, y=1.1),
    case("tanh(x*y)", x=0.7, y=-0.3),
    case("erf(x/sqrt(2))", x=1.2),
    case("hypot(x, y)*atan2(y, x)", x=-1, y=2),
    case("max(x, y)*min(x, y)", x=1, y=2),
    case("abs(x - y)", x=1, y=3),
    case("sign(x)*abs(x)", x=-2),
    case("log(abs(x))", x=-2),
    case("cbrt(x^2)", x=-1.5),
    case("sqrt(x*y)", x=2, y=8),
    case("x^0.5 + log(x - 3)", x=4),
    case("log10(x*y)", x=3, y=7),
    case("log2(x) + log10(x)", x=5),
    case("exp(log(x))", x=3),
    case("log(exp(x))", x=-3),
    case("sin(x)/x", x=0.5),
    case("atan(x) - atan2(x, 1)", x=0.7),
    case("sec(x)^2 - tan(x)^2", x=0.5),
    case("csc(x)*sin(x)", x=1.2),
    case("cot(x)*tan(x)", x=0.8),
    case("(x*y + 1)*(x*y - 1) + sin(x*y)", x=0.5, y=1.5),
    case("exp(x)*exp(x)", x=0.3),
    case("x*x*x", x=-1.1),
    case("(x + y)*(x + y)*(x + y)", x=0.2, y=0.3),
    case("sin(x)^2*sin(x)", x=0.7),
    case("x^2 + 3*x + 1", x=-0.5),
    case("2*x^-1 + 3*x^-3", x=1.7),
    case("x^0", x=5),
    case("x^1", x=-3),
    case("x^2.0", x=-1.5),
    case("2^-x", x=0.5),
    case("(x^2 + 1)^0.5", x=-0.8),
    case("e^(x*y)", x=0.5, y=0.6),
    case("pi^x", x=1.5),
    case("x^pi", x=1.5),
    case("x^e", x=2.5),
    case("pi*e*x", x=2),
    case("E*I + gamma*beta^2", E=2, I=3, gamma=0.5, beta=1.5),
    case("E^I", E=1.5, I=2),
    case("gamma^beta", gamma=2, beta=0.5),
    case("sin(θ)*cos(φ)", {"θ": 0.4, "φ": 1.2}),
    case("α*x^2 + β*x + γ", {"α": 2.0, "β": -1.0, "γ": 0.5, "x": 1.5}),  # noqa: RUF001
    case("x_1*x_2 + x_1^2", x_1=0.5, x_2=2),
    case("S + N + Q + O", S=1, N=2, Q=3, O=4),
    case("lambda*exp(-lambda*t)", {"lambda": 0.5, "t": 2.0}),
    case("sqrt(x + sqrt(x + sqrt(x)))", x=2),
    case("1/(1/x + 1/y)", x=2, y=3),
    case("(x + 1)/(x - 1) - (x - 1)/(x + 1)", x=3),
    case("exp(-x)*sin(x)*cos(x)", x=0.9),
    case("log(1 + exp(x))", x=-2),
    case("x*log(x) - x", x=2.5),
    case("atanh(tanh(x))", x=0.4),
    case("asinh(sinh(x))", x=-0.7),
    case("acosh(cosh(x))", x=1.2),
    case("sin(asin(x))", x=0.45),
    case("tan(atan(x))", x=3),
    case("sqrt(x)^2", x=2.2),
    case("cbrt(x)^3", x=-1.7),
    case("erf(x)^2 + erf(y)", x=0.3, y=-0.6),
    case("atan2(sin(x), cos(x))", x=1),
    case("hypot(sin(x), cos(x))", x=0.3),
    case("max(sin(x), cos(x))", x=0.3),
    case("min(exp(x), 2 - x)", x=0.2),
    case("abs(sin(x))*exp(x)", x=-1),
    case("log(x, y)*log(y, x)", x=3, y=5),
    case("log(x^2 + 1, 10)", x=2),
    case("x^y^z", x=1.2, y=1.1, z=0.9),
    case("(x^y)^z", x=1.2, y=1.1, z=0.9),
    case("x/(y*z)", x=1, y=2, z=-3),
    case("x*y/z", x=1, y=2, z=-3),
    case("(a + b)*(c - d)/(a*d + b*c)", a=1, b=2, c=3, d=0.5),
    case("sin(x)*sin(y)*sin(z)*sin(w)", x=0.3, y=0.6, z=0.9, w=1.2),
    case("exp(-(x^2 + y^2)/2)/(2*pi)", x=0.3, y=-0.4),
    case("x^4/(1 + x^4)", x=0.9),
    case("sqrt(1 + tan(x)^2)", x=0.5),
    case("cos(x)^(1/3)", x=0.7),
    case("1/sqrt(x)", x=0.25),
    case("x^(2/3)", x=8),
    case("acos(x/2)*asin(y/3)", x=0.5, y=-1),
    case("sinh(x)/cosh(x) - tanh(x)", x=0.6),
    case("exp(x)/(exp(x) + exp(y))", x=0.5, y=1.5),
    case("sec(x) + csc(x) + cot(x)", x=1),
]


def _sum_sin(n: int) -> Case:
    terms = [f"sin(x{i}*x{i + 1})" for i in range(1, n + 1)]
    return case("+".join(terms), {f"x{i}": 0.1 + 0.07 * i for i in range(1, n + 2)})


def _prod_sin(n: int) -> Case:
    factors = [f"sin(x{i})" for i in range(1, n + 1)]
    return case("*".join(factors), {f"x{i}": 0.9 + 0.05 * i for i in range(1, n + 1)})


def _nest_sin(n: int) -> Case:
    return case("sin(" * n + "x" + ")" * n, x=0.7)


def _horner(n: int) -> Case:
    """1 + x*(1/2 + x*(1/3 + ... x*(1/(n+1)))), coefficients rounded to 6 places."""
    coefficients = [round(1 / (k + 1), 6) for k in range(n + 1)]
    text = repr(coefficients[-1])
    for coefficient in reversed(coefficients[:-1]):
        text = f"{coefficient!r} + x*({text})"
    return case(text, x=0.9)


def _mlp(inputs: int, hidden: int, outputs: int) -> Case:
    """A tanh network as in the benchmarks: every hidden unit is shared by every output."""
    rng = random.Random(f"mlp {inputs} {hidden} {outputs}")
    point: dict[str, float] = {}

    def weight(name: str) -> str:
        point[name] = round(rng.uniform(-0.75, 0.75), 6)
        return name

    xs = [weight(f"x{i}") for i in range(1, inputs + 1)]
    units = [
        f"tanh({weight(f'b1_{j}')} + "
        + " + ".join(f"{weight(f'w1_{j}_{i}')}*{x}" for i, x in enumerate(xs, 1))
        + ")"
        for j in range(1, hidden + 1)
    ]
    outs = [
        f"{weight(f'v{k}')}*tanh({weight(f'b2_{k}')} + "
        + " + ".join(f"{weight(f'w2_{k}_{j}')}*{u}" for j, u in enumerate(units, 1))
        + ")"
        for k in range(1, outputs + 1)
    ]
    return case(" + ".join(outs), point)


# The physics formulas of the benchmark cases (shared/bench/cases.json), and small members of
# its generated families.
BENCHMARK_CASES = [
    case(
        "exp(-(x-mu)^2/(2*sigma^2))/(sigma*sqrt(2*pi))",
        x=0.5,
        mu=0.1,
        sigma=1.3,
    ),
    case("m*c^2/sqrt(1-v^2/c^2)", m=1.5, v=0.6, c=1.0),
    case("2*h*nu^3/c^2/(exp(h*nu/(k*T))-1)", h=1.0, nu=2.0, c=1.0, k=1.0, T=1.5),
    case(
        "0.5*m*L^2*omega^2 + m*g*L*(1-cos(theta))",
        m=1.0,
        L=2.0,
        omega=0.3,
        g=9.81,
        theta=0.4,
    ),
    case("2*pi*sqrt(L/g)*(1 + theta0^2/16 + 11*theta0^4/3072)", L=2.0, g=9.81, theta0=0.5),
    case("K/(1+exp(-r*(t-t0)))", K=10.0, r=1.2, t=3.0, t0=2.0),
    case("A*exp(-b*t)*cos(w*t+phi)", A=2.0, b=0.3, t=1.7, w=2.5, phi=0.1),
    case("4*eps*((sig/r)^12-(sig/r)^6)", eps=1.0, sig=1.0, r=1.2),
    case(
        "-G*m1*m2/sqrt((x1-x2)^2+(y1-y2)^2+(z1-z2)^2)",
        G=1.0,
        m1=2.0,
        m2=3.0,
        x1=0.1,
        x2=1.0,
        y1=-0.5,
        y2=0.4,
        z1=0.3,
        z2=-0.2,
    ),
    case(
        "4*pi*(m/(2*pi*k*T))^(3/2)*v^2*exp(-m*v^2/(2*k*T))",
        m=1.0,
        k=1.0,
        T=2.0,
        v=1.1,
    ),
    case(
        "(P + a*n^2/V^2)*(V - n*b) - n*R*T",
        P=1.2,
        a=0.4,
        n=2.0,
        V=3.0,
        b=0.05,
        R=0.0821,
        T=300.0,
    ),
    case("v^2*sin(2*theta)/g + h*tan(theta)", v=20.0, theta=0.6, g=9.81, h=1.5),
    _sum_sin(4),
    _sum_sin(8),
    _prod_sin(4),
    _prod_sin(8),
    _nest_sin(4),
    _nest_sin(16),
    _horner(4),
    _horner(16),
    _mlp(2, 3, 2),
]

CORPUS: list[Case] = [*FUNCTION_CASES, *COMPOSITE_CASES, *BENCHMARK_CASES]
