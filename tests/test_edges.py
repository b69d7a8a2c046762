"""Edge values (``numeric/wide.py`` and policy 3 of ``diff/algebra.py``): an overflow in
between that cancels gives the finite answer, checked against SymPy at 40 digits; an
answer beyond the float range is an error; no finite answer is silently wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from oracles import (
    SympyGradient,
    Undefined,
    gradients_both_ways,
    hazards,
    sensitivity,
    values_both_ways,
)
from strategies import VARIABLE_NAMES, examples, expressions

import symdiff
from symdiff import DomainError, Expr
from symdiff.ir.ops import OPS
from symdiff.numeric.wide import WIDE


def close(ours: float, reference: float, scale: float) -> bool:
    """Relative agreement, or agreement to rounding noise of the terms that cancelled."""
    return math.isclose(ours, reference, rel_tol=1e-9, abs_tol=1e-12 * scale)


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("atan(x)", {"x": 1e155}),
        ("asinh(x)", {"x": 1e200}),
        ("1/(1 + exp(-x))", {"x": -800.0}),
        ("log(1 + exp(x))", {"x": 800.0}),
        ("x*y/(x*x)*x", {"x": 1e200, "y": 1.0}),
        ("x*x/(x*x + 1)", {"x": 1e200}),
        ("sqrt(x*x + y*y)", {"x": 3e200, "y": 4e200}),
    ],
)
def test_an_overflow_that_cancels_gives_the_finite_answer(
    text: str, point: dict[str, float]
) -> None:
    expr = symdiff.parse(text)
    reference = SympyGradient(expr)
    expected_value = reference.value_at(point)
    expected = reference.partials_at(point)
    for gradient in gradients_both_ways(expr, point):
        assert close(gradient.value, expected_value, 1.0), (gradient.value, expected_value)
        for name, partial in gradient.items():
            assert close(partial, expected[name], 1e-200), (name, partial, expected[name])
    for value in values_both_ways(expr, point):
        assert close(value, expected_value, 1.0)


def test_the_silent_wrong_answer_of_the_issue_is_one_and_one() -> None:
    expr = symdiff.parse("x*y/(x*x)*x")
    for gradient in gradients_both_ways(expr, {"x": 1e200, "y": 1.0}):
        assert gradient.value == 1.0
        assert gradient["y"] == 1.0


def test_the_derivatives_of_the_issue_are_tiny_but_not_zero() -> None:
    assert 0 < symdiff.differentiate("atan(x)", x=1e155)["x"] <= 1.1e-310
    assert symdiff.differentiate("asinh(x)", x=1e200)["x"] == pytest.approx(1e-200)
    assert symdiff.differentiate("log(1 + exp(x))", x=800.0)["x"] == 1.0


@pytest.mark.parametrize(
    ("text", "point"),
    [("exp(x)", {"x": 1000.0}), ("x^2", {"x": 1e200}), ("x*x*y", {"x": 1e200, "y": 1.0})],
)
def test_an_answer_beyond_the_float_range_is_an_error_on_every_call(
    text: str, point: dict[str, float]
) -> None:
    expr = symdiff.parse(text)
    for _ in range(3):
        with pytest.raises(DomainError, match="too large"):
            symdiff.differentiate(expr, point)
        with pytest.raises(DomainError, match="too large"):
            expr.evaluate(point)


def test_a_derivative_beyond_the_float_range_is_an_error() -> None:
    with pytest.raises(DomainError, match="derivative with respect to x is not finite"):
        symdiff.differentiate("1/x", x=1e-200)


def test_the_wide_table_covers_every_op() -> None:
    assert set(WIDE) == set(OPS)


# --- no silent wrong answers at extreme points ---------------------------------------------


def extreme() -> st.SearchStrategy[float]:
    magnitude = st.floats(150, 300).map(lambda e: 10.0**e) | st.floats(-300, -150).map(
        lambda e: 10.0**e
    )
    return st.tuples(magnitude, st.sampled_from([1.0, -1.0])).map(lambda p: p[0] * p[1])


def extreme_points() -> st.SearchStrategy[Mapping[str, float]]:
    coordinate = extreme() | st.sampled_from([0.5, 2.0, -1.5])
    return st.fixed_dictionaries({name: coordinate for name in VARIABLE_NAMES})


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), extreme_points())
# Cancellation of equal inputs: 1, where SymPy's 15-digit floats give 0 (the sensitivity to
# the inputs tells such points apart).
@example(symdiff.parse("1 + (x - y)"), dict.fromkeys(VARIABLE_NAMES, 1e150))
# A function at its zero: the rounding of pi decides (a hazard).
@example(symdiff.parse("sinc(pi)"), dict.fromkeys(VARIABLE_NAMES, 0.5))
def test_every_finite_value_we_return_agrees_with_sympy(
    expr: Expr, point: Mapping[str, float]
) -> None:
    try:
        value = expr.evaluate(point)
    except DomainError:
        return
    try:
        expected = SympyGradient(expr).value_at(point)
        # Where floats rightly differ from exact arithmetic (sin of 1e101, kinks), or
        # the float pass itself overflows, conditioning cannot be measured: skip.
        if hazards(expr, point) or sensitivity(expr, point) > 1e-7:
            return
    except (Undefined, ArithmeticError, DomainError):
        return
    # Underflow is IEEE's (gradual, then 0), so values below the normal range compare
    # absolutely; everything else relatively.
    assume(abs(expected) > 1e-290 or abs(value) > 1e-290)
    assert math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-280), (value, expected)


# --- exact constants (policy 5) -------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["(2^100 + 1) - 2^100", "10^400/10^399", "2^2000/2^1999 - 3^50/3^49", "(3/7)*7"]
)
def test_exact_constants_evaluate_as_they_simplify(text: str) -> None:
    expr = symdiff.parse(text)
    expected = float(symdiff.simplify(expr).evaluate())
    for value in values_both_ways(expr, {}):
        assert value == expected
    with_x = symdiff.parse(f"x*({text})")
    for gradient in gradients_both_ways(with_x, {"x": 2.0}):
        assert gradient["x"] == expected
        assert gradient.value == 2 * expected


def test_an_exact_constant_past_the_bound_is_a_float_again() -> None:
    expr = symdiff.parse("(2^100 + 1) - 2^100")
    with symdiff.limits(integer_bits=64):
        expr._plan = None  # generated code keeps the constants it folded
        assert expr.evaluate() == 0.0
    expr._plan = None
    with pytest.raises(DomainError, match="too large"):
        symdiff.parse("2^2000").evaluate()
