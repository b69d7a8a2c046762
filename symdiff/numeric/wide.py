"""Wide arithmetic: the checked interpreter's second try when a float step overflowed.

Decimals with 34 digits and exponents up to a million: ``x*x`` at ``x = 1e200`` is
``1e400`` here, so an overflow that later cancels (``x*y/(x*x)*x``, ``1/(1+exp(-x))`` at
``x = -800``) gives the finite answer. Each op is one entry of the table ``WIDE``, keyed by
op; the functions Decimal lacks run in floats where their argument is a float, and take
their limit where it is beyond the float range (``atan`` of a huge number is ``pi/2``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from fractions import Fraction

from ..diff.algebra import Algebra
from ..ir.ops import OPS, Op

CONTEXT = Context(
    prec=34, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DivisionByZero, Overflow]
)
_ZERO, _ONE, _TWO = Decimal(0), Decimal(1), Decimal(2)
_FLOAT_MAX = Decimal("1.7976931348623157e308")
_FLOAT_TINY = Decimal("2.2250738585072014e-308")
_HALF_PI = Decimal(math.pi / 2)


def _big(x: Decimal) -> bool:
    return abs(x) > _FLOAT_MAX


def _tiny(x: Decimal) -> bool:
    return x != 0 and abs(x) < _FLOAT_TINY


def _sign(x: Decimal) -> Decimal:
    return _ZERO if x == 0 else Decimal(1 if x > 0 else -1)


def _exp(x: Decimal) -> Decimal:
    try:
        return CONTEXT.exp(x)
    except Overflow:
        raise OverflowError("exp overflows") from None


def _ln(x: Decimal) -> Decimal:
    if x <= 0:
        raise ValueError("math domain error")
    return CONTEXT.ln(x)


def _through_float(
    function: Callable[[float], float],
    huge: Callable[[Decimal], Decimal] | None,
    tiny: Callable[[Decimal], Decimal],
) -> Callable[[Decimal], Decimal]:
    """A float function, extended: ``huge`` beyond the float range (None: undefined
    there, like sin), ``tiny`` below the normal range (the first term of its series)."""

    def wide(x: Decimal) -> Decimal:
        if _big(x):
            if huge is None:
                raise ValueError("math domain error")
            return huge(x)
        if _tiny(x):
            return tiny(x)
        return Decimal(function(float(x)))

    return wide


def _odd(x: Decimal) -> Decimal:
    return x


def _one(x: Decimal) -> Decimal:
    return _ONE


def _undefined(x: Decimal) -> Decimal:
    raise ValueError("math domain error")


def _sinh(x: Decimal) -> Decimal:
    if abs(x) < 700:
        return _through_float(math.sinh, None, _odd)(x)
    return _sign(x) * CONTEXT.divide(_exp(abs(x)), _TWO)


def _cosh(x: Decimal) -> Decimal:
    if abs(x) < 700:
        return _through_float(math.cosh, None, _one)(x)
    return CONTEXT.divide(_exp(abs(x)), _TWO)


def _pow(a: Decimal, b: Decimal) -> Decimal:
    if a == 0:
        if b < 0:
            raise ZeroDivisionError("zero to a negative power")
        return _ONE if b == 0 else _ZERO
    if b == b.to_integral_value():
        if abs(b) < 10**6:
            return CONTEXT.power(a, int(b))
        magnitude = _exp(CONTEXT.multiply(b, _ln(abs(a))))
        return magnitude if a > 0 or _even(b) else -magnitude
    if a < 0:
        raise ValueError("math domain error")
    return _exp(CONTEXT.multiply(b, _ln(a)))


def _even(n: Decimal) -> bool:
    """Whether the integer ``n`` is even, without writing out its digits (1e900000 has
    a million of them): a positive decimal exponent makes it a multiple of 10."""
    return int(n.as_tuple().exponent) > 0 or int(n) % 2 == 0


def _atan2(y: Decimal, x: Decimal) -> Decimal:
    scale = max(abs(x), abs(y))
    if scale == 0:
        return Decimal(math.atan2(float(y), float(x)))
    # atan2 depends only on the direction of (x, y): scale both into the float range.
    return Decimal(math.atan2(float(y / scale), float(x / scale)))


def _hypot(x: Decimal, y: Decimal) -> Decimal:
    return CONTEXT.sqrt(CONTEXT.add(CONTEXT.multiply(x, x), CONTEXT.multiply(y, y)))


def _sqrt(x: Decimal) -> Decimal:
    if x < 0:
        raise ValueError("math domain error")
    return CONTEXT.sqrt(x)


def _cbrt(x: Decimal) -> Decimal:
    return _ZERO if x == 0 else _sign(x) * _exp(CONTEXT.divide(_ln(abs(x)), Decimal(3)))


def _div(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return CONTEXT.divide(a, b)


def _log_of_2x(x: Decimal) -> Decimal:
    # asinh(x) and acosh(x) are log(2x) + O(1/x^2) for large x.
    return _sign(x) * _ln(2 * abs(x))


WIDE: dict[str, Callable[..., Decimal]] = {
    "add": CONTEXT.add,
    "sub": CONTEXT.subtract,
    "mul": CONTEXT.multiply,
    "div": _div,
    "neg": lambda x: -x,
    "pow": _pow,
    "pi": lambda: Decimal(math.pi),
    "e": lambda: Decimal(math.e),
    "sin": _through_float(math.sin, None, _odd),
    "cos": _through_float(math.cos, None, _one),
    "tan": _through_float(math.tan, None, _odd),
    "sec": _through_float(OPS["sec"].numeric, None, _one),
    "csc": _through_float(OPS["csc"].numeric, None, lambda x: _div(_ONE, x)),
    "cot": _through_float(OPS["cot"].numeric, None, lambda x: _div(_ONE, x)),
    "asin": _through_float(math.asin, _undefined, _odd),
    "acos": _through_float(math.acos, _undefined, lambda x: _HALF_PI),
    "atan": _through_float(math.atan, lambda x: _sign(x) * _HALF_PI, _odd),
    "sinh": _sinh,
    "cosh": _cosh,
    "tanh": _through_float(math.tanh, _sign, _odd),
    "asinh": _through_float(math.asinh, _log_of_2x, _odd),
    "acosh": _through_float(
        math.acosh, lambda x: _log_of_2x(x) if x > 0 else _undefined(x), _undefined
    ),
    "atanh": _through_float(math.atanh, _undefined, _odd),
    "exp": _exp,
    "log": _ln,
    "log_base": lambda x, b: _div(_ln(x), _ln(b)),
    "log10": lambda x: _div(_ln(x), CONTEXT.ln(Decimal(10))),
    "log2": lambda x: _div(_ln(x), CONTEXT.ln(_TWO)),
    "sqrt": _sqrt,
    "cbrt": _cbrt,
    "abs": abs,
    "sign": _sign,
    "erf": _through_float(
        math.erf, _sign, lambda x: CONTEXT.divide(2 * x, Decimal(math.sqrt(math.pi)))
    ),
    "atan2": _atan2,
    "hypot": _hypot,
    "min": lambda a, b: a if a <= b else b,
    "max": lambda a, b: a if a >= b else b,
}


class WideAlgebra(Algebra[Decimal]):
    """Decimals with a wide exponent range; every op through the table ``WIDE``."""

    def constant(self, value: int | float) -> Decimal:
        if isinstance(value, Fraction):
            return CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))
        return Decimal(value)

    def apply(self, op: Op, *args: Decimal | int) -> Decimal:
        try:
            return WIDE[op.key](*(a if isinstance(a, Decimal) else Decimal(a) for a in args))
        except Overflow:
            raise OverflowError(f"{op.name} overflows") from None
        except InvalidOperation:
            raise ValueError("math domain error") from None

    def unless_zero(
        self, value: Decimal | int, partial: Callable[[], Decimal | int]
    ) -> Decimal | int:
        return 0 if value == 0 else partial()
