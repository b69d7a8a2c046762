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
from ..ir import special
from ..ir.ops import OPS, Op

CONTEXT = Context(
    prec=34, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DivisionByZero, Overflow]
)
_ZERO, _ONE, _TWO = Decimal(0), Decimal(1), Decimal(2)
_FLOAT_MAX = Decimal("1.7976931348623157e308")
_FLOAT_TINY = Decimal("2.2250738585072014e-308")
_HALF_PI = Decimal(math.pi / 2)
_HALF_LOG_2PI = Decimal(math.log(2 * math.pi) / 2)


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
        return Decimal(special.atan2(float(y), float(x)))
    # atan2 depends only on the direction of (x, y): scale both into the float range.
    return Decimal(special.atan2(float(y / scale), float(x / scale)))


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


def _zero(x: Decimal) -> Decimal:
    return _ZERO


def _reciprocal(x: Decimal) -> Decimal:
    return _div(_ONE, x)


def _sech(x: Decimal) -> Decimal:
    if abs(x) < 700:
        return Decimal(special.sech(float(x)))
    # 2*e^-|x|, in decimals where the float underflows (sech(x)*exp(x) at x = 800 is 2)
    return 2 * _exp(-abs(x)) if abs(x) < 2_000_000 else _ZERO


def _csch(x: Decimal) -> Decimal:
    if abs(x) < 700:
        return _through_float(special.csch, None, _reciprocal)(x)
    return _sign(x) * (2 * _exp(-abs(x)) if abs(x) < 2_000_000 else _ZERO)


def _log_of_2_over_x(x: Decimal) -> Decimal:
    # asech(x) and acsch(x) are log(2/x) + O(x^2) for small x.
    return _sign(x) * (_ln(_TWO) - _ln(abs(x)))


def _gamma_sign(x: Decimal) -> Decimal:
    # gamma is negative on (-1, 0), (-3, -2), ...
    return _ONE if x > 0 or int(-x.to_integral_value(rounding="ROUND_FLOOR")) % 2 == 0 else -_ONE


def _lgamma_huge(x: Decimal) -> Decimal:
    # Stirling: log gamma(x) = (x - 1/2) log(x) - x + log(2 pi)/2 + O(1/x)
    if x < 0:
        raise ValueError("math domain error")  # beyond the float range every float is an integer
    return CONTEXT.add(CONTEXT.multiply(x - Decimal("0.5"), _ln(x)) - x, _HALF_LOG_2PI)


def _gamma(x: Decimal) -> Decimal:
    if _big(x):
        return _exp(_lgamma_huge(x))
    if _tiny(x):
        return _reciprocal(x)  # gamma(x) = 1/x - euler_gamma + O(x)
    try:
        return Decimal(math.gamma(float(x)))
    except OverflowError:
        # exp(lgamma) with the sign; lgamma's absolute error ~1e-16*lgamma is the relative
        # error of the result.
        return _gamma_sign(x) * _exp(Decimal(math.lgamma(float(x))))


def _lgamma(x: Decimal) -> Decimal:
    if _big(x):
        return _lgamma_huge(x)
    if _tiny(x):
        return -_ln(abs(x))
    return Decimal(math.lgamma(float(x)))


def _polygamma(n: Decimal, x: Decimal) -> Decimal:
    order = int(n) if n == n.to_integral_value() and 0 <= n <= 1000 else -1
    if order < 0:
        raise ValueError("math domain error")
    if _big(x):
        if x < 0:
            raise ValueError("math domain error")  # every float this large is a pole
        if order == 0:
            return _ln(x) - _div(_ONE, 2 * x)
        # (-1)^(n+1) (n-1)!/x^n
        lead = _div(Decimal(math.factorial(order - 1)), CONTEXT.power(x, order))
        return lead if order % 2 else -lead
    if _tiny(x):
        # (-1)^(n+1) n!/x^(n+1), the pole's term
        pole = _div(Decimal(math.factorial(order)), CONTEXT.power(x, order + 1))
        return -pole if order % 2 == 0 else pole
    return Decimal(special.polygamma(order, float(x)))


def _root(x: Decimal, n: Decimal) -> Decimal:
    if n == 0:
        raise ValueError("math domain error")
    if x == 0:
        if n < 0:
            raise ZeroDivisionError("zero to a negative power")
        return _ZERO
    if x < 0 and not (n == n.to_integral_value() and int(n) % 2 == 1):
        raise ValueError("math domain error")
    return _sign(x) * _exp(_div(_ln(abs(x)), n))


def _expm1(x: Decimal) -> Decimal:
    if x > 700:
        return _exp(x) - _ONE
    if _big(x):
        return -_ONE
    return _through_float(math.expm1, None, _odd)(x)


def _lambertw(x: Decimal) -> Decimal:
    if not _big(x):
        return Decimal(special.lambertw(float(x)))
    if x < 0:
        raise ValueError("math domain error")
    # w + log(w) = log(x), by Newton's method; log(x) of a wide x is a float.
    log_x = float(_ln(x))
    w = log_x - math.log(log_x)
    for _ in range(20):
        w -= (w + math.log(w) - log_x) * w / (w + 1.0)
    return Decimal(w)


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
    "sech": _sech,
    "csch": _csch,
    "coth": _through_float(special.coth, _sign, _reciprocal),
    "asec": _through_float(special.asec, lambda x: _HALF_PI, _undefined),
    "acsc": _through_float(special.acsc, _zero, _undefined),
    "acot": _through_float(special.acot, _zero, lambda x: _sign(x) * _HALF_PI),
    "asech": _through_float(
        special.asech, _undefined, lambda x: _log_of_2_over_x(x) if x > 0 else _undefined(x)
    ),
    "acsch": _through_float(special.acsch, _zero, _log_of_2_over_x),
    "acoth": _through_float(special.acoth, _zero, _undefined),
    "log1p": _through_float(math.log1p, lambda x: _ln(x + 1), _odd),
    "expm1": _expm1,
    "exp2": lambda x: _exp(CONTEXT.multiply(x, CONTEXT.ln(_TWO))),
    "sinc": _through_float(special.sinc, _zero, _one),
    "gamma": _gamma,
    "lgamma": _lgamma,
    "digamma": lambda x: _polygamma(_ZERO, x),
    "polygamma": _polygamma,
    "erfc": _through_float(math.erfc, lambda x: _ONE - _sign(x), _one),
    "lambertw": _lambertw,
    "root": _root,
    "heaviside": lambda x: (_ONE + _sign(x)) / _TWO,
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
        # A number, not a structural zero, as FloatAlgebra's (policy 1).
        return Decimal(0) if value == 0 else partial()
