"""Reference answers: our graph as a SymPy expression, finite differences, and both numeric
paths side by side. The formulas they are checked on are in ``corpus.py``.

The conversion walks our nodes, never our text: ``sympify`` would read ``E``, ``I``,
``gamma`` and ``beta`` as SymPy's constants and functions, and ``^`` as XOR. Each op of the
table has one SymPy construction below; an op without one is an import error, so a new op
cannot slip past the oracle. SymPy is the reference here, never the engine.
"""

from __future__ import annotations

import math
import random
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache

import mpmath
import sympy

import symdiff
from symdiff import Expr, Gradient
from symdiff.diff.algebra import FloatAlgebra
from symdiff.diff.reverse import StepFailed, forward, reverse
from symdiff.ir.graph import active_nodes, topological_order
from symdiff.ir.nodes import is_constant, is_variable, variable
from symdiff.ir.ops import OPS, Op
from symdiff.numeric.evaluate import LARGE_GRAPH_USES, plan

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


class Step(sympy.Function):
    """heaviside(x), 1/2 at 0 like (1 + sign(x))/2, with derivative 0 where it exists
    (sympy.Heaviside's is DiracDelta)."""

    @classmethod
    def eval(cls, x: sympy.Expr) -> sympy.Expr | None:
        return sympy.Heaviside(x, sympy.S.Half) if x.is_number else None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.S.Zero


class Log1p(sympy.Function):
    """log(1 + x), evaluated by mpmath's log1p: SymPy's log(1 + x) rounds 1 + x first and
    gives 0 for x = 1e-300 even at 40 digits."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return 1 / (1 + self.args[0])

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        x = self.args[0].evalf(mpmath.libmp.prec_to_dps(prec))
        if not x.is_Number:
            return None
        with mpmath.workprec(prec):
            return sympy.Float(mpmath.log1p(x._to_mpmath(prec)), precision=prec)


class Expm1(sympy.Function):
    """exp(x) - 1, evaluated by mpmath's expm1 (SymPy's exp(x) - 1 cancels for tiny x)."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.exp(self.args[0])

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        x = self.args[0].evalf(mpmath.libmp.prec_to_dps(prec))
        if not x.is_Number:
            return None
        with mpmath.workprec(prec):
            return sympy.Float(mpmath.expm1(x._to_mpmath(prec)), precision=prec)


class LogAbsGamma(sympy.Function):
    """log|gamma(x)|, real for every real x but the poles (sympy.loggamma is complex for
    x < 0); its derivative is digamma."""

    @classmethod
    def eval(cls, x: sympy.Expr) -> sympy.Expr | None:
        return sympy.log(sympy.Abs(sympy.gamma(x))) if x.is_number else None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.polygamma(0, self.args[0])


def _real_root(x: sympy.Expr, n: sympy.Expr) -> sympy.Expr:
    # An odd whole n: the real root, odd in x; otherwise the power, real for x >= 0 only.
    # (n = 1 is x itself: sign(x)*|x| would have SymPy's derivative 0 at x = 0.)
    if n == 1:
        return x
    if n.is_Integer and n % 2 == 1:
        return sympy.sign(x) * sympy.Abs(x) ** (1 / n)
    return x ** (1 / n)


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
    "sech": sympy.sech,
    "csch": sympy.csch,
    "coth": sympy.coth,
    "asec": sympy.asec,
    "acsc": sympy.acsc,
    "acot": sympy.acot,
    "asech": sympy.asech,
    "acsch": sympy.acsch,
    "acoth": sympy.acoth,
    "log1p": Log1p,
    "expm1": Expm1,
    "exp2": lambda x: sympy.Integer(2) ** x,
    "sinc": sympy.sinc,  # SymPy's sinc is sin(x)/x, as ours
    "gamma": sympy.gamma,
    "lgamma": LogAbsGamma,
    "digamma": sympy.digamma,
    "polygamma": sympy.polygamma,
    "erfc": sympy.erfc,
    "lambertw": sympy.LambertW,
    "root": _real_root,
    "heaviside": Step,
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


def _number(value: int | float, digits: int) -> sympy.Expr:
    # A float constant is its exact binary value, as the float engine sees it (or, for
    # comparing printed sizes, SymPy's usual 15 digits).
    return sympy.Integer(value) if type(value) is int else sympy.Float(value, digits)


class Undefined(ArithmeticError):
    """SymPy gives no finite real number here (outside the domain, or at a kink)."""


# Functions SymPy evaluates exactly at an integer, at a cost that grows with it.
_EXACT_AT_INTEGERS = {"gamma", "lgamma", "digamma", "polygamma"}


