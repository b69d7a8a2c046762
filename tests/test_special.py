"""The float special functions of ``symdiff/ir/special.py`` against mpmath at 40 digits.

Relative accuracy is checked where the function is well conditioned; near a zero of the
function (digamma at 1.4616..., a polygamma of even order between poles) the error is
measured against the size of the terms that cancel there, as any float method must allow.
"""

from __future__ import annotations

import math
import random

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

from symdiff.ir import special

mpmath.mp.dps = 40

# Points over many scales: uniform on [-30, 30], dense on [-3, 3], and logarithmic.
_RANDOM = random.Random(11)
_POINTS = sorted(
    [_RANDOM.uniform(-30, 30) for _ in range(150)]
    + [_RANDOM.uniform(-3, 3) for _ in range(150)]
    + [10 ** _RANDOM.uniform(-12, 12) for _ in range(100)]
    + [10 ** _RANDOM.uniform(-300, 300) for _ in range(30)]
)


def _relative(got: float, reference: mpmath.mpf) -> float:
    return float(abs(got - reference) / max(abs(reference), mpmath.mpf("1e-300")))


def _poles_away(x: float) -> bool:
    return x > 0 or abs(x - round(x)) > 1e-6


@pytest.mark.parametrize("n", range(6))
def test_polygamma_matches_mpmath(n: int) -> None:
    worst = 0.0
    for x in filter(_poles_away, _POINTS):
        try:
            got = special.polygamma(n, x)
        except OverflowError:
            assert abs(mpmath.polygamma(n, x)) > 1e300
            continue
        reference = mpmath.polygamma(n, x)
        # Near a zero, cancellation: measure against the scale of the reflected terms.
        scale = max(abs(reference), abs(mpmath.polygamma(n, 1 - x)) if x < 0 else 0, 1e-300)
        if n == 0 and x > 0:
            scale = max(scale, abs(mpmath.log(x)) + 1 / x)
        error = float(abs(got - reference) / scale)
        worst = max(worst, error)
    assert worst < 1e-13


def test_digamma_is_polygamma_of_order_zero() -> None:
    for x in (-2.5, 0.3, 1.0, 7.25, 1e10):
        assert special.digamma(x) == special.polygamma(0, x)
    assert special.digamma(1.0) == pytest.approx(-0.5772156649015329, rel=1e-15)


@pytest.mark.parametrize("x", [0.0, -0.0, -1.0, -2.0, -50.0, -1e20])
@pytest.mark.parametrize("n", [0, 1, 4])
def test_polygamma_has_poles_at_zero_and_the_negative_integers(x: float, n: int) -> None:
    with pytest.raises(ValueError):
        special.polygamma(n, x)


@pytest.mark.parametrize("n", [-1, 0.5, 2.25, 1e9, math.nan])
def test_polygamma_order_is_a_whole_number(n: float) -> None:
    with pytest.raises(ValueError):
        special.polygamma(n, 2.0)


def test_polygamma_beyond_the_float_range_overflows() -> None:
    with pytest.raises(OverflowError):
        special.polygamma(170, 0.01)


@given(st.floats(min_value=0.01, max_value=1e6))
def test_polygamma_recurrence(x: float) -> None:
    # psi'(x) = psi'(x + 1) + 1/x^2, a sum of positive terms (no cancellation)
    assert special.polygamma(1, x) == pytest.approx(
        special.polygamma(1, x + 1) + 1 / x**2, rel=1e-13
    )


# --- Lambert W -----------------------------------------------------------------------------

_BRANCH = -1 / math.e


def _lambertw_points() -> list[float]:
    near_branch = [_BRANCH + 10.0**-k for k in range(1, 17)]
    return [*near_branch, *(x for x in _POINTS if x >= _BRANCH), 1e308, 5e-324, -5e-324]


def test_lambertw_matches_mpmath() -> None:
    worst = 0.0
    for x in _lambertw_points():
        reference = mpmath.lambertw(x)
        assert reference.imag == 0, x
        worst = max(worst, _relative(special.lambertw(x), reference.real))
    assert worst < 2e-14


def test_lambertw_solves_its_equation() -> None:
    for x in (0.5, 1.0, math.e, 10.0, 1e5):
        w = special.lambertw(x)
        # An error d in w is (1 + w)*d in w*e^w.
        assert w * math.exp(w) == pytest.approx(x, rel=(1 + w) * 4e-16)
    assert special.lambertw(math.e) == 1.0
    assert special.lambertw(0.0) == 0.0


def test_lambertw_at_and_below_the_branch_point() -> None:
    # The float nearest -1/e lies just below it; it is the branch point, where W = -1.
    assert special.lambertw(-math.exp(-1)) == -1.0
    assert special.lambertw(_BRANCH) == -1.0
    for x in (-0.3679, -0.5, -1.0, -1e300):
        with pytest.raises(ValueError):
            special.lambertw(x)


