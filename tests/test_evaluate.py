"""Numbers: values, the plan and its compiled code, and errors that name the subexpression.

The first call on an expression runs the checked interpreter and later calls run compiled
code; every test here looks at both, and at the value path (``Expr.evaluate``) as well as
the gradient path (``differentiate``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping

import pytest
from corpus import CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import SympyGradient, values_both_ways
from strategies import (
    VARIABLE_NAMES,
    coordinates,
    examples,
    expressions,
    points,
)

import symdiff
import symdiff.numeric.evaluate
from symdiff import DomainError, Expr, Gradient
from symdiff.ir.graph import topological_order
from symdiff.numeric.evaluate import (
    LARGE_GRAPH,
    LARGE_GRAPH_USES,
    interpret_gradient,
    interpret_value,
    plan,
)

# --- values ------------------------------------------------------------------------------


def test_values_match_sympy_both_ways(subtests: pytest.Subtests) -> None:
    for case in CORPUS:
        with subtests.test(case.text):
            expr = symdiff.parse(case.text)
            reference = SympyGradient(expr).value_at(case.point)
            for value in values_both_ways(expr, case.point):
                assert math.isclose(value, reference, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2*pi", 2 * math.pi),
        ("π", math.pi),
        ("e", math.e),
        ("e^2", math.e**2),
        ("7/2", 3.5),
        ("2^-1", 0.5),
        ("-2^2", -4.0),
        ("2^3^2", 512.0),
        ("log(8, 2)", 3.0),
    ],
)
def test_constant_formulas(text: str, value: float) -> None:
    expr = symdiff.parse(text)
    assert values_both_ways(expr, {}) == (value, value)
    gradient = symdiff.differentiate(expr)
    assert gradient.value == value
    assert dict(gradient) == {}


def test_later_evaluations_run_the_compiled_code(monkeypatch: pytest.MonkeyPatch) -> None:
    expr = symdiff.parse("x^2*y + sin(x*y)")
    interpreted, compiled = values_both_ways(expr, {"x": 1.5, "y": -2.0})
    assert interpreted == compiled == 1.5**2 * -2.0 + math.sin(-3.0)

    def interpreter_ran(*args: object) -> None:
        raise AssertionError("the interpreter ran although compiled code exists")

    monkeypatch.setattr(symdiff.numeric.evaluate, "forward", interpreter_ran)
    assert expr.evaluate(x=1.5, y=-2.0) == interpreted
    assert expr.evaluate(x=0.5, y=4.0) == 0.5**2 * 4.0 + math.sin(2.0)


def test_the_plan_is_made_once_and_lists_variables_in_order_of_appearance() -> None:
    expr = symdiff.parse("y*x + z*y + sin(x)")
    assert plan(expr) is plan(expr)
    assert plan(expr).variables == expr.variables == ("y", "x", "z")
    assert plan(expr).order == topological_order([expr])


def test_a_large_graph_is_compiled_once_used_often_and_agrees_with_the_interpreter() -> None:
    n = 1000  # sin(x1*x2) + sin(x2*x3) + ...: 4,000 nodes
    names = [f"x{i}" for i in range(1, n + 2)]
    expr = symdiff.parse("+".join(f"sin({a}*{b})" for a, b in itertools.pairwise(names)))
    p = plan(expr)
    assert len(p.body) >= LARGE_GRAPH
    points = [{name: 0.001 * i + 0.1 * k for i, name in enumerate(names)} for k in range(3)]
    expected = [
        (interpret_gradient(p, list(point.values())), interpret_value(p, list(point.values())))
        for point in points
    ]
    for use in range(LARGE_GRAPH_USES):
        for point, (gradient, value) in zip(points, expected, strict=True):
            answer = symdiff.differentiate(expr, point)
            assert (answer.value, *answer.values()) == gradient
            assert expr.evaluate(point) == value
        if use == 0:
            assert p.gradient_code is None  # not on the second use, as a small graph would be
    assert p.gradient_code is not None and p.value_code is not None
    x = list(points[1].values())
    gradient, value = expected[1]
    assert math.isclose(value, math.fsum(math.sin(a * b) for a, b in itertools.pairwise(x)))
    # d/dx_i = x_(i-1) cos(x_(i-1) x_i) + x_(i+1) cos(x_i x_(i+1))
    assert math.isclose(gradient[2], x[0] * math.cos(x[0] * x[1]) + x[2] * math.cos(x[1] * x[2]))


def test_each_program_waits_for_its_own_uses() -> None:
    # Gradients used often enough to be compiled do not make the first value asked for
    # compile the value too: that call would cost what LARGE_GRAPH_USES interpreted ones do.
    names = [f"x{i}" for i in range(1, 1002)]
    expr = symdiff.parse("+".join(f"cos({a}*{b})" for a, b in itertools.pairwise(names)))
    p = plan(expr)  # a graph no other test uses: its plan is new
    assert p.gradient_code is None and p.value_code is None
    point = {name: 0.001 * i for i, name in enumerate(names)}
    for _ in range(LARGE_GRAPH_USES):
        symdiff.differentiate(expr, point)
    assert p.gradient_code is not None
    value = expr.evaluate(point)
    assert p.value_code is None
    assert value == interpret_value(p, list(point.values()))
    for _ in range(LARGE_GRAPH_USES - 1):
        assert expr.evaluate(point) == value
    assert p.value_code is not None


def test_names_the_expression_does_not_use_are_allowed() -> None:
    expr = symdiff.parse("x*2")
    for value in values_both_ways(expr, {"x": 1.5, "unused": 7.0}):
        assert value == 3.0
    assert expr.evaluate({"x": 1.5}, y=2, z=3) == 3.0


# --- domain errors --------------------------------------------------------------------------

# (formula, point, the subexpression named, text the message must show: the offending value)
VALUE_ERRORS = [
    ("log(x)", {"x": -1.0}, "log(x)", "x = -1.0"),
    ("1/x", {"x": 0.0}, "1/x", "divides by zero"),
    ("sqrt(x)", {"x": -4.0}, "sqrt(x)", "x = -4.0"),
    ("x^0.5", {"x": -1.0}, "x^0.5", "x = -1.0"),
    ("exp(x)", {"x": 1000.0}, "exp(x)", "too large"),
    ("asin(2*x)", {"x": 1.0}, "asin(2*x)", "2*x = 2.0"),
    ("acosh(x)", {"x": 0.5}, "acosh(x)", "x = 0.5"),
    ("acosh(0.5)", {}, "acosh(0.5)", "acosh(0.5)"),
    ("atanh(x)", {"x": 1.0}, "atanh(x)", "x = 1.0"),
    ("atanh(1)", {}, "atanh(1)", "atanh(1)"),
    ("log(x, 1)", {"x": 2.0}, "log(x, 1)", "x = 2.0"),
    ("log(x, b)", {"x": 2.0, "b": 1.0}, "log(x, b)", "b = 1.0"),
    ("x^0.5 + log(x - 3)", {"x": 2.0}, "log(x - 3)", "x - 3 = -1.0"),
    ("sin(x)/(x - y)", {"x": 2.0, "y": 2.0}, "sin(x)/(x - y)", "x - y = 0.0"),
    ("csc(x)", {"x": 0.0}, "csc(x)", "x = 0.0"),
    ("x^y", {"x": 0.0, "y": -1.0}, "x^y", "y = -1.0"),
    ("cosh(x)*2", {"x": 800.0}, "cosh(x)", "too large"),
    ("x*y", {"x": 1e200, "y": 1e200}, "x*y", "too large"),
    ("x^1000", {"x": 10.0}, "x^1000", "too large"),
    ("(0 - 8)^(1/3)", {}, "(0 - 8)^(1/3)", "0 - 8 = -8.0"),
]

# The value exists, the derivative does not.
DERIVATIVE_ERRORS = [
    ("sqrt(x)", {"x": 0.0}, "sqrt(x)", "with respect to x"),
    ("x^0.5", {"x": 0.0}, "x^0.5", "with respect to x"),
    ("cbrt(x)", {"x": 0.0}, "cbrt(x)", "with respect to x"),
    ("acos(x)", {"x": 1.0}, "acos(x)", "with respect to x"),
    ("asin(x)", {"x": -1.0}, "asin(x)", "with respect to x"),
    ("hypot(x, y)", {"x": 0.0, "y": 0.0}, "hypot(x, y)", "with respect to x"),
    ("atan2(y, x)", {"x": 0.0, "y": 0.0}, "atan2(y, x)", "with respect to y"),
    ("x^y", {"x": -2.0, "y": 3.0}, "x^y", "with respect to y"),
    ("sqrt(x^2)", {"x": 0.0}, "sqrt(x^2)", "with respect to x^2"),
]


def check_domain_error(
    error: DomainError, subexpression: str, point: Mapping[str, float], shown: str
) -> None:
    assert isinstance(error, symdiff.SymdiffError)
    assert isinstance(error, ValueError)
    assert error.subexpression == subexpression
    assert error.point == point
    message = str(error)
    assert subexpression in message
    assert shown in message
    for name, value in point.items():
        assert f"{name} = {value!r}" in message


def raised(call: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as error:
        call()
    return error.value


@pytest.mark.parametrize(("text", "point", "subexpression", "shown"), VALUE_ERRORS)
def test_value_errors_name_the_subexpression_on_every_call(
    text: str, point: dict[str, float], subexpression: str, shown: str
) -> None:
    expr = symdiff.parse(text)
    expr._plan = None
    for _ in range(3):  # the interpreter, then compiled code that fails and falls back
        error = raised(lambda: symdiff.differentiate(expr, point))
        check_domain_error(error, subexpression, point, shown)
    assert plan(expr).gradient_code is not None
    expr._plan = None
    for _ in range(3):
        check_domain_error(raised(lambda: expr.evaluate(point)), subexpression, point, shown)
    assert plan(expr).value_code is not None


@pytest.mark.parametrize(("text", "point", "subexpression", "shown"), DERIVATIVE_ERRORS)
def test_derivative_errors_name_the_subexpression_on_every_call(
    text: str, point: dict[str, float], subexpression: str, shown: str
) -> None:
    expr = symdiff.parse(text)
    expr._plan = None
    for _ in range(3):
        error = raised(lambda: symdiff.differentiate(expr, point))
        check_domain_error(error, subexpression, point, shown)
        assert "no derivative" in str(error)
    assert math.isfinite(expr.evaluate(point))


def test_the_readme_example() -> None:
    expr = symdiff.parse("x^0.5 + log(x - 3)")
    error = raised(lambda: symdiff.differentiate(expr, x=2))
    assert str(error) == (
        "log(x - 3) is undefined where x - 3 = -1.0 at x = 2.0 (log needs a positive argument)"
    )


# --- only our errors, and the same answer on every call --------------------------------------


def extreme_points() -> st.SearchStrategy[Mapping[str, float]]:
    anything = st.floats(allow_nan=False, allow_infinity=False)
    return st.fixed_dictionaries({name: coordinates() | anything for name in VARIABLE_NAMES})


Outcome = tuple[str, object]


def outcome(call: Callable[[], float | Gradient]) -> Outcome:
    """What a call gave, comparable across calls: the numbers, or the error's message."""
    try:
        result = call()
    except DomainError as error:
        return ("error", str(error))
    if isinstance(result, Gradient):
        return ("gradient", (result.value, dict(result)))
    return ("value", result)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), extreme_points())
