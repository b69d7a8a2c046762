"""The table of operations: the single source of truth for every function symdiff knows.

Each entry holds only mathematics: the op's name, how many arguments it takes, how to
compute it on floats, its local partial derivative with respect to each argument, and its
domain. How an op is written (text, LaTeX, generated code) is each backend's own table,
keyed by the op's key (``syntax/precedence.py``, ``syntax/latex.py``, ``codegen/python.py``).

The partials are written once against an *algebra* ``m`` (see ``diff/algebra.py``): run
with floats they give numbers, run with expression nodes they give symbolic derivatives,
run with the code generator they give compiled gradients. A rule receives ``m``, the op's
own value ``out`` (the forward answer, handy for ``exp`` and ``tan``) and the argument
values, and returns the partial: ``d/dx sin(x) = cos(x)`` is ``lambda m, out, x: m.cos(x)``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import SymdiffError
from . import special

Rule = Callable[..., Any]


@dataclass(frozen=True, eq=False)
class Op:
    """One operation. ``key`` is unique; ``name`` is how a formula calls it."""

    key: str
    name: str
    arity: int
    numeric: Callable[..., float]
    partials: tuple[Rule, ...]
    # What the arguments must satisfy, for error messages.
    domain: str | None = None
    # Positions of arguments that take whole numbers only (polygamma's order n): the op has
    # no derivative in them, and random expressions give them whole-number constants.
    whole_arguments: tuple[int, ...] = ()

    def __repr__(self) -> str:
        return f"Op({self.key!r})"


def _sign(x: float) -> float:
    return 0.0 if x == 0 else math.copysign(1.0, x)


def _sec(x: float) -> float:
    return 1.0 / math.cos(x)


def _csc(x: float) -> float:
    return 1.0 / math.sin(x)


def _cot(x: float) -> float:
    return math.cos(x) / math.sin(x)


def _pow(a: float, b: float) -> float:
    if a == 0 and b < 0:
        # 0^-n is 1/0^n: say so, rather than math.pow's "math domain error".
        raise ZeroDivisionError("zero to a negative power")
    return math.pow(a, b)


def _log_base(x: float, base: float) -> float:
    return math.log(x) / math.log(base)


def _min(a: float, b: float) -> float:
    return a if a <= b else b


def _max(a: float, b: float) -> float:
    return a if a >= b else b


def _no_partial_in_order(m: Any, out: Any, n: Any, x: Any) -> Any:
    # polygamma(n, x) exists for whole numbers n only: there is no derivative in n.
    raise SymdiffError("polygamma(n, x) has no derivative in its order n, a whole number")


def _half_step(m: Any, a: Any, b: Any, sign: int) -> Any:
    """heaviside(a - b) (or of b - a): 1 where that argument wins, 0 where it loses, 1/2 at
    a tie, which is (1 + sign(a - b))/2."""
    return m.heaviside(m.sub(a, b) if sign > 0 else m.sub(b, a))


_OPS: list[Op] = [
    # Arithmetic operators.
    Op("add", "add", 2, operator.add,
       (lambda m, out, a, b: 1, lambda m, out, a, b: 1)),
    Op("sub", "sub", 2, operator.sub,
       (lambda m, out, a, b: 1, lambda m, out, a, b: -1)),
    Op("mul", "mul", 2, operator.mul,
       (lambda m, out, a, b: b, lambda m, out, a, b: a)),
    # d/db a/b = -a/b^2 = -out/b
    Op("div", "div", 2, operator.truediv,
       (lambda m, out, a, b: m.div(1, b), lambda m, out, a, b: m.neg(m.div(out, b))),
       domain="a nonzero divisor"),
    Op("neg", "neg", 1, operator.neg,
       (lambda m, out, x: -1,)),
    # d/da a^b = b*a^(b-1); d/db a^b = a^b*log(a). Where these have no value, two
    # conventions: a zero exponent gives d/da 0 (a^0 is 1 for every a, 0^0 included), and
    # a zero base gives d/db 0 (0^b is 0 for every b > 0).
    Op("pow", "pow", 2, _pow,
       (lambda m, out, a, b: m.unless_zero(b, lambda: m.mul(b, m.pow(a, m.sub(b, 1)))),
        lambda m, out, a, b: m.unless_zero(a, lambda: m.mul(out, m.log(a)))),
       domain="a positive base, or an integer exponent"),
    # Constants.
    Op("pi", "pi", 0, lambda: math.pi, ()),
    Op("e", "e", 0, lambda: math.e, ()),
    # Trigonometric functions; d/dx tan = 1 + tan^2, d/dx sec = sec*tan, d/dx csc = -csc*cot.
    Op("sin", "sin", 1, math.sin, (lambda m, out, x: m.cos(x),)),
    Op("cos", "cos", 1, math.cos, (lambda m, out, x: m.neg(m.sin(x)),)),
    Op("tan", "tan", 1, math.tan,
       (lambda m, out, x: m.add(1, m.pow(out, 2)),)),
    Op("sec", "sec", 1, _sec, (lambda m, out, x: m.mul(out, m.tan(x)),)),
    Op("csc", "csc", 1, _csc,
       (lambda m, out, x: m.neg(m.mul(out, m.cot(x))),),
       domain="an argument that is not a multiple of pi"),
    Op("cot", "cot", 1, _cot,
       (lambda m, out, x: m.neg(m.add(1, m.pow(out, 2))),),
       domain="an argument that is not a multiple of pi"),
    Op("asin", "asin", 1, math.asin,
       (lambda m, out, x: m.div(1, m.sqrt(m.sub(1, m.pow(x, 2)))),),
       domain="an argument from -1 to 1"),
    Op("acos", "acos", 1, math.acos,
       (lambda m, out, x: m.neg(m.div(1, m.sqrt(m.sub(1, m.pow(x, 2))))),),
       domain="an argument from -1 to 1"),
    Op("atan", "atan", 1, math.atan,
       (lambda m, out, x: m.div(1, m.add(1, m.pow(x, 2))),)),
    # Hyperbolic functions; d/dx tanh = 1 - tanh^2.
    Op("sinh", "sinh", 1, math.sinh, (lambda m, out, x: m.cosh(x),)),
    Op("cosh", "cosh", 1, math.cosh, (lambda m, out, x: m.sinh(x),)),
    Op("tanh", "tanh", 1, math.tanh,
       (lambda m, out, x: m.sub(1, m.pow(out, 2)),)),
    Op("asinh", "asinh", 1, math.asinh,
       (lambda m, out, x: m.div(1, m.sqrt(m.add(m.pow(x, 2), 1))),)),
    Op("acosh", "acosh", 1, math.acosh,
       (lambda m, out, x: m.div(1, m.sqrt(m.sub(m.pow(x, 2), 1))),),
       domain="an argument of at least 1"),
    Op("atanh", "atanh", 1, math.atanh,
       (lambda m, out, x: m.div(1, m.sub(1, m.pow(x, 2))),),
       domain="an argument strictly between -1 and 1"),
    # Exponentials and logarithms.
    Op("exp", "exp", 1, math.exp, (lambda m, out, x: out,)),
    Op("log", "log", 1, math.log, (lambda m, out, x: m.div(1, x),),
       domain="a positive argument"),
    # log(x, b) = log(x)/log(b); d/db = -log(x)/(b*log(b)^2) = -out/(b*log(b))
    Op("log_base", "log", 2, _log_base,
       (lambda m, out, x, b: m.div(1, m.mul(x, m.log(b))),
        lambda m, out, x, b: m.neg(m.div(out, m.mul(b, m.log(b))))),
       domain="a positive argument and a positive base other than 1"),
    Op("log10", "log10", 1, math.log10,
       (lambda m, out, x: m.div(1, m.mul(x, m.log(10))),), domain="a positive argument"),
    Op("log2", "log2", 1, math.log2,
       (lambda m, out, x: m.div(1, m.mul(x, m.log(2))),), domain="a positive argument"),
    # Roots: d/dx sqrt(x) = 1/(2*sqrt(x)), d/dx cbrt(x) = 1/(3*cbrt(x)^2).
    Op("sqrt", "sqrt", 1, math.sqrt, (lambda m, out, x: m.div(1, m.mul(2, out)),),
       domain="a non-negative argument"),
    Op("cbrt", "cbrt", 1, math.cbrt,
       (lambda m, out, x: m.div(1, m.mul(3, m.pow(out, 2))),)),
    # Non-smooth functions: at 0, abs and sign take the minimum-norm subgradient, 0.
    Op("abs", "abs", 1, abs, (lambda m, out, x: m.sign(x),)),
    Op("sign", "sign", 1, _sign, (lambda m, out, x: 0,)),
    # d/dx erf(x) = 2/sqrt(pi)*exp(-x^2)
    Op("erf", "erf", 1, math.erf,
       (lambda m, out, x: m.mul(m.div(2, m.sqrt(m.pi())), m.exp(m.neg(m.pow(x, 2)))),)),
    # Reciprocal hyperbolic functions: d/dx sech = -sech*tanh, d/dx csch = -csch*coth,
    # d/dx coth = -csch^2 (1 - coth^2 would cancel to 0 for large x).
    Op("sech", "sech", 1, special.sech, (lambda m, out, x: m.neg(m.mul(out, m.tanh(x))),)),
    Op("csch", "csch", 1, special.csch,
       (lambda m, out, x: m.neg(m.mul(out, m.coth(x))),), domain="a nonzero argument"),
    Op("coth", "coth", 1, special.coth,
       (lambda m, out, x: m.neg(m.pow(m.csch(x), 2)),), domain="a nonzero argument"),
    # Inverse reciprocal functions: asec(x) = acos(1/x), acot(x) = atan(1/x) (odd, with
    # acot(0) = pi/2, as in SymPy), asech(x) = acosh(1/x), ...
    # d/dx asec = 1/(x^2*sqrt(1 - 1/x^2)) = 1/(|x|*sqrt(x^2 - 1)), and acsc its negative
    Op("asec", "asec", 1, special.asec,
       (lambda m, out, x: m.div(1, m.mul(m.pow(x, 2), m.sqrt(m.sub(1, m.div(1, m.pow(x, 2)))))),),
       domain="an argument of at least 1 in absolute value"),
    Op("acsc", "acsc", 1, special.acsc,
       (lambda m, out, x: m.neg(
           m.div(1, m.mul(m.pow(x, 2), m.sqrt(m.sub(1, m.div(1, m.pow(x, 2))))))),),
       domain="an argument of at least 1 in absolute value"),
    Op("acot", "acot", 1, special.acot,
       (lambda m, out, x: m.neg(m.div(1, m.add(m.pow(x, 2), 1))),)),
    # d/dx asech = -1/(x*sqrt(1 - x^2)), d/dx acsch = -1/(|x|*sqrt(x^2 + 1)),
    # d/dx acoth = 1/(1 - x^2)
    Op("asech", "asech", 1, special.asech,
       (lambda m, out, x: m.neg(m.div(1, m.mul(x, m.sqrt(m.sub(1, m.pow(x, 2)))))),),
       domain="an argument in (0, 1]"),
    Op("acsch", "acsch", 1, special.acsch,
       (lambda m, out, x: m.neg(m.div(1, m.mul(m.abs(x), m.sqrt(m.add(m.pow(x, 2), 1))))),),
       domain="a nonzero argument"),
    Op("acoth", "acoth", 1, special.acoth,
       (lambda m, out, x: m.div(1, m.sub(1, m.pow(x, 2))),),
       domain="an argument greater than 1 in absolute value"),
    # Accurate near 0: log1p(x) = log(1 + x), expm1(x) = exp(x) - 1; exp2(x) = 2^x.
    Op("log1p", "log1p", 1, math.log1p, (lambda m, out, x: m.div(1, m.add(x, 1)),),
       domain="an argument greater than -1"),
    Op("expm1", "expm1", 1, math.expm1, (lambda m, out, x: m.exp(x),)),
    Op("exp2", "exp2", 1, special.exp2, (lambda m, out, x: m.mul(out, m.log(2)),)),
    # sinc(x) = sin(x)/x, 1 at 0; d/dx sinc = (cos(x) - sinc(x))/x, and 0 at 0 (sinc is
    # even), the general formula's limit there.
    Op("sinc", "sinc", 1, special.sinc,
       (lambda m, out, x: m.unless_zero(x, lambda: m.div(m.sub(m.cos(x), out), x)),)),
    # Special functions. d/dx gamma = gamma*digamma, d/dx lgamma = digamma (lgamma is
    # log|gamma|, as in C and Python), d/dx polygamma(n, x) = polygamma(n + 1, x).
    Op("gamma", "gamma", 1, math.gamma, (lambda m, out, x: m.mul(out, m.digamma(x)),),
       domain="an argument that is not 0 or a negative integer"),
    Op("lgamma", "lgamma", 1, math.lgamma, (lambda m, out, x: m.digamma(x),),
       domain="an argument that is not 0 or a negative integer"),
    Op("digamma", "digamma", 1, special.digamma, (lambda m, out, x: m.polygamma(1, x),),
       domain="an argument that is not 0 or a negative integer"),
    Op("polygamma", "polygamma", 2, special.polygamma,
       (_no_partial_in_order, lambda m, out, n, x: m.polygamma(m.add(n, 1), x)),
       domain="an order n = 0, 1, 2, ... and an x that is not 0 or a negative integer",
       whole_arguments=(0,)),
    # d/dx erfc(x) = -2/sqrt(pi)*exp(-x^2)
    Op("erfc", "erfc", 1, math.erfc,
       (lambda m, out, x: m.neg(m.mul(m.div(2, m.sqrt(m.pi())), m.exp(m.neg(m.pow(x, 2))))),)),
    # The principal branch of w*exp(w) = x: d/dx W = 1/((1 + W)*exp(W)), infinite at -1/e.
    Op("lambertw", "lambertw", 1, special.lambertw,
       (lambda m, out, x: m.div(m.exp(m.neg(out)), m.add(out, 1)),),
       domain="an argument of at least -1/e"),
    # root(x, n) = x^(1/n), real: d/dx = root(x, n)^(1 - n)/n, d/dn = -root(x, n)*log(x)/n^2
    # (0 at x = 0, where root is 0 for every n > 0).
    Op("root", "root", 2, special.root,
       (lambda m, out, x, n: m.div(m.pow(out, m.sub(1, n)), n),
        lambda m, out, x, n: m.unless_zero(
            x, lambda: m.neg(m.div(m.mul(out, m.log(x)), m.pow(n, 2))))),
       domain="a nonzero n, and a non-negative x unless n is an odd integer"),
    # The unit step, (1 + sign(x))/2: 1/2 at 0, and derivative 0 like sign's.
    Op("heaviside", "heaviside", 1, special.heaviside, (lambda m, out, x: 0,)),
    # Two-argument functions. d/dy atan2(y, x) = x/(x^2+y^2), d/dx = -y/(x^2+y^2).
    # One zero: atan2(0, -0.0) is atan2(0, 0.0) = 0 (special.atan2).
    Op("atan2", "atan2", 2, special.atan2,
       (lambda m, out, y, x: m.div(x, m.add(m.pow(x, 2), m.pow(y, 2))),
        lambda m, out, y, x: m.neg(m.div(y, m.add(m.pow(x, 2), m.pow(y, 2))))),
       domain="(y, x) other than (0, 0)"),
    Op("hypot", "hypot", 2, math.hypot,
       (lambda m, out, x, y: m.div(x, out), lambda m, out, x, y: m.div(y, out))),
    # Ties of min and max split the gradient equally between the arguments.
    Op("min", "min", 2, _min,
       (lambda m, out, a, b: _half_step(m, a, b, -1),
        lambda m, out, a, b: _half_step(m, a, b, +1))),
    Op("max", "max", 2, _max,
       (lambda m, out, a, b: _half_step(m, a, b, +1),
        lambda m, out, a, b: _half_step(m, a, b, -1))),
]  # fmt: skip

OPS: dict[str, Op] = {op.key: op for op in _OPS}

# The arithmetic operations, which formulas write with operators; every other op with
# arguments is a function, called by name.
ARITHMETIC = frozenset({"add", "sub", "mul", "div", "neg", "pow"})

# Leaves of the graph are not operations: they carry a number or a variable's name.
CONSTANT = Op("constant", "constant", 0, float, ())
VARIABLE = Op("variable", "variable", 0, float, ())

# Names as written in formulas: the functions (by name and arity) and the constants.
FUNCTIONS: dict[str, dict[int, Op]] = {}
for _op in _OPS:
    if _op.key not in ARITHMETIC and _op.arity > 0:
        FUNCTIONS.setdefault(_op.name, {})[_op.arity] = _op
FUNCTIONS["ln"] = FUNCTIONS["log"]
FUNCTIONS["pow"] = {2: OPS["pow"]}
NAMED_CONSTANTS: dict[str, Op] = {"pi": OPS["pi"], "e": OPS["e"], "π": OPS["pi"]}