# --- roots, sinc, step, reciprocal functions -----------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "expected"),
    [(27.0, 3, 3.0), (-27.0, 3, -3.0), (-32.0, 5, -2.0), (16.0, 4, 2.0), (1e300, 100, 1e3),
     (0.0, 7, 0.0), (4.0, -2, 0.5), (-8.0, -3, -0.5), (2.0, 1, 2.0), (-2.0, 1, -2.0)],
)  # fmt: skip
def test_root_is_exact_on_perfect_powers(x: float, n: float, expected: float) -> None:
    assert special.root(x, n) == expected


def test_root_matches_mpmath() -> None:
    for x in filter(lambda x: x > 0, _POINTS):
        for n in (2, 3, 7, 2.5, 0.5, -3):
            reference = mpmath.power(x, mpmath.mpf(1) / n)
            if abs(reference) > 1e308 or abs(reference) < 1e-300:
                continue
            assert _relative(special.root(x, n), reference) < 4e-16 * max(1, abs(math.log(x)))
            if float(n).is_integer() and n % 2 == 1:
                assert special.root(-x, n) == -special.root(x, n)


@pytest.mark.parametrize(("x", "n"), [(-8.0, 2), (-8.0, 2.5), (-1.0, 4), (1.0, 0), (-1.0, 0.0)])
def test_root_domain(x: float, n: float) -> None:
    with pytest.raises(ValueError):
        special.root(x, n)


def test_root_of_zero_to_a_negative_index_divides_by_zero() -> None:
    with pytest.raises(ZeroDivisionError):
        special.root(0.0, -2)


def test_sinc_and_heaviside_at_zero() -> None:
    assert special.sinc(0.0) == 1.0
    assert special.sinc(5e-324) == 1.0
    assert special.heaviside(0.0) == special.heaviside(-0.0) == 0.5
    assert (special.heaviside(-1e-300), special.heaviside(1e-300)) == (0.0, 1.0)


_RECIPROCALS = {
    "sech": (special.sech, mpmath.sech),
    "csch": (special.csch, mpmath.csch),
    "coth": (special.coth, mpmath.coth),
    "asec": (special.asec, mpmath.asec),
    "acsc": (special.acsc, mpmath.acsc),
    "acot": (special.acot, mpmath.acot),
    "asech": (special.asech, mpmath.asech),
    "acsch": (special.acsch, mpmath.acsch),
    "acoth": (special.acoth, mpmath.acoth),
    "sinc": (special.sinc, mpmath.sinc),
    "exp2": (special.exp2, lambda x: mpmath.power(2, x)),
}


@pytest.mark.parametrize("name", _RECIPROCALS)
def test_float_functions_match_mpmath(name: str) -> None:
    ours, reference = _RECIPROCALS[name]
    checked = 0
    for x in [*_POINTS, *(-x for x in _POINTS), 1e-310, -1e-310, 1.0, -1.0, 700.0, 750.0]:
        try:
            got = ours(x)
        except (ValueError, ZeroDivisionError):
            value = reference(x) if x != 0 else mpmath.inf
            # Outside the domain: complex or infinite for mpmath too.
            assert not (isinstance(value, mpmath.mpf) and mpmath.isfinite(value)), (name, x)
            continue
        except OverflowError:
            assert abs(reference(x)) > 1e307, (name, x)
            continue
        value = reference(x)
        assert isinstance(value, mpmath.mpf), (name, x, value)
        if abs(value) < 1e-307:
            assert abs(got) < 1e-300, (name, x)
            continue
        assert _relative(got, value) < 4e-16 * max(1.0, abs(x) if name == "exp2" else 1.0), (
            name,
            x,
        )
        checked += 1
    assert checked > 40


@pytest.mark.parametrize("x", [-0.5, -1.5, -2.5, -10.5, -0.25, -3.75])
@pytest.mark.parametrize("n", range(5))
def test_polygamma_reflection_at_quarter_and_half_integers(x: float, n: int) -> None:
    # cot(pi x) is exactly 0 at the half-integers, where the reflection must add nothing.
    assert _relative(special.polygamma(n, x), mpmath.polygamma(n, x)) < 4e-15


def test_digamma_keeps_its_relative_accuracy_at_its_positive_zero() -> None:
    root = mpmath.findroot(mpmath.digamma, 1.46)
    for offset in (0.0, 1e-15, -1e-12, 1e-9, -1e-6, 1e-3, 0.1, -0.2, 0.24, 0.3):
        x = float(root) + offset
        reference = mpmath.digamma(x)
        assert _relative(special.digamma(x), reference) < 4e-15, offset
    assert abs(special.digamma(float(root))) < 1e-16
