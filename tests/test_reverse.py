"""The reverse sweep: every partial derivative, checked against SymPy and finite differences.

Each check runs both numeric paths: the first call on an expression runs the checked
interpreter, later calls the compiled straight-line code (``oracles.gradients_both_ways``).
SymPy is asked at 40 digits, so the reference is exact for a float; finite differences are
an independent, looser check that needs no SymPy at all.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator, Mapping

import pytest
from corpus import CORPUS, Case
from hypothesis import HealthCheck, example, given, reject, settings
from oracles import (
    SympyGradient,
    Undefined,
    central_difference,
    finite_difference_gradient,
    gradients_both_ways,
    hazards,
    sensitivity,
    smooth_along,
    values_both_ways,
)
from strategies import examples, expressions, full_trees, moderate_constants, points

import symdiff
import symdiff.numeric.evaluate
from symdiff import Gradient
from symdiff.diff.algebra import FloatAlgebra
from symdiff.diff.reverse import forward, reverse
from symdiff.ir.graph import active_nodes, topological_order
from symdiff.ir.nodes import constant, variable
from symdiff.ir.ops import OPS
from symdiff.numeric.evaluate import LARGE_GRAPH, plan

# Against SymPy: float rounding only. Against finite differences: their own error.
REL, ABS = 1e-9, 1e-12
FD_REL, FD_ABS = 1e-5, 1e-7


def close(ours: float, reference: float) -> bool:
    return math.isclose(ours, reference, rel_tol=REL, abs_tol=ABS)


def close_to_difference(ours: float, difference: float) -> bool:
    return math.isclose(ours, difference, rel_tol=FD_REL, abs_tol=FD_ABS)


def sample_points(case: Case, count: int = 3) -> Iterator[dict[str, float]]:
    """The case's own point, then points near it (each coordinate moved by up to 5%)."""
    rng = random.Random(case.text)
    yield dict(case.point)
    for _ in range(count - 1):
        yield {name: v * (1 + rng.uniform(-0.05, 0.05)) for name, v in case.point.items()}


def check_gradient(
    gradient: Gradient, value: float, partials: Mapping[str, float], where: str
) -> None:
    assert close(gradient.value, value), f"value {gradient.value!r} != {value!r} {where}"
    for name, partial in partials.items():
        ours = gradient[name]
        assert close(ours, partial), f"d/d{name} = {ours!r}, SymPy says {partial!r} {where}"


# --- the corpus --------------------------------------------------------------------------


def test_the_corpus_has_at_least_150_distinct_expressions() -> None:
    # Nodes are interned, so equal formulas are one object and a set counts distinct ones.
    distinct = {symdiff.parse(case.text) for case in CORPUS}
    assert len(distinct) >= 150


def test_the_corpus_uses_every_op_of_the_table() -> None:
    used = {
        node.op.key for case in CORPUS for node in topological_order([symdiff.parse(case.text)])
    }
    missing = sorted(set(OPS) - used)
    assert not missing, f"no oracle case uses {missing}: add one to corpus.FUNCTION_CASES"


def test_every_corpus_point_gives_each_variable_a_value() -> None:
    for case in CORPUS:
        assert set(symdiff.parse(case.text).variables) == set(case.point), case.text


def test_gradient_matches_sympy_and_finite_differences(subtests: pytest.Subtests) -> None:
    for case in CORPUS:
        with subtests.test(case.text):
            expr = symdiff.parse(case.text)
            reference = SympyGradient(expr)
            checked = 0
            for point in sample_points(case):
                where = f"at {point} in {case.text}"
                try:
                    interpreted, compiled = gradients_both_ways(expr, point)
                except symdiff.DomainError:
                    assert point != case.point, (
                        f"the case's own point is outside the domain: {where}"
                    )
                    continue
                value, partials = reference.value_at(point), reference.partials_at(point)
                differences = finite_difference_gradient(expr, point)
                for gradient in (interpreted, compiled):
                    assert list(gradient) == list(expr.variables)
                    check_gradient(gradient, value, partials, where)
                    for name, difference in differences.items():
                        assert close_to_difference(gradient[name], difference), (
                            f"d/d{name} = {gradient[name]!r}, finite differences say "
                            f"{difference!r} {where}"
                        )
                checked += 1
            assert checked >= 2


