"""Float implementations of the functions Python's ``math`` lacks, for the op table.

Each takes and returns floats and follows ``math``'s conventions: ``ValueError`` outside
the domain (a pole of ``digamma``, ``lambertw`` below -1/e, an even root of a negative
number), ``OverflowError`` where the result is beyond the float range. Accuracy is a few
units in the last place except near a function's zeros, where any absolute error is large
relatively. The methods are the textbook ones (Abramowitz & Stegun 6.3-6.4 for polygamma,
Corless et al. 1996 for Lambert W); nothing here depends on SciPy or mpmath.
"""

from __future__ import annotations

import math
from fractions import Fraction

# --- reciprocal and inverse reciprocal functions -----------------------------------------


def _finite(value: float) -> float:
    # A float division that overflows gives inf silently; math's functions raise instead.
    if math.isinf(value):
        raise OverflowError("math range error")
    return value


def sech(x: float) -> float:
    # 2/(e^|x| + e^-|x|), written so that large |x| underflows instead of overflowing.
    t = math.exp(-abs(x))
    return 2.0 * t / (1.0 + t * t)


def csch(x: float) -> float:
    if x == 0:
        raise ZeroDivisionError("csch(0)")
    if abs(x) < 20:
        return _finite(1.0 / math.sinh(x))
    t = math.exp(-abs(x))
    return math.copysign(2.0 * t / (1.0 - t * t), x)


def coth(x: float) -> float:
    if x == 0:
        raise ZeroDivisionError("coth(0)")
    return _finite(1.0 / math.tanh(x))


def asec(x: float) -> float:
    if abs(x) < 1:
        raise ValueError("math domain error")
    return math.acos(1.0 / x)


def acsc(x: float) -> float:
    if abs(x) < 1:
        raise ValueError("math domain error")
    return math.asin(1.0 / x)


def acot(x: float) -> float:
    # atan(1/x), as SymPy and mpmath define it: odd, in (-pi/2, pi/2], pi/2 at 0.
    if x == 0:
        return math.pi / 2
    if abs(x) >= 1:
        return math.atan(1.0 / x)
    return math.copysign(math.pi / 2, x) - math.atan(x)


def asech(x: float) -> float:
    if not 0 < x <= 1:
        raise ValueError("math domain error")
    if x < 1e-8:
        return math.log(2.0) - math.log(x)  # log(2/x) - x^2/4 + ...; 1/x may overflow
    # log((1 + sqrt(1 - x^2))/x), with 1 - x exact near 1 where acosh(1/x) loses digits
    return math.log1p((1.0 - x + math.sqrt((1.0 - x) * (1.0 + x))) / x)


def acsch(x: float) -> float:
    if x == 0:
        raise ZeroDivisionError("acsch(0)")
    if abs(x) < 1e-8:
        return math.copysign(math.log(2.0) - math.log(abs(x)), x)
    return math.asinh(1.0 / x)


def acoth(x: float) -> float:
    if abs(x) <= 1:
        raise ValueError("math domain error")
    # atanh(1/x) = log((x + 1)/(x - 1))/2, with |x| - 1 exact near 1
    return math.copysign(0.5 * math.log1p(2.0 / (abs(x) - 1.0)), x)


# --- exponentials, roots, sinc, step --------------------------------------------------------


def atan2(y: float, x: float) -> float:
    # The angle of (x, y), with one zero: -0.0 is read as 0.0 (adding 0.0 makes it so), as
    # a formula means it. IEEE's atan2 reads the sign of a zero, pi at (0, -0.0) and -pi at
    # (-0.0, -1), and 0*y or log(1, b) is -0.0 or 0.0 by the signs of y and b, which
    # simplify writes as 0 whatever they are.
    return math.atan2(y + 0.0, x + 0.0)


def exp2(x: float) -> float:
    return math.pow(2.0, x)


def sinc(x: float) -> float:
    """sin(x)/x, and its limit 1 at 0 (the unnormalised sinc)."""
    return 1.0 if x == 0 else math.sin(x) / x


def heaviside(x: float) -> float:
    """0 below 0, 1 above, and 1/2 at 0: (1 + sign(x))/2, the convention of ``sign``."""
    return 0.0 if x < 0 else 1.0 if x > 0 else 0.5


def _odd_integer(n: float) -> bool:
    return float(n).is_integer() and int(n) % 2 == 1


