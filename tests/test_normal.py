"""The rational normal form and the shortest form (``symdiff/simplify/normal.py``): the short
forms the readability issue asks for, values kept where the original is defined (SymPy and
random points as oracles), idempotence, the budget, and the printed size beside SymPy's
``diff`` on the whole corpus.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

import pytest
import sympy
from corpus import CORPUS, TEXTBOOK
from hypothesis import HealthCheck, example, given, settings
from oracles import Undefined, cancels, symbol, sympy_printed, to_sympy
from strategies import examples, expressions, moderate_constants

import symdiff
from symdiff import DomainError, Expr, count_nodes, derivative, parse, simplify
from symdiff.ir.nodes import constant, make, variable
from symdiff.ir.ops import OPS
from symdiff.simplify import Budget, shortest
from symdiff.simplify import simplify as simplify_with_rules
from symdiff.simplify.normal import collect_largest, common_factors, printed_length


def top_level_terms(expr: Expr) -> int:
    count = 1
    while expr.op.key in ("add", "sub"):
        count += 1
        expr = expr.args[0]
    return count


def _points(expr: Expr, count: int = 20, seed: int = 7) -> Iterator[dict[str, float]]:
    generator = random.Random(seed)
    for _ in range(count):
        yield {name: generator.uniform(-3.0, 3.0) for name in expr.variables}


def _agree(original: Expr, rewritten: Expr, count: int = 20) -> int:
    """Points compared: wherever the original is defined, the rewritten form has its value
    (but where either cancels, when each may be any rounding of a number near 0)."""
    compared = 0
    for point in _points(original, count):
        try:
            value = original.evaluate(point)
        except DomainError:
            continue
        if cancels(original, point) or cancels(rewritten, point):
            continue
        result = rewritten.evaluate(point)
        assert math.isclose(result, value, rel_tol=1e-9, abs_tol=1e-9), (point, value, result)
        compared += 1
    return compared


# --- the short forms of the issue ------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "order", "printed"),
    [
        ("exp(-x^2)", 6, "8*exp(-x^2)*(8*x^6 - 60*x^4 + 90*x^2 - 15)"),
        ("x/(1+x)", 1, "1/(x + 1)^2"),
        ("x*exp(x)", 4, "exp(x)*(x + 4)"),
        ("1/(1 + x^2)", 1, "-2*x/(x^2 + 1)^2"),
        ("sqrt(x)", 3, "3/(8*x^(5/2))"),
        ("erf(x/sqrt(2))", 1, "exp(-x^2/2)*sqrt(2)/sqrt(pi)"),
    ],
)
def test_derivatives_in_their_short_forms(formula: str, order: int, printed: str) -> None:
    assert str(derivative(formula, "x", order)) == printed


def test_the_second_derivative_of_a_quotient_has_at_most_three_terms() -> None:
    # GiNaC's own test calls a result with more than three terms not optimal.
    result = derivative("(1+3*x^2)/(x+x^3)", "x", 2)
    assert top_level_terms(result) <= 3
    x = sympy.Symbol("x", real=True)
    reference = sympy.diff((1 + 3 * x**2) / (x + x**3), x, 2)
    assert sympy.simplify(to_sympy(result) - reference) == 0


def test_the_eighth_derivative_of_tan_is_short_and_right() -> None:
    result = derivative("tan(x)", "x", 8)
    assert len(str(result)) < 200  # it was 2,502 characters
    x = sympy.Symbol("x", real=True)
    reference = sympy.diff(sympy.tan(x), x, 8)
    for value in (-1.2, -0.3, 0.4, 1.1):
        ours = float(to_sympy(result).subs(x, value))
        theirs = float(reference.subs(x, value))
        assert math.isclose(ours, theirs, rel_tol=1e-9)


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("1/(x + 1) - x/(x + 1)^2", "1/(x + 1)^2"),
        ("(x^2 - 1)/(x - 1)", "x + 1"),
        ("(x^3 - x)/(x^2 - 1)", "x"),
        ("(x^2 + 2*x + 1)/(x^2 - 1)", "(x + 1)/(x - 1)"),
        ("(x^3 - 1)/(x^2 - 1)", "(x^3 - 1)/(x^2 - 1)"),  # cancelled, it prints longer
        ("1/x + 1/y", "1/x + 1/y"),  # (x + y)/(x*y) is longer
        ("1/x - 1/(x + 1)", "1/(x^2 + x)"),
        ("(x + 1)^2 - x^2 - 2*x", "1"),
        ("log(x, y)*log(y, x)", "1"),
        ("sqrt(2)*sqrt(2)*x", "2*x"),
        ("x*exp(-x^2) + x^3*exp(-x^2)", "exp(-x^2)*(x + x^3)"),
        ("2^-x*log(2)", "log(2)/2^x"),
        ("(-x)^2 + 0.5^2", "x^2 + 0.25"),
        ("-cosh(-x)", "-cosh(x)"),
    ],
)
def test_simplify_finds_the_short_form(written: str, printed: str) -> None:
    result = simplify(written)
    assert str(result) == printed
    assert _agree(parse(written), result) > 0


# Small enough for SymPy to settle each difference quickly.
CURATED = [
    "1/(x + 1) - x/(x + 1)^2",
    "(x^2 - 1)/(x - 1) - 1",
    "1/(x - 1) - 1/(x + 1)",
    "x/(x + y) + y/(x + y)",
    "(x + y)^3 - x^3",
    "exp(x)/(exp(x) + 1) - 1",
    "sin(x)^2*cos(x) + sin(x)*cos(x)^2",
    "(a + b)*(c - d)/(a*d + b*c)",
    "1/(1/x + 1/y)",
    "x^(3/2)*sqrt(x)",
    "(x^4 - y^4)/(x^2 + y^2)",
    "tan(x)^3 + tan(x)",
]


@pytest.mark.parametrize("text", CURATED)
def test_normal_forms_equal_the_original_for_sympy(text: str) -> None:
    original = parse(text)
    result = simplify(original)
    assert sympy.simplify(to_sympy(result) - to_sympy(original)) == 0


def test_sqrt_x_squared_is_x_only_where_it_was_defined() -> None:
    # Cancelling may only widen the domain: sqrt(x)^2 is x for x >= 0, and undefined below.
    result = simplify("sqrt(x)*sqrt(x)")
    assert str(result) == "x"
    assert _agree(parse("sqrt(x)*sqrt(x)"), result) > 0


# --- values, idempotence, printing --------------------------------------------------------------


def test_corpus_in_shortest_form_keeps_its_value_and_round_trips(subtests: pytest.Subtests) -> None:
    for case in CORPUS:
        with subtests.test(case.text):
            expr = parse(case.text)
            result = simplify(expr)
            assert math.isclose(
                result.evaluate(case.point), expr.evaluate(case.point), rel_tol=1e-9
            )
            assert parse(str(result)) is result
            assert simplify(result) is result
            assert printed_length(result, {}) <= printed_length(simplify_with_rules(expr), {})


@pytest.mark.parametrize(
    ("formula", "order"),
    [(f, o) for f, _, o, _ in TEXTBOOK if o >= 2] + [("exp(-x^2)", 6), ("tan(x)", 8)],
)
def test_higher_derivatives_are_fixed_points_of_simplify(formula: str, order: int) -> None:
    result = derivative(formula, "x", order)
    assert simplify(result) is result
    assert parse(str(result)) is result


@settings(deadline=None, max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow])
@given(expressions(max_leaves=8, constants=moderate_constants()))
# Found by Hypothesis: tanh(...) is 1.0 there, and the numerator multiplied out in powers
# of tanh cancelled only to rounding (-4.3e-8 against 0.0); its factor 1 - tanh^2 is now
# taken out again (test below).
@example(parse("tanh(log(1.689111086112178e-75, x))"))
# Found by Hypothesis: log(1) folds to 0 and 1^(1/2) to 1, numbers that were taken for atoms
# (IndexError when the root of "1" left a denominator); test below.
@example(parse("asec(log(x, 1))"))
# Found by Hypothesis: at y < 0 both terms are about 3e31 and cancel, so each form of the
# second derivative is a rounding of a number near 0 (0.0 in one, -7.8e14 in the other); such
# points are not compared (oracles.cancels).
@example(parse("y/7.093805491170467e-32 + hypot(x, y/7.093805491170467e-32)"))
def test_second_derivatives_of_random_expressions_keep_their_value(expr: Expr) -> None:
    # The shortest form of each order against the rules' own second derivative.
    for name in expr.variables[:1]:
        ours = derivative(expr, name, 2)
        first = symdiff.gradient(expr, [name])[name]
        plain = symdiff.gradient(first, [name])[name]
        _agree(plain, ours, count=6)
        assert simplify(ours) is ours


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("sqrt(1)*x^2", 1, "2*x"),
        ("x^(1/2)*1^(1/3)", 2, "-1/(4*x^(3/2))"),
        ("x^3/sqrt(1)^3", 2, "6*x"),
        ("x*log(2)/log(1 + 1)", 1, "1"),
    ],
)
def test_a_root_or_log_that_folds_to_a_number_is_a_coefficient(
    text: str, order: int, expected: str
) -> None:
    assert str(shortest(derivative(parse(text), "x", order))) == expected


def test_a_derivative_through_a_log_of_base_one_is_still_given() -> None:
    # log(x, 1) is log(x)/0, undefined everywhere: its derivatives are written, not a crash
    second = derivative(parse("asec(log(x, 1))"), "x", 2)
    with pytest.raises(DomainError):
        second.evaluate(x=2.0)


def test_a_sum_written_in_the_derivative_is_taken_out_of_the_numerator_again() -> None:
    # d^2/dx^2 tanh(log(x)): the rules write 1 - tanh(log(x))^2 in each term; the normal
    # form multiplies the terms out, and the sum is found again as a factor: shorter, and
    # 0 exactly where tanh is 1.0 instead of what is left of large terms that cancel.
    second = derivative(parse("tanh(log(x))"), "x", 2)
    assert str(second) == "(2*tanh(log(x)) + 1)*(tanh(log(x))^2 - 1)/x^2"
    x = 1e20  # tanh(log(x)) = 1.0
    assert second.evaluate(x=x) == 0.0
    saturated = derivative(parse("tanh(log(1.689111086112178e-75, x))"), "x", 2)
    assert "tanh(log(1.689111086112178e-75, x))^2 - 1" in str(saturated)
    assert saturated.evaluate(x=0.9056068382391222) == 0.0
    assert _agree(parse("tanh(log(x))").diff("x").diff("x"), second) > 0


def test_printed_length_counts_characters_without_spaces() -> None:
    for text in ("x + 2*y", "sin(x)/(1 + x)^2", "-(a - b)*c", "atan2(y, x)^-2", "pi*e^x"):
        expr = simplify_with_rules(text)
        assert printed_length(expr, {}) == len(str(expr).replace(" ", ""))


def test_common_factors_come_out_of_a_sum_as_written() -> None:
    expr = simplify_with_rules("a*b*(1 - t^2)*c + a*d*(1 - t^2)")
    factored = common_factors(expr)
    assert factored is not None
    assert str(factored) == "a*(1 - t^2)*(b*c + d)"
    assert common_factors(simplify_with_rules("x + y")) is None


def test_the_factor_that_saves_most_is_collected_first() -> None:
    long = "tanh(b + w*tanh(c + v*x))"
    text = f"u*(p*(1 - {long}^2) + q*s)*r + z*(p*(1 - {long}^2) + q*s)*k"
    expr = simplify_with_rules(text)
    collected = collect_largest(expr, {})
    assert collected is not None
    assert str(collected).count(long) == 1
    assert _agree(expr, collected) > 0


# --- the budget -------------------------------------------------------------------------------


def test_a_product_of_many_sums_is_not_expanded() -> None:
    # 2^30 terms multiplied out: past the term budget, the product stays as written.
    text = "*".join(f"(x{i} + 1)" for i in range(30))
    assert simplify(text) is simplify_with_rules(text)


def test_a_graph_past_the_node_budget_is_kept_as_it_is() -> None:
    expr = variable("x")
    for k in range(3000):
        expr = make(OPS["add"], (make(OPS["mul"], (constant(k + 1), expr)), constant(1)))
    rules = simplify_with_rules(expr)
    assert shortest(rules) is rules


@pytest.mark.slow
def test_a_deep_expression_needs_no_recursion() -> None:
    expr = variable("x")
    for _ in range(100_000):
        expr = make(OPS["sin"], (expr,))
    assert shortest(expr) is expr


def test_a_small_budget_keeps_values_and_never_grows_the_text() -> None:
    tight = Budget(nodes=2_000, terms=4, degree=3, steps=50)
    for text in ("(x + 1)^5/(x - 1)^2 + 1/(x + 2)", "exp(-x^2)*(x^3 + 2*x) - x*exp(-x^2)"):
        rules = simplify_with_rules(text)
        result = shortest(rules, tight)
        assert printed_length(result, {}) <= printed_length(rules, {})
        assert _agree(rules, result) > 0


def test_huge_derivatives_are_written_as_the_rules_build_them() -> None:
    # A graph that shares much prints far beyond any reader (u = sin(u)*cos(u) + u, twelve
    # times): no normal form is searched, so the cost stays linear in the graph.
    u = variable("x")
    for _ in range(12):
        sin_u, cos_u = make(OPS["sin"], (u,)), make(OPS["cos"], (u,))
        u = make(OPS["add"], (make(OPS["mul"], (sin_u, cos_u)), u))
    result = derivative(u, "x")
    assert printed_length(result, {}) > Budget().length
    assert result is symdiff.gradient(u)["x"]
    assert count_nodes(result) < 20 * count_nodes(u)


# --- the size beside SymPy's diff on the corpus ------------------------------------------------


# Where SymPy is shorter by rewriting x^(y - 1) as x^y/x, which is undefined at x = 0 where
# the original is defined: a rewrite our rules may not make.
NARROWS_THE_DOMAIN = {"(x^y)^z"}


def test_derivatives_print_no_longer_than_sympys_on_95_percent_of_the_corpus() -> None:
    ratios: list[tuple[float, str]] = []
    for case in CORPUS:
        expr = parse(case.text)
        for name in expr.variables:
            try:
                theirs = len(sympy_printed(sympy.diff(to_sympy(expr, 15), symbol(name))))
            except Undefined:
                continue
            ours = len(str(derivative(expr, name)).replace(" ", ""))
            ratios.append((ours / max(1, theirs), case.text))
    share = sum(ratio <= 1 for ratio, _ in ratios) / len(ratios)
    assert share >= 0.95, sorted(ratios, reverse=True)[:20]
    worst = max(ratio for ratio, text in ratios if text not in NARROWS_THE_DOMAIN)
    assert worst <= 1.5