def check_against_sympy_and_finite_differences(
    expr: symdiff.Expr, point: Mapping[str, float]
) -> None:
    try:
        interpreted, compiled = gradients_both_ways(expr, point)
    except symdiff.DomainError:
        reject()
    # Where floats may rightly differ from exact arithmetic (kinks, underflow, sines of
    # 1e23), comparing at 1e-9 would test the floats, not the derivatives.
    if hazards(expr, point) or sensitivity(expr, point) > 1e-7:
        reject()
    try:
        reference = SympyGradient(expr)
        value, partials = reference.value_at(point), reference.partials_at(point)
    except Undefined:
        reject()  # cot(pi) is zoo for SymPy, a large number for floats
    for gradient in (interpreted, compiled):
        # Names the expression does not use get 0.0.
        assert set(gradient) == set(point)
        check_gradient(gradient, value, {n: partials.get(n, 0.0) for n in point}, f"at {point}")
    for name in expr.variables:
        try:
            coarse = central_difference(expr, point, name, 1e-3)
            fine = central_difference(expr, point, name, 1e-4)
            smooth = smooth_along(expr, point, name)
        except symdiff.DomainError:
            continue  # the domain ends within a step of the point
        # Only where the difference quotient is stable, the function smooth around, and
        # its value not so large that rounding swamps the differences.
        scale = max(1.0, abs(coarse))
        if smooth and abs(coarse - fine) <= 1e-6 * scale and abs(value) <= 1e5 * scale:
            assert close_to_difference(interpreted[name], coarse), (name, coarse, fine)


RANDOM = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@settings(RANDOM, max_examples=examples(400))
# SymPy is exact and floats are not: sin(10**30) differs, so no huge constants here.
@given(expressions(constants=moderate_constants()), points())
@example(symdiff.parse("x*atan2(x, y)"), {"x": 4e-109, "y": 0.0})
def test_random_trees_match_sympy_and_finite_differences(
    expr: symdiff.Expr, point: Mapping[str, float]
) -> None:
    check_against_sympy_and_finite_differences(expr, point)


@settings(RANDOM, max_examples=examples(150))
@given(full_trees(depth=3, constants=moderate_constants()), points())
# acot's jump at 0: SymPy writes acot(-x) as -acot(x), -pi/2 there (a hazard, skipped).
@example(symdiff.parse("-acot(-x)"), dict.fromkeys("xyz", 0.0))
def test_random_compositions_match_sympy_and_finite_differences(
    expr: symdiff.Expr, point: Mapping[str, float]
) -> None:
    check_against_sympy_and_finite_differences(expr, point)


# --- the textbook cases, by hand ----------------------------------------------------------


def test_chain_rule_sin_log() -> None:
    expr = symdiff.parse("sin(log(x))")
    for gradient in gradients_both_ways(expr, {"x": 2.0}):
        assert close(gradient.value, math.sin(math.log(2)))
        assert close(float(gradient), math.cos(math.log(2)) / 2)


def test_the_shared_product_collects_adjoints_from_both_branches() -> None:
    expr = symdiff.parse("sin(x*y) + cos(x*y)")
    sine, cosine = expr.args
    product = sine.args[0]
    assert cosine.args[0] is product, "x*y is one node, used twice"

    order = topological_order([expr])
    assert order.count(product) == 1
    algebra = FloatAlgebra()
    values = forward(order, algebra, {variable("x"): 2.0, variable("y"): 3.0}.__getitem__)
    r = 6.0
    assert values[product] == r
    assert math.isclose(values[expr], 0.6808, abs_tol=5e-5)
    adjoints = reverse(order, values, algebra, 1.0, active_nodes(order))
    # d/dr (sin r + cos r): cos r from the sine's branch plus -sin r from the cosine's.
    assert close(adjoints[product], math.cos(r) - math.sin(r))
    assert close(adjoints[variable("x")], 3 * (math.cos(r) - math.sin(r)))
    assert close(adjoints[variable("y")], 2 * (math.cos(r) - math.sin(r)))

    for gradient in gradients_both_ways(expr, {"x": 2.0, "y": 3.0}):
        assert close(gradient.value, math.sin(r) + math.cos(r))
        assert close(gradient["x"], 3 * (math.cos(r) - math.sin(r)))
        assert close(gradient["y"], 2 * (math.cos(r) - math.sin(r)))


@pytest.mark.parametrize(
    ("text", "x", "slope"),
    [
        ("x + x", 1.5, 2.0),  # one node as both arguments of one op
        ("x*x", 1.5, 3.0),
        ("x*x*x", -2.0, 12.0),
        ("x*x + x*x", 1.5, 6.0),  # x*x shared by both arguments of the sum
        ("(x + 1)*(x + 1)", 0.5, 3.0),
        ("x/x", 0.7, 0.0),
        ("x - x", 0.7, 0.0),
    ],
)
def test_adjoints_add_up_over_every_use(text: str, x: float, slope: float) -> None:
    for gradient in gradients_both_ways(symdiff.parse(text), {"x": x}):
        assert close(float(gradient), slope)