def _exactly_huge(base: sympy.Expr, exponent: sympy.Expr) -> bool:
    """Whether SymPy would spend minutes on base^exponent exactly: 3^(10^7) has millions
    of digits, and a rational power of a large integer is searched for perfect powers."""
    if not (base.is_Rational and exponent.is_Rational) or abs(base) == 1:
        return False
    if exponent.is_Integer:
        return bool(abs(exponent) > 1000)
    return max(abs(base.p), base.q).bit_length() > 64


def to_sympy(expr: Expr, digits: int = DIGITS) -> sympy.Expr:
    """The same formula as a SymPy expression, built node by node in topological order;
    float constants with ``digits`` significant digits.

    Raises :class:`Undefined` when a constant part is infinite for SymPy: ``cot(pi)`` is
    ``zoo`` there, but a large finite number in floats, whose pi is not exactly pi.
    """
    converted: dict[Expr, sympy.Expr] = {}
    for node in topological_order([expr]):
        if is_variable(node):
            converted[node] = symbol(str(node.payload))
        elif is_constant(node):
            converted[node] = _number(node.payload, digits)  # type: ignore[arg-type]
        else:
            args = [converted[arg] for arg in node.args]
            if node.op.key in _EXACT_AT_INTEGERS and args[-1].is_Integer and abs(args[-1]) > 100:
                # gamma(10**6) and digamma(10**6) are exact for SymPy: a factorial or a
                # harmonic number of a million terms. At a float, mpmath evaluates them.
                args[-1] = sympy.Float(args[-1], digits)
            elif node.op.key == "pow" and _exactly_huge(*args):
                # As a float it is a number, which mpmath raises to the power at once.
                args[0] = sympy.Float(args[0], digits)
            elif node.op.key == "exp2" and _exactly_huge(sympy.Integer(2), args[0]):
                args[0] = sympy.Float(args[0], digits)
            try:
                result = SYMPY_OPS[node.op.key](*args)
            except (TypeError, ValueError) as exc:  # Min(x, zoo): "not comparable"
                raise Undefined(f"SymPy cannot build {node}: {exc}") from None
            if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                raise Undefined(f"{node} is {result} for SymPy")
            converted[node] = result
    return converted[expr]


# SymPy's names for our functions, written as ours so that printed sizes compare forms only.
_SYMPY_NAMES = {
    "RealCubeRoot": "cbrt", "Sign": "sign", "Abs": "abs", "Step": "heaviside",
    "Heaviside": "heaviside", "LambertW": "lambertw", "Max": "max", "Min": "min",
}  # fmt: skip


def sympy_printed(e: sympy.Expr) -> str:
    """SymPy's text of ``e`` as ours would be measured: no spaces, ``^`` for ``**``, and
    our function names."""
    text = str(e).replace("**", "^").replace(" ", "")
    for name, ours in _SYMPY_NAMES.items():
        text = text.replace(name + "(", ours + "(")
    return text


# sympy_at's answers: the corpus' derivatives are checked at the same points by several
# test modules, and SymPy's evaluation to DIGITS digits is the oracle's largest cost.
_AT: dict[tuple[sympy.Expr, tuple[tuple[str, str], ...]], float | Undefined] = {}


def sympy_at(expression: sympy.Expr, point: Mapping[str, float]) -> float:
    """``expression`` at ``point``, computed with ``DIGITS`` digits and rounded to a float."""
    # Python's == holds between 0.0 and -0.0, so each value is keyed by its exact text;
    # SymPy's between Float(2.0) and Integer(2) no longer does (SymPy 1.13).
    key = (expression, tuple(sorted((k, repr(v)) for k, v in point.items())))
    answer = _AT.get(key)
    if answer is None:
        try:
            answer = _sympy_at(expression, point)
        except Undefined as undefined:
            answer = undefined
        _AT[key] = answer
    if isinstance(answer, Undefined):
        raise Undefined(str(answer))
    return answer


# Seconds SymPy may take for one value before the point is left unchecked. Its answers come
# in milliseconds, but a few take hours: polygamma(3, x) at x = -1e10 + 0.5 (mpmath's psi
# there), where symdiff answers 2*pi^4 at once by the reflection formula.
SYMPY_SECONDS = 20.0


class _TooSlow(BaseException):  # not an Exception, which SymPy may catch
    pass


def _expire(signum: int, frame: object) -> None:
    raise _TooSlow