def test_nothing_but_domain_errors_escape(expr: Expr, point: Mapping[str, float]) -> None:
    # No ZeroDivisionError, OverflowError, math's ValueError or RecursionError: an error
    # is a DomainError naming one of the expression's own subexpressions.
    printed = {str(node) for node in topological_order([expr])}
    for reset in (True, False):
        if reset:
            expr._plan = None
        for call in (
            lambda: symdiff.differentiate(expr, point),
            lambda: symdiff.differentiate(expr, point),
            lambda: expr.evaluate(point),
            lambda: symdiff.differentiate(expr, point),
            lambda: expr.evaluate(point),
        ):
            try:
                call()
            except DomainError as error:
                assert error.subexpression in printed
                assert error.point == {name: point[name] for name in expr.variables}


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), points(bound=10.0))
def test_interpreter_and_compiled_code_give_the_same_answers(
    expr: Expr, point: Mapping[str, float]
) -> None:
    expr._plan = None
    gradients = [outcome(lambda: symdiff.differentiate(expr, point)) for _ in range(3)]
    expr._plan = None
    values = [outcome(lambda: expr.evaluate(point)) for _ in range(3)]
    assert gradients[1:] == gradients[:-1], gradients
    assert values[1:] == values[:-1], values
    kind, result = gradients[0]
    if kind == "gradient":
        assert values[0] == ("value", result[0])  # type: ignore[index]