def test_constants_get_no_adjoint() -> None:
    expr = symdiff.parse("x^2 + 3*pi")
    order = topological_order([expr])
    values = forward(order, FloatAlgebra(), {variable("x"): -1.0}.__getitem__)
    adjoints = reverse(order, values, FloatAlgebra(), 1.0, active_nodes(order))
    assert constant(2) not in adjoints
    assert constant(3) not in adjoints
    assert adjoints[variable("x")] == -2.0


@pytest.mark.parametrize(
    ("text", "x", "slope"),
    [
        # The exponent's partial would need log(x), undefined at negative x; it is constant.
        ("x^2", -1.0, -2.0),
        ("x^3", -2.0, 12.0),
        ("x^-1", -2.0, -0.25),
        ("pow(x, 4)", -1.0, -4.0),
        ("(x - 3)^2", 1.0, -4.0),
        ("x^(1 + 1)", -1.5, -3.0),
    ],
)
def test_only_arguments_that_depend_on_a_variable_are_differentiated(
    text: str, x: float, slope: float
) -> None:
    for gradient in gradients_both_ways(symdiff.parse(text), {"x": x}):
        assert close(float(gradient), slope)


def test_a_variable_exponent_of_a_negative_base_has_no_derivative() -> None:
    expr = symdiff.parse("x^y")
    for _ in range(2):
        with pytest.raises(symdiff.DomainError, match="with respect to y") as error:
            symdiff.differentiate(expr, x=-2.0, y=2.0)
        assert error.value.subexpression == "x^y"


# --- where the derivative does not exist: the documented convention ----------------------


@pytest.mark.parametrize(
    ("text", "point", "expected"),
    [
        ("abs(x)", {"x": 0.0}, {"x": 0.0}),
        ("sign(x)", {"x": 0.0}, {"x": 0.0}),
        ("abs(x)*y", {"x": 0.0, "y": 3.0}, {"x": 0.0, "y": 0.0}),
        ("x*sign(x)", {"x": 0.0}, {"x": 0.0}),
        ("abs(x - y)", {"x": 1.5, "y": 1.5}, {"x": 0.0, "y": 0.0}),
        ("max(x, y)", {"x": 1.0, "y": 1.0}, {"x": 0.5, "y": 0.5}),
        ("min(x, y)", {"x": 1.0, "y": 1.0}, {"x": 0.5, "y": 0.5}),
        ("max(x, y)", {"x": -0.0, "y": 0.0}, {"x": 0.5, "y": 0.5}),
        ("max(x, x)", {"x": 2.0}, {"x": 1.0}),
        ("max(2*x, y)", {"x": 1.0, "y": 2.0}, {"x": 1.0, "y": 0.5}),
        ("min(x^2, y)", {"x": 2.0, "y": 4.0}, {"x": 2.0, "y": 0.5}),
        ("max(x, 3)", {"x": 3.0}, {"x": 0.5}),
        ("min(x, y) + max(x, y)", {"x": 0.25, "y": 0.25}, {"x": 1.0, "y": 1.0}),
    ],
)
def test_kinks_take_the_documented_convention(
    text: str, point: dict[str, float], expected: dict[str, float]
) -> None:
    for gradient in gradients_both_ways(symdiff.parse(text), point):
        assert dict(gradient) == expected


@pytest.mark.parametrize(
    ("text", "subexpression"),
    [("cos(sqrt(x))", "sqrt(x)"), ("sin(x)^2*0 + cos(cbrt(x))", "cbrt(x)")],
)
def test_a_zero_partial_does_not_hide_an_undefined_one(text: str, subexpression: str) -> None:
    # d/dx cos(sqrt(x)) = -sin(sqrt(x))/(2*sqrt(x)): the local partial -sin(0) is 0.0, but
    # sqrt has no derivative at 0, so the chain is 0*inf: undefined, as for sqrt(x) alone.
    expr = symdiff.parse(text)
    expr._plan = None
    for _ in range(3):
        with pytest.raises(symdiff.DomainError) as error:
            symdiff.differentiate(expr, x=0.0)
        assert error.value.subexpression == subexpression


# --- the compiled path -------------------------------------------------------------------


