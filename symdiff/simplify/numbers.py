"""Exact numbers in the graph: reading a node as a number, the canonical node for a number,
and folding with ints and Fractions (floats where a float takes part).

Constants are non-negative; ``-2`` is ``neg(2)``, ``3/2`` is ``div(3, 2)`` and ``-3/2`` is
``div(neg(3), 2)``. Folding gives up (returns None) where the answer is undefined, not
finite, or too large to be worth writing out; :func:`number` of inf raises
:class:`NotFinite`, which the rule engine takes as "this rule does not apply".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from ..ir.nodes import Expr, constant, is_constant, make
from ..ir.ops import CONSTANT, OPS
from ..limits import current as current_limits

Number = int | Fraction | float

DIV, NEG = OPS["div"], OPS["neg"]
ZERO, ONE = constant(0), constant(1)

# Exponents past this size are left unevaluated rather than folded; so are integers past
# symdiff.limits' integer_bits.
MAX_FOLD_EXPONENT = 256


class NotFinite(ArithmeticError):
    """A number no node can hold (an overflow to inf): the rule that met it does not apply."""


def as_number(node: Expr) -> Number | None:
    """The exact number a node stands for, if it is a (signed) constant or a fraction."""
    # Called by nearly every rule: the common answer, None, comes after three checks.
    op = node.op
    if op is CONSTANT:
        return node.payload  # type: ignore[return-value]
    if op is NEG:
        # Only one level down: a chain of negations is never followed.
        arg = node.args[0]
        inner = as_number(arg) if arg.op is CONSTANT or is_fraction(arg) else None
        return None if inner is None else -inner
    if op is DIV and is_fraction(node):
        numerator = as_number(node.args[0])
        denominator = node.args[1].payload
        assert isinstance(numerator, int) and isinstance(denominator, int)
        return Fraction(numerator, denominator)
    return None


def is_fraction(node: Expr) -> bool:
    """div(p, q) or div(neg(p), q) with integer constants p, q > 0: a canonical fraction."""
    if node.op is not DIV:
        return False
    top, bottom = node.args
    if top.op is NEG:
        top = top.args[0]
    return (
        is_constant(top)
        and type(top.payload) is int
        and is_constant(bottom)
        and type(bottom.payload) is int
        and bottom.payload > 1
    )


def number(value: Number) -> Expr:
    """The canonical node for a number."""
    # Not isinstance(value, Fraction): Fraction is an ABC's subclass, and that check of an
    # int or a float runs the ABC machinery (the rules and the normal form check numbers
    # by the hundred thousand); the number types here are exactly these three.
    if not isinstance(value, int | float):
        if value.denominator == 1:
            return number(value.numerator)
        top = number(value.numerator)
        return make(DIV, (top, constant(value.denominator)))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotFinite(f"{value!r} has no node")
    elif _bits(value) > current_limits().integer_bits:
        # Exact arithmetic stops here: c = c*c, repeated, would double the digits at every
        # step, and Python cannot even print an int of over 4,300 digits.
        raise NotFinite("an exact number over symdiff.limits' integer_bits")
    if value < 0:
        return make(NEG, (constant(-value),))
    return constant(value)


def exact(value: Number) -> Number:
    """A whole Fraction as an int, so 2/1 prints as 2."""
    if type(value) is Fraction and value.denominator == 1:
        return value.numerator
    return value


def fold(function: Callable[[Number, Number], Number], a: Number, b: Number) -> Expr | None:
    """``function(a, b)`` as a node, or None where it is undefined or not finite."""
    try:
        result = function(a, b)
    except (ArithmeticError, ValueError):
        return None
    if isinstance(result, float) and not math.isfinite(result):
        return None
    return number(exact(result))


def add(a: Number, b: Number) -> Number:
    return a + b


def subtract(a: Number, b: Number) -> Number:
    return a - b


def multiply(a: Number, b: Number) -> Number:
    return a * b


def divide(a: Number, b: Number) -> Number:
    """a/b, exact unless a float takes part."""
    if type(b) is int and b == 1:  # most splits of a quotient: no Fractions to make
        return exact(a)
    if isinstance(a, float) or isinstance(b, float):
        return a / b
    return exact(Fraction(a) / Fraction(b))


def power(a: Number, b: Number) -> Number:
    """a^b for an integer b (or a float with an integer value).

    Exact numbers give the exact power. Where a float takes part, the power is folded only
    when the float IEEE ``pow`` gives is the exact power (``0.5^2`` is 0.25): it is then the
    value the evaluator computes too, and no rounding is written into the expression
    (``0.1^2`` stays, its float is not 1/100). Anything else is not folded (ValueError).
    """
    if isinstance(b, float) and b.is_integer() and abs(b) <= MAX_FOLD_EXPONENT:
        whole = int(b)
    elif isinstance(b, int):
        whole = b
    else:
        raise ValueError("only integer powers are folded")
    bits = current_limits().integer_bits
    if abs(whole) > MAX_FOLD_EXPONENT or abs(whole) * max(1, _bits(a)) > bits:
        raise OverflowError("too large to fold")
    if isinstance(a, float) or isinstance(b, float):
        if a == 0 and whole < 0:
            raise ZeroDivisionError("zero to a negative power")
        result = math.pow(float(a), float(whole))
        if math.isfinite(result) and Fraction(result) == Fraction(a) ** whole:
            return result
        raise ValueError("the float power is not exact")
    return exact(Fraction(a) ** whole)


def _bits(a: Number) -> int:
    if type(a) is Fraction:
        return max(a.numerator.bit_length(), a.denominator.bit_length())
    return int(a).bit_length()


def as_fraction(c: Number) -> tuple[Number, int]:
    """c as (numerator, denominator); a float or an int has denominator 1."""
    if type(c) is Fraction:
        return c.numerator, c.denominator
    return c, 1
