"""The edge-value conventions: one answer for the value, the numeric derivative on its
first and later calls, and the symbolic derivative evaluated."""

from __future__ import annotations

import pytest

import symdiff

# (formula, point, value, partials): each documented in the README's table of conventions.
CONVENTIONS = [
    # x^0 is 1 for every x, 0^0 included: its derivative is 0.
    ("x^0", {"x": 0.0}, 1.0, {"x": 0.0}),
    ("pow(x, 0.0)", {"x": 0.0}, 1.0, {"x": 0.0}),
    # 0^y is 0 for every y > 0: its derivative is 0.
    ("0^y", {"y": 2.0}, 0.0, {"y": 0.0}),
    ("pow(0.0, y)", {"y": 3.0}, 0.0, {"y": 0.0}),
    ("0^(2^x + x^3 + 2)", {"x": 1.0}, 0.0, {"x": 0.0}),
    ("x^y", {"x": 0.0, "y": 2.0}, 0.0, {"x": 0.0, "y": 0.0}),
    ("x^y", {"x": 0.0, "y": 1.0}, 0.0, {"x": 1.0, "y": 0.0}),
    ("x^y", {"x": 0.0, "y": 0.0}, 1.0, {"x": 0.0, "y": 0.0}),
    # A negative base with an integer exponent is an ordinary power.
    ("x^3", {"x": -2.0}, -8.0, {"x": 12.0}),
    ("x^-2", {"x": -2.0}, 0.25, {"x": 0.25}),
]


@pytest.mark.parametrize(("formula", "point", "value", "partials"), CONVENTIONS)
def test_every_path_gives_the_convention(
    formula: str, point: dict[str, float], value: float, partials: dict[str, float]
) -> None:
    expr = symdiff.parse(formula)
    for _ in range(3):  # the interpreter first, then generated code
        g = symdiff.differentiate(expr, point)
        assert (g.value, dict(g)) == (value, partials)
        assert expr.evaluate(point) == value
    # The symbolic derivative is a formula, valid where its pieces are: x^y*log(x) has no
    # value at x = 0, where the numeric sweep applies the convention. Where it has a value,
    # it is the same.
    gradient = symdiff.gradient(expr, list(partials))
    for name, partial in partials.items():
        try:
            symbolic = gradient[name].evaluate(point)
        except symdiff.DomainError:
            assert formula.startswith("x^"), (name, gradient[name])
        else:
            assert symbolic == partial, name


@pytest.mark.parametrize("formula", ["0^y", "0^(2^y + y^3 + 2)", "0^(y^2 + 1)"])
def test_a_zero_base_has_derivative_zero_symbolically(formula: str) -> None:
    assert symdiff.derivative(formula, "y") is symdiff.parse("0")


@pytest.mark.parametrize(
    ("formula", "point", "message"),
    [
        ("x^-1", {"x": 0.0}, "x^-1 divides by zero at x = 0.0"),
        ("x^-0.5", {"x": 0.0}, "x^-0.5 divides by zero at x = 0.0"),
        ("x^0.5", {"x": 0.0}, "x^0.5 has no derivative with respect to x at x = 0.0"),
        ("(-2)^y", {"y": 3.0}, "(-2)^y has no derivative with respect to y at y = 3.0"),
        ("x^0.5", {"x": -1.0}, "x^0.5 is undefined at x = -1.0"),
    ],
)
def test_powers_without_an_answer_say_why(
    formula: str, point: dict[str, float], message: str
) -> None:
    expr = symdiff.parse(formula)
    for _ in range(3):
        with pytest.raises(symdiff.DomainError) as caught:
            symdiff.differentiate(expr, point)
        assert str(caught.value).startswith(message)