def test_later_calls_run_the_compiled_code(monkeypatch: pytest.MonkeyPatch) -> None:
    expr = symdiff.parse("sin(x*y) + cos(x*y)")
    expr._plan = None
    first = symdiff.differentiate(expr, x=2, y=3)
    assert plan(expr).gradient_code is None
    second = symdiff.differentiate(expr, x=2, y=3)
    code = plan(expr).gradient_code
    assert code is not None
    assert code(2.0, 3.0) == (first.value, first["x"], first["y"])

    def interpreter_ran(*args: object) -> None:
        raise AssertionError("the interpreter ran although compiled code exists")

    monkeypatch.setattr(symdiff.numeric.evaluate, "forward", interpreter_ran)
    monkeypatch.setattr(symdiff.numeric.evaluate, "reverse", interpreter_ran)
    third = symdiff.differentiate(expr, x=2, y=3)
    for gradient in (second, third):
        assert gradient.value == first.value
        assert dict(gradient) == dict(first)


@pytest.mark.parametrize(
    "names",
    [
        ("os", "sys"),
        ("import_", "θ"),
        ("__import__", "eval"),
        ("exec", "open"),
        ("globals", "breakpoint"),
        ("None", "True"),
    ],
)
def test_generated_source_holds_no_user_names(names: tuple[str, str]) -> None:
    a, b = names
    expr = symdiff.parse(f"sin({a}*{b}) + {a}^2/{b} + exp({b})")
    point = {a: 0.5, b: 1.5}
    interpreted, compiled = gradients_both_ways(expr, point)
    gradient_code = plan(expr).gradient_code
    values_both_ways(expr, point)
    value_code = plan(expr).value_code
    assert gradient_code is not None and value_code is not None
    for source in (gradient_code.source, value_code.source):  # type: ignore[attr-defined]
        for name in names:
            assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", source), (name, source)
    x, y = 0.5, 1.5
    for gradient in (interpreted, compiled):
        assert close(gradient.value, math.sin(x * y) + x**2 / y + math.exp(y))
        assert close(gradient[a], y * math.cos(x * y) + 2 * x / y)
        assert close(gradient[b], x * math.cos(x * y) - x**2 / y**2 + math.exp(y))


@pytest.mark.parametrize(
    ("text", "point", "expected"),
    [
        # Parameters of the generated code are x0, x1, ... in order of first appearance,
        # whatever the user's names: these must not be confused with them.
        ("x1 - 3*x0", {"x1": 5.0, "x0": 2.0}, {"x1": 1.0, "x0": -3.0}),
        ("t0*t1 + t1", {"t0": 2.0, "t1": 5.0}, {"t0": 5.0, "t1": 3.0}),
        ("_pow^2 + _check", {"_pow": 3.0, "_check": 1.0}, {"_pow": 6.0, "_check": 1.0}),
        ("gradient/value", {"gradient": 1.0, "value": 4.0}, {"gradient": 0.25, "value": -1 / 16}),
        ("_NonFinite*_sin", {"_NonFinite": 2.0, "_sin": 7.0}, {"_NonFinite": 7.0, "_sin": 2.0}),
    ],
)
def test_user_names_that_look_like_generated_names(
    text: str, point: dict[str, float], expected: dict[str, float]
) -> None:
    for gradient in gradients_both_ways(symdiff.parse(text), point):
        assert dict(gradient) == expected


# --- depth and size: closed forms, no SymPy ------------------------------------------------

DEPTH = 100_000
# Generated code is tried at a twentieth of the depth: 5,000 levels are five times
# Python's recursion limit, so a recursive step in generating the code fails there as at
# 100,000, and so does code that nests without bound in Python's own compiler (the
# generator nests at most _INLINE_DEPTH calls). Generating and compiling is linear, and
# 300,000 lines of gradient take 5 s (test_evaluate.py times the large-graph waiting rule).
COMPILED_DEPTH = DEPTH // 20


def _sine_chain(depth: int) -> tuple[float, float]:
    # d/dx sin(f) = cos(f)*f', iterated, at x = 0.7.
    value, slope = 0.7, 1.0
    for _ in range(depth):
        value, slope = math.sin(value), slope * math.cos(value)
    return value, slope


@pytest.mark.slow
def test_a_sine_chain_100000_deep() -> None:
    # The interpreter at the full depth; code is generated at COMPILED_DEPTH, as for the
    # parentheses and the negations below.
    value, slope = _sine_chain(DEPTH)
    expr = symdiff.parse("sin(" * DEPTH + "x" + ")" * DEPTH)
    gradient = symdiff.differentiate(expr, x=0.7)
    assert math.isclose(gradient.value, value, rel_tol=1e-9)
    assert math.isclose(gradient["x"], slope, rel_tol=1e-9)
    assert math.isclose(expr.evaluate(x=0.7), value, rel_tol=1e-9)
    shallower = symdiff.parse("sin(" * COMPILED_DEPTH + "x" + ")" * COMPILED_DEPTH)
    value, slope = _sine_chain(COMPILED_DEPTH)
    for gradient in gradients_both_ways(shallower, {"x": 0.7}):
        assert math.isclose(gradient.value, value, rel_tol=1e-9)
        assert math.isclose(gradient["x"], slope, rel_tol=1e-9)
    for computed in values_both_ways(shallower, {"x": 0.7}):
        assert math.isclose(computed, value, rel_tol=1e-9)