@contextmanager
def _bounded(seconds: float) -> Iterator[None]:
    """Raise _TooSlow in the block after ``seconds`` (a timer signal: the main thread only,
    where pytest and its xdist workers run the tests; elsewhere unbounded)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _sympy_at(expression: sympy.Expr, point: Mapping[str, float]) -> float:
    exact = {symbol(name): sympy.Float(value, DIGITS + 10) for name, value in point.items()}
    # xreplace rebuilds the tree, so sign(2.0), Heaviside(0.0), DiracDelta(1.0) evaluate.
    try:
        with _bounded(SYMPY_SECONDS):
            result = sympy.sympify(expression).xreplace(exact).evalf(DIGITS)
    except (TypeError, ValueError) as exc:  # atan2(x, zoo): "Invalid NaN comparison"
        raise Undefined(f"SymPy cannot evaluate {expression}: {exc}") from None
    except _TooSlow:
        raise Undefined(f"SymPy takes over {SYMPY_SECONDS} s for {expression}") from None
    try:
        number = complex(result)
    except (TypeError, ValueError):
        raise Undefined(f"SymPy leaves {result} unevaluated") from None
    if not (math.isfinite(number.real) and math.isfinite(number.imag)):
        raise Undefined(f"SymPy gives {result}")
    if abs(number.imag) > 1e-30 * max(1.0, abs(number.real)):
        raise Undefined(f"SymPy gives the complex number {result}")
    return number.real


@cache
def _sympy_gradient(expr: Expr) -> tuple[sympy.Expr, dict[str, sympy.Expr]]:
    """SymPy's expression and its partials (several test modules check the same formulas)."""
    expression = to_sympy(expr)
    return expression, {name: sympy.diff(expression, symbol(name)) for name in expr.variables}


class SympyGradient:
    """The value and every partial of one expression according to SymPy, at any point."""

    def __init__(self, expr: Expr) -> None:
        self.expression, self.partials = _sympy_gradient(expr)
        self.names = expr.variables

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

    def perturb(self, value: float) -> float:
        return value * (1 + self.noise * self.random.uniform(-1.0, 1.0))

    def apply(self, op: Op, *args: float | int) -> float:
        return self.perturb(super().apply(op, *args))


