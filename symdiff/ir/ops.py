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


def _half_step(m: Any, a: Any, b: Any, sign: int) -> Any:
    """(1 + sign*sign(a-b))/2: 1 where a wins, 0 where b wins, 1/2 at a tie."""
    step = m.sign(m.sub(a, b))
    return m.div(m.add(1, step) if sign > 0 else m.sub(1, step), 2)


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
    # Two-argument functions. d/dy atan2(y, x) = x/(x^2+y^2), d/dx = -y/(x^2+y^2).
    Op("atan2", "atan2", 2, math.atan2,
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