# --- the numeric policy (diff/algebra.py; more in test_policy.py) ------------------------------


@pytest.mark.parametrize("text", ["atan(x*x)", "exp(-x*x)", "1/(x*x)", "tanh(x*x)", "min(x*x, 1)"])
def test_an_overflow_on_the_way_is_the_same_answer_on_every_call(text: str) -> None:
    # x*x is inf at 1e200; IEEE carries it on to a finite value (policy 3).
    expr = symdiff.parse(text)
    point = {"x": 1e200}
    expr._plan = None
    gradients = [outcome(lambda: symdiff.differentiate(expr, point)) for _ in range(3)]
    expr._plan = None
    values = [outcome(lambda: expr.evaluate(point)) for _ in range(3)]
    assert len({repr(o) for o in gradients}) == 1, gradients
    assert len({repr(o) for o in values}) == 1, values


def test_max_of_far_apart_arguments_has_a_derivative() -> None:
    expr = symdiff.parse("max(x, y)")
    expr._plan = None
    for _ in range(2):
        gradient = symdiff.differentiate(expr, x=1e308, y=-1e308)
        assert dict(gradient) == {"x": 1.0, "y": 0.0}


def test_an_integer_too_large_for_a_float_is_a_domain_error_on_every_call() -> None:
    expr = symdiff.parse("x + 1" + "0" * 400)
    expr._plan = None
    for _ in range(3):
        error = raised(lambda: symdiff.differentiate(expr, x=1.0))
        assert "too large" in str(error)
    expr._plan = None
    for _ in range(3):
        assert "too large" in str(raised(lambda: expr.evaluate(x=1.0)))