def sensitivity(expr: Expr, point: Mapping[str, float], trials: int = 3) -> float:
    """How far the value and gradient move when every input and every operation errs by
    1e-13, relatively (inputs too: ``1 + (x - y)`` at x = y = 1e150 is 1, but moves by
    1e137 when x does, and SymPy's own 15-digit floats give 0 there).

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
        noisy_leaf = {node: algebra.perturb(value) for node, value in leaf.items()}
        try:
            values = forward(order, algebra, noisy_leaf.__getitem__)
            adjoints = reverse(order, values, algebra, 1.0, active)
        except ArithmeticError:
            return math.inf
        noisy = [values[expr], *(adjoints.get(variable(name), 0.0) for name in exact)]
        for a, b in zip(reference, noisy, strict=True):
            worst = max(worst, abs(a - b) / max(abs(a), 1e-6))
    return worst


def hazards(expr: Expr, point: Mapping[str, float]) -> list[str]:
    """Why floats and exact arithmetic may rightly disagree at ``point``; empty if no reason.

    Kinks and jumps (abs, sign and acot at 0, ties of min and max, atan2's branch cut and
    centre) where a rounding error of 1e-16 picks the other side, and underflow
    (``1e-130^5`` is 0.0 in floats, so ``0^tiny`` is 0 where the exact answer is nearly 1).
    """
    order = topological_order([expr])
    leaf = {node: float(point[str(node.payload)]) for node in order if is_variable(node)}
    try:
        values = forward(order, FloatAlgebra(), leaf.__getitem__)
    except StepFailed as failure:
        # A step beyond the float range: symdiff answers in wide decimals, which the
        # float comparisons here cannot follow.
        return [f"{failure.node}: overflows a float"]
    found: list[str] = []
    for node in order:
        args = [values[arg] for arg in node.args]
        key, value = node.op.key, values[node]
        if key in ("abs", "sign") and abs(args[0]) <= 1e-8:
            found.append(f"{node}: {key} at 0")
        elif key == "acot" and abs(args[0]) <= 1e-8:
            # acot jumps from -pi/2 to pi/2 at 0 (ours is pi/2 there, as SymPy's), and SymPy
            # writes acot(-x) as -acot(x), which is -pi/2 at x = 0.
            found.append(f"{node}: acot at its jump")
        elif key in ("min", "max") and abs(args[0] - args[1]) <= 1e-8 * max(1.0, *map(abs, args)):
            found.append(f"{node}: a tie")
        elif key == "atan2" and args[1] < 0 and abs(args[0]) <= 1e-8 * abs(args[1]):
            found.append(f"{node}: on the branch cut")
        elif key == "atan2" and max(map(abs, args)) <= 1e-6:
            # Near its centre atan2 turns by pi within a finite-difference step.
            found.append(f"{node}: near (0, 0)")
        elif (
            args
            and key not in ("add", "sub", "mul", "div", "neg")
            and 0 < abs(value) <= 1e-12 * max(1.0, *map(abs, args))
        ):
            # At a zero of a function (sinc(pi), sin(pi)) the value is the rounding of the
            # argument times the slope: a few ulps of the argument, where exact is 0.
            found.append(f"{node}: at a zero, where the argument's rounding decides")
        payload = node.payload
        if key == "constant" and type(payload) is int and int(float(payload)) != payload:
            # Exact until a function meets it, then rounded to a float (the numeric policy):
            # sin(10^30) is sin of the nearest float, which SymPy's exact sin is not.
            found.append(f"{node}: an integer that rounds as a float")
        if 0 < abs(value) < sys.float_info.min or (
            value == 0 and key not in ("add", "sub") and args and all(args)
        ):
            found.append(f"{node}: underflow to {value!r}")
    return found


def cancels(expr: Expr, point: Mapping[str, float], digits: int = 6) -> bool:
    """Whether a sum or difference in ``expr`` at ``point`` loses more than ``digits`` of
    its terms' 16 (``a - b`` near ``a``): what is left of it is then mostly rounding, and
    two forms of one formula, each computed in floats, may rightly give different numbers
    (1e31 + x^2/1e31 - 1e31, in one order or another)."""
    order = topological_order([expr])
    leaf = {node: float(point[str(node.payload)]) for node in order if is_variable(node)}
    try:
        values = forward(order, FloatAlgebra(), leaf.__getitem__)
    except StepFailed:
        return False
    bound = 10.0**-digits
    for node in order:
        if node.op.key in ("add", "sub"):
            a, b = (abs(values[arg]) for arg in node.args)
            if abs(values[node]) < bound * (a + b):
                return True
    return False


# --- the two numeric paths -------------------------------------------------------------


def _skip_the_wait(expr: Expr) -> None:
    """Make the next call the one that compiles, as the second call is for a small graph.

    A large graph is compiled on its LARGE_GRAPH_USES-th use (Plan._worth_compiling); the
    interpreted calls before it give what the first call gave, and cost 0.3 to 0.5 s each
    on a 100,000-deep graph. test_evaluate.py checks the wait itself.
    """
    p = plan(expr)
    p.value_uses = max(p.value_uses, LARGE_GRAPH_USES - 1)
    p.gradient_uses = max(p.gradient_uses, LARGE_GRAPH_USES - 1)


def gradients_both_ways(expr: Expr, point: Mapping[str, float]) -> tuple[Gradient, Gradient]:
    """The gradient from the checked interpreter (a first call) and from compiled code.

    Forgetting the expression's plan makes the next call a first call again. The plan is a
    cache, so resetting it changes nothing but which of the two paths runs. Code the
    forgotten plan had compiled is given to the new one after that first call: it depends
    on the expression alone, and generating it again at every point of a test was most of
    the time these comparisons took.
    """
    compiled_before = None if expr._plan is None else expr._plan.gradient_code
    expr._plan = None
    interpreted = symdiff.differentiate(expr, point)
    assert plan(expr).gradient_code is None, "the first call must not compile"
    plan(expr).gradient_code = compiled_before
    _skip_the_wait(expr)
    for _ in range(LARGE_GRAPH_USES):
        compiled = symdiff.differentiate(expr, point)
        if plan(expr).gradient_code is not None:
            break
    assert plan(expr).gradient_code is not None, "a graph used often enough is compiled"
    return interpreted, compiled


def values_both_ways(expr: Expr, point: Mapping[str, float]) -> tuple[float, float]:
    """``expr.evaluate`` by the checked interpreter (a first call) and by compiled code
    (given again to the new plan, as in :func:`gradients_both_ways`)."""
    compiled_before = None if expr._plan is None else expr._plan.value_code
    expr._plan = None
    interpreted = expr.evaluate(point)
    assert plan(expr).value_code is None, "the first call must not compile"
    plan(expr).value_code = compiled_before
    _skip_the_wait(expr)
    for _ in range(LARGE_GRAPH_USES):
        compiled = expr.evaluate(point)
        if plan(expr).value_code is not None:
            break
    assert plan(expr).value_code is not None, "a graph used often enough is compiled"
    return interpreted, compiled


def outcome(call: Callable[[], object]) -> object:
    """What a call gives: its numbers, or the kind of SymdiffError it raises."""
    try:
        return call()
    except symdiff.SymdiffError as error:
        return type(error)


def same_numbers(a: object, b: object) -> bool:
    """Equal, bit for bit and sign for sign, nan equal to nan, in nested tuples and lists."""
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(same_numbers(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b