def root(x: float, n: float) -> float:
    """The real n-th root x^(1/n); for an odd integer n also of a negative x."""
    if n == 0:
        raise ValueError("math domain error")
    if x == 0:
        if n < 0:
            raise ZeroDivisionError("zero to a negative power")
        return 0.0
    if x < 0 and not _odd_integer(n):
        raise ValueError("math domain error")
    result = math.copysign(math.pow(abs(x), 1.0 / n), x)
    k = int(n) if float(n).is_integer() else 0
    if 2 <= k <= 1000 and math.isfinite(result) and result != 0:
        # One Newton step on y^k = x repairs the rounding of 1/n: root(27, 3) is 3.0.
        try:
            power = result ** (k - 1)
        except OverflowError:
            return result
        if 1e-300 < abs(power) < 1e300:
            result -= (result - x / power) / k
    return result


# --- polygamma ---------------------------------------------------------------------------

# Bernoulli numbers B_2, B_4, ..., B_26 for the asymptotic series.
_BERNOULLI = [
    Fraction(1, 6), Fraction(-1, 30), Fraction(1, 42), Fraction(-1, 30), Fraction(5, 66),
    Fraction(-691, 2730), Fraction(7, 6), Fraction(-3617, 510), Fraction(43867, 798),
    Fraction(-174611, 330), Fraction(854513, 138), Fraction(-236364091, 2730),
    Fraction(8553103, 6),
]  # fmt: skip
# B_2k/(2k)!, the series' coefficients.
_SERIES = [float(b / math.factorial(2 * k)) for k, b in enumerate(_BERNOULLI, 1)]
_MAX_ORDER = 1000


def _order(n: float) -> int:
    if not float(n).is_integer() or n < 0 or n > _MAX_ORDER:
        raise ValueError("math domain error")
    return int(n)


def _factorial_over_power(k: int, x: float, p: int) -> float:
    """k!/x^p for p >= k, multiplied in steps so that no factor overflows early."""
    result = 1.0
    for j in range(1, k + 1):
        result *= j / x
    return result / x ** (p - k)


def _asymptotic(n: int, x: float) -> float:
    """polygamma(n, x) for x >= 10 + n (A&S 6.3.18 and 6.4.11)."""
    inverse_square = 1.0 / (x * x)
    if n == 0:
        total, power = 0.0, 1.0
        for k, coefficient in enumerate(_SERIES, 1):
            power *= inverse_square
            total += coefficient * math.factorial(2 * k - 1) * power
        # B_2k (2k-1)!/(2k)! = B_2k/(2k)
        return math.log(x) - 0.5 / x - total
    # (-1)^(n+1) (n-1)!/x^n [1 + n/(2x) + sum B_2k/(2k)! n(n+1)...(n+2k-1)/x^2k]
    bracket, rising = 1.0 + n / (2.0 * x), 1.0
    for k, coefficient in enumerate(_SERIES, 1):
        rising *= (n + 2 * k - 2) * (n + 2 * k - 1) * inverse_square
        bracket += coefficient * rising
    lead = _factorial_over_power(n - 1, x, n)
    return (-1.0 if n % 2 == 0 else 1.0) * lead * bracket


def _cot_derivative(n: int, x: float) -> float:
    """d^n/dx^n cot(pi x) = pi^n P_n(cot(pi x)), P_0(c) = c, P_k+1 = -(1 + c^2) P_k'."""
    reduced = x - round(x)  # cot(pi x) has period 1; |reduced| <= 1/2, exactly
    # cos(pi r) as sin(pi (1/2 - |r|)) near |r| = 1/2, so that cot(pi/2) is exactly 0
    cosine = (
        math.cos(math.pi * reduced)
        if abs(reduced) <= 0.25
        else math.sin(math.pi * (0.5 - abs(reduced)))
    )
    c = cosine / math.sin(math.pi * reduced)
    coefficients = [0.0, 1.0]  # P as coefficients of c^0, c^1, ...
    for _ in range(n):
        derivative = [i * a for i, a in enumerate(coefficients)][1:] or [0.0]
        # -(1 + c^2) * P'
        result = [0.0] * (len(derivative) + 2)
        for i, a in enumerate(derivative):
            result[i] -= a
            result[i + 2] -= a
        coefficients = result
    value = 0.0
    for a in reversed(coefficients):
        value = value * c + a
    return math.pi**n * value


# The positive zero of digamma, 1.46163214496836234126..., as a sum of two floats.
_ROOT_HIGH, _ROOT_LOW = 1.4616321449683622, 9.549995429965697e-17
_NEAR_ROOT = 0.25