@pytest.mark.slow
def test_parentheses_100000_deep() -> None:
    # Parentheses alone, "(((x)))", are the parser's test (test_parser.py); here each level
    # adds one: (((x + 1) + 1) + 1) ... The interpreter reads it at the full depth, and
    # code is generated at COMPILED_DEPTH.
    expr = symdiff.parse("(" * DEPTH + "x" + " + 1)" * DEPTH)
    gradient = symdiff.differentiate(expr, x=0.5)
    assert (gradient.value, gradient["x"]) == (0.5 + DEPTH, 1.0)
    shallower = symdiff.parse("(" * COMPILED_DEPTH + "x" + " + 1)" * COMPILED_DEPTH)
    for gradient in gradients_both_ways(shallower, {"x": 0.5}):
        assert gradient.value == 0.5 + COMPILED_DEPTH
        assert gradient["x"] == 1.0


@pytest.mark.slow
def test_a_negation_chain_100000_deep() -> None:
    expr = symdiff.parse("-" * DEPTH + "x")
    for gradient in gradients_both_ways(expr, {"x": 2.0}):
        assert gradient.value == 2.0 * (-1) ** DEPTH
        assert gradient["x"] == (-1.0) ** DEPTH


@pytest.mark.slow
def test_a_sum_of_100000_terms() -> None:
    names = [f"x{i}" for i in range(1, DEPTH + 1)]
    expr = symdiff.parse("+".join(names))
    point = {name: float(i) for i, name in enumerate(names, 1)}
    gradient = symdiff.differentiate(expr, point)
    assert gradient.value == DEPTH * (DEPTH + 1) / 2
    assert list(gradient) == names
    assert set(gradient.values()) == {1.0}


@pytest.mark.parametrize("n", [256, 1000])
def test_horner_polynomials(n: int) -> None:
    coefficients = [1 / (k + 1) for k in range(n + 1)]
    text = repr(coefficients[-1])
    for coefficient in reversed(coefficients[:-1]):
        text = f"{coefficient!r} + x*({text})"
    expr = symdiff.parse(text)
    x = 0.9
    value, slope = 0.0, 0.0
    for coefficient in reversed(coefficients):
        value, slope = coefficient + x * value, value + x * slope
    assert (len(plan(expr).body) < LARGE_GRAPH) == (n == 256)  # both are compiled
    for gradient in gradients_both_ways(expr, {"x": x}):
        assert close(gradient.value, value)
        assert close(gradient["x"], slope)


def test_a_product_of_256_sines() -> None:
    n = 256
    names = [f"x{i}" for i in range(1, n + 1)]
    point = {name: 1.2 + 0.001 * i for i, name in enumerate(names)}
    expr = symdiff.parse("*".join(f"sin({name})" for name in names))
    product = math.prod(math.sin(v) for v in point.values())
    for gradient in gradients_both_ways(expr, point):
        assert close(gradient.value, product)
        for name, v in point.items():
            # d/dx_i prod sin(x_j) = prod * cos(x_i)/sin(x_i)
            assert close(gradient[name], product * math.cos(v) / math.sin(v))


def test_a_sum_of_256_chained_sines() -> None:
    n = 256
    x = [0.0] + [0.3 + 0.002 * i for i in range(1, n + 2)]
    expr = symdiff.parse("+".join(f"sin(x{i}*x{i + 1})" for i in range(1, n + 1)))
    point = {f"x{i}": x[i] for i in range(1, n + 2)}
    for gradient in gradients_both_ways(expr, point):
        assert close(gradient.value, math.fsum(math.sin(x[i] * x[i + 1]) for i in range(1, n + 1)))
        for i in range(1, n + 2):
            # x_i appears in sin(x_{i-1} x_i) and sin(x_i x_{i+1})
            left = x[i - 1] * math.cos(x[i - 1] * x[i]) if i > 1 else 0.0
            right = x[i + 1] * math.cos(x[i] * x[i + 1]) if i <= n else 0.0
            assert close(gradient[f"x{i}"], left + right)