def _taylor_at_root() -> list[float]:
    # psi(x) = sum over k >= 1 of psi^(k)(root)/k! (x - root)^k; the derivatives have no
    # cancellation (their terms share one sign), so they are accurate here.
    return [polygamma(k, _ROOT_HIGH) / math.factorial(k) for k in range(1, 30)]


# Computed on first use (about a millisecond, kept off import); a race between threads
# computes the same tuple twice, harmlessly.
_ROOT_SERIES: tuple[float, ...] = ()


def _digamma_near_root(x: float) -> float:
    """psi(x) near its positive zero, by the Taylor series there, so that the value keeps
    its relative accuracy as it tends to 0."""
    global _ROOT_SERIES
    if not _ROOT_SERIES:
        _ROOT_SERIES = tuple(_taylor_at_root())
    h = (x - _ROOT_HIGH) - _ROOT_LOW  # x - root, with the root's second float
    total = 0.0
    for coefficient in reversed(_ROOT_SERIES):
        total = (total + coefficient) * h
    return total


def polygamma(n: float, x: float) -> float:
    """The n-th derivative of digamma (n = 0, 1, 2, ...), for real x other than 0, -1, ..."""
    order = _order(n)
    if math.isnan(x):
        return x
    if x <= 0 and float(x).is_integer():
        raise ValueError("math domain error")  # a pole
    if x == math.inf:
        return math.inf if order == 0 else 0.0
    if x < 0:
        # Reflection: psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi d^n/dx^n cot(pi x)
        reflected = polygamma(order, 1.0 - x)
        sign = -1.0 if order % 2 else 1.0
        return _finite(sign * reflected - math.pi * _cot_derivative(order, x))
    if order == 0 and abs(x - _ROOT_HIGH) < _NEAR_ROOT:
        return _digamma_near_root(x)
    # psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n!/x^(n+1), until x is large enough;
    # 13 terms of the series at x >= 10 + n leave an error below 1e-20 of the result.
    threshold = 10.0 + order
    terms: list[float] = []
    while x < threshold:
        terms.append(_factorial_over_power(order, x, order + 1))
        x += 1.0
    sign = -1.0 if order % 2 else 1.0
    return _finite(math.fsum([_asymptotic(order, x), *(-sign * t for t in terms)]))


def digamma(x: float) -> float:
    """psi(x) = gamma'(x)/gamma(x), polygamma of order 0."""
    return polygamma(0, x)


# --- Lambert W ---------------------------------------------------------------------------

# e to 40 digits, exact as a fraction, for 1 + e*x near the branch point x = -1/e.
_E = Fraction("2.718281828459045235360287471352662497757")
# The float nearest -1/e lies 3.4e-17 below it; within this, x is the branch point itself.
_BRANCH_SLACK = 1e-16


def lambertw(x: float) -> float:
    """The principal branch W0 of w*e^w = x, for x >= -1/e (W0(-1/e) = -1)."""
    if math.isnan(x) or x == math.inf:
        return x
    if x == 0:
        return x
    if x < -0.25:
        q = float(Fraction(x) * _E + 1)  # 1 + e*x, exactly then rounded once
        if q < -_BRANCH_SLACK:
            raise ValueError("math domain error")
        if q <= 0:
            return -1.0
        p = math.sqrt(2.0 * q)
        # The series at the branch point (Corless et al. 1996, 4.22).
        w = -1.0 + p * (
            1.0 + p * (-1.0 / 3 + p * (11.0 / 72 + p * (-43.0 / 540 + p * (769.0 / 17280))))
        )
        if p < 1e-3:
            return w
    elif x < 3.0:
        w = math.log1p(x)
    else:
        log_x = math.log(x)
        w = log_x - math.log(log_x) + math.log(log_x) / log_x
    if x > 3.0:
        # Newton on w + log(w) - log(x), which never forms e^w.
        log_x = math.log(x)
        for _ in range(50):
            step = (w + math.log(w) - log_x) * w / (w + 1.0)
            w -= step
            if abs(step) <= 1e-16 * abs(w):
                break
        return w
    # Halley on w*e^w - x.
    for _ in range(50):
        e_w = math.exp(w)
        f = w * e_w - x
        denominator = e_w * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0)
        step = f / denominator
        w -= step
        if abs(step) <= 1e-16 * abs(w):
            break
    return w
