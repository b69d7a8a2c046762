"""Simplification: the local rules, values kept wherever the original is defined, and
derivatives free of the leftovers a person would never write (``x*1``, ``a - -b``, ...).

``symdiff.simplify`` rebuilds an expression through the simplifying constructors, the same
ones the symbolic derivative is built with, so what is checked here holds for derivatives.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from fractions import Fraction
from functools import cache

import pytest
from corpus import CORPUS, TEXTBOOK
from hypothesis import HealthCheck, given, reject, settings
from strategies import examples, expressions, moderate_constants, points

import symdiff
from symdiff import DomainError, Expr, count_nodes, derivative, gradient, hessian, parse, simplify
from symdiff.ir.graph import topological_order
from symdiff.ir.nodes import make, variable
from symdiff.ir.ops import OPS
from symdiff.simplify import simplify as simplify_with_rules

# --- the rules, one by one ----------------------------------------------------------------------

# (written, simplified as printed)
RULES = [
    # Identities.
    ("x*1", "x"),
    ("1*x", "x"),
    ("x + 0", "x"),
    ("0 + x", "x"),
    ("x - 0", "x"),
    ("0 - x", "-x"),
    ("0*x", "0"),
    ("x*0", "0"),
    ("x/1", "x"),
    ("0/x", "0"),
    ("x^1", "x"),
    ("x^0", "1"),
    ("1^x", "1"),
    ("x/x", "1"),
    ("x - x", "0"),
    ("x*y - y*x", "0"),
    # Signs.
    ("--x", "x"),
    ("-(-x)", "x"),
    ("x + -y", "x - y"),
    ("x - -y", "x + y"),
    ("-x + y", "y - x"),
    ("-(x - y)", "y - x"),
    ("-(2*x)", "-2*x"),
    ("-(-1 - log(x))", "log(x) + 1"),
    ("(-1 - x)*(-1)", "x + 1"),
    ("(-x)*(-y)", "x*y"),
    ("(-2)*(-3)", "6"),
    # Constant folding, exact for integers and fractions.
    ("3 - 5", "-2"),
    ("6/4", "3/2"),
    ("1/2 + 1/3", "5/6"),
    ("2^10", "1024"),
    ("2^-1", "1/2"),
    ("(1/2)^2", "1/4"),
    ("0.5 + 0.25", "0.75"),
    ("pi*2", "2*pi"),
    ("sin(0)", "0"),
    ("cos(0)", "1"),
    ("exp(0)", "1"),
    ("log(1)", "0"),
    ("abs(-3)", "3"),
    ("log(e)", "1"),
    ("sign(-2)", "-1"),
    # Coefficients and like terms.
    ("x*2", "2*x"),
    ("2*x*3", "6*x"),
    ("x + x", "2*x"),
    ("x + x + x", "3*x"),
    ("2*x + 3*x", "5*x"),
    ("3*x - x", "2*x"),
    ("x*y + x*y", "2*x*y"),
    ("2*(x + 1) + 3*(x + 1)", "5*(x + 1)"),
    ("x + 1 + 1", "x + 2"),
    ("1 + (x + 1)", "x + 2"),
    ("1 + x + 1", "x + 2"),
    ("x + y - y", "x"),
    ("x/2/3", "x/6"),
    ("2*x/4", "x/2"),
    ("2/(4*x)", "1/(2*x)"),
    ("-2/(4*x)", "-1/(2*x)"),
    ("6/(4*x*y)", "3/(2*x*y)"),
    ("2/(-x)", "-2/x"),
    ("3*(x/3)", "x"),
    # Powers of one base.
    ("x*x", "x^2"),
    ("x*x*x", "x^3"),
    ("x*x^2", "x^3"),
    ("x^2*x^3", "x^5"),
    ("x^3/x", "x^2"),
    ("x/x^3", "1/x^2"),
    ("(x^2)^3", "x^6"),
    ("x^-2", "1/x^2"),
    ("x*y^-1", "x/y"),
    ("sin(x)*sin(x)", "sin(x)^2"),
    ("e*e", "e^2"),
    # Canonical order of factors, and quotients.
    ("y*x", "x*y"),
    ("b*a*c", "a*b*c"),
    ("a*(b*c)", "a*b*c"),
    ("a + (b + c)", "a + b + c"),
    ("a - (b - c)", "a - b + c"),
    ("a/(b/c)", "a*c/b"),
    ("(a/b)/c", "a/(b*c)"),
    ("2*x*y/x", "2*y"),
    # Inverse functions.
    ("log(exp(x))", "x"),
    ("exp(log(x))", "x"),
    ("sqrt(x^2)", "abs(x)"),
    # A negative coefficient turns a difference around.
    ("2*(-1 - x)*(-3)", "6*(x + 1)"),
]


@pytest.mark.parametrize(("written", "simplified"), RULES, ids=[r[0] for r in RULES])
def test_rule(written: str, simplified: str) -> None:
    result = simplify_with_rules(written)
    assert str(result) == simplified
    assert parse(simplified) is result


@pytest.mark.parametrize(
    "text", ["-(-x - y)", "-(-2*y - x)", "-(-y*z - x)", "-(-x/y - z)", "-(-1 - log(x))"]
)
def test_negated_differences_have_no_double_signs(text: str) -> None:
    result = simplify(text)
    assert leftovers(result) == [], str(result)
    assert "-" not in str(result)


@pytest.mark.parametrize(
    "text", ["1/0", "0/0", "x/0", "log(0)", "0^-1", "(-8)^(1/3)", "(-1)^0.5", "sqrt(-4)"]
)
def test_undefined_constants_are_left_alone(text: str) -> None:
    # Folding must neither raise nor invent a value where there is none.
    result = simplify(text)
    with pytest.raises(DomainError):
        result.evaluate(x=1.0)


def test_large_powers_are_not_folded() -> None:
    assert str(simplify("2^1000")) == "2^1000"
    assert str(simplify("10^400")) == "10^400"
    assert simplify("2^64") is parse(str(2**64))


def test_exact_fractions_stay_exact() -> None:
    third = simplify("1/3")
    assert simplify("1/3 + 1/3 + 1/3") is parse("1")
    assert simplify("3*(1/3)") is parse("1")
    assert third.evaluate() == float(Fraction(1, 3))


# --- values are kept --------------------------------------------------------------------------

RANDOM = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _largest_intermediate(expr: Expr, point: Mapping[str, float]) -> float:
    """The largest magnitude of any subexpression at ``point``: what rounding is relative to."""
    return max(abs(node.evaluate(point)) for node in topological_order([expr]))


@settings(RANDOM, max_examples=examples(400))
# Not the wide constants: see tests/test_api.py, known defects (atan2(x, -0), x/5e-324).
@given(expressions(max_leaves=10, constants=moderate_constants()), points())
def test_simplify_keeps_the_value_where_the_original_is_defined(
    expr: Expr, point: Mapping[str, float]
) -> None:
    try:
        value = expr.evaluate(point)
        scale = _largest_intermediate(expr, point)
    except DomainError:
        reject()
    simplified = simplify(expr)
    # Raising DomainError here would be a bug: the original is defined at this point.
    result = simplified.evaluate(point)
    # Folding and reordering change rounding, relative to the largest intermediate value.
    assert math.isclose(result, value, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, scale)), (
        f"{expr} = {value!r} but {simplified} = {result!r} at {point}"
    )


@settings(RANDOM, max_examples=examples(300))
@given(expressions(max_leaves=12, constants=moderate_constants()))  # 1e300*1e300: test_api.py
def test_simplify_is_idempotent_prints_round_trip_and_does_not_grow(expr: Expr) -> None:
    simplified = simplify(expr)
    assert simplify(simplified) is simplified, simplified
    assert parse(str(simplified)) is simplified
    # New numbers (the 2 of x + x -> 2*x) are the only nodes a rule may add.
    assert count_nodes(simplified) <= 2 * count_nodes(expr)


@settings(RANDOM, max_examples=examples(200))
@given(expressions(max_leaves=10, constants=moderate_constants()))
def test_derivatives_of_random_expressions_are_already_simplified(expr: Expr) -> None:
    for name, partial in gradient(expr).items():
        # Gradients keep their shared graph: a fixed point of the rules.
        assert simplify_with_rules(partial) is partial, f"d {expr} /d{name} = {partial}"
        second = derivative(partial, name)
        assert simplify(second) is second, f"d2 {expr} /d{name}2 = {second}"


def test_simplify_is_idempotent_on_the_corpus_and_its_derivatives(
    subtests: pytest.Subtests,
) -> None:
    for case in CORPUS:
        with subtests.test(case.text):
            expr = parse(case.text)
            simplified = simplify(expr)
            assert simplify(simplified) is simplified
            assert simplify(case.text) is simplified
            for name, partial in gradient(expr).items():
                assert simplify_with_rules(partial) is partial
                first = derivative(expr, name)
                assert simplify(first) is first


def _doubling(depth: int) -> Expr:
    """u_{k+1} = sin(u_k)*cos(u_k) + u_k: a tree of 2^depth leaves, a graph of 4*depth."""
    u = variable("x")
    for _ in range(depth):
        sin_u, cos_u = make(OPS["sin"], (u,)), make(OPS["cos"], (u,))
        u = make(OPS["add"], (make(OPS["mul"], (sin_u, cos_u)), u))
    return u


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("atan2(x, -0.0)", 0.0),
        ("atan2(-0.0, -1)", math.pi),
        ("atan2(x, 2*-0.0)", 0.0),
        ("atan2(x, -(0.0))", 0.0),
        ("atan2(x*-0.0, -1)", math.pi),
    ],
)
def test_a_negative_zero_is_zero_before_and_after_simplify(text: str, value: float) -> None:
    # One zero (policy 6): atan2 reads -0.0 as 0.0, so the rules and the normal form may
    # write -0.0 as 0, the shorter, and the value at x = 0 is the same.
    expr = symdiff.parse(text)
    simplified = symdiff.simplify(expr)
    assert "-0" not in str(simplified)
    assert simplified.evaluate(x=0.0) == expr.evaluate(x=0.0) == value
    assert symdiff.simplify(simplified) is simplified


def test_simplify_keeps_sharing() -> None:
    # Plain numbers in the assertions: the text of these expressions is 2^200 long.
    expr = _doubling(200)
    simplified = simplify(expr)
    size, simplified_size = count_nodes(expr), count_nodes(simplified)
    assert simplified_size <= 2 * size
    value, simplified_value = expr.evaluate(x=0.3), simplified.evaluate(x=0.3)
    assert math.isclose(simplified_value, value, rel_tol=1e-12)


@pytest.mark.slow
def test_simplify_of_a_deep_expression_needs_no_recursion() -> None:
    expr = variable("x")
    for k in range(100_000):
        expr = make(OPS["sin"] if k % 2 else OPS["add"], (expr,) if k % 2 else (expr, expr))
    size, simplified_size = count_nodes(expr), count_nodes(simplify(expr))
    # x + x -> 2*x at the bottom, then each sum of equal terms -> 2*(...).
    assert simplified_size <= size + 2


# --- derivatives are free of leftovers ----------------------------------------------------------


def _number(node: Expr) -> Fraction | float | None:
    """The number a node stands for when it is a constant, a negated constant or a fraction."""
    key = node.op.key
    if key == "constant":
        return node.payload if isinstance(node.payload, float) else Fraction(node.payload)  # type: ignore[arg-type]
    if key == "neg":
        inner = _number(node.args[0])
        return None if inner is None else -inner
    if key == "div":
        top, bottom = (_number(a) for a in node.args)
        if isinstance(top, Fraction) and isinstance(bottom, Fraction) and bottom > 1:
            return top / bottom if node.args[1].op.key == "constant" else None
    return None


def _leftmost(node: Expr) -> Expr:
    """The factor printed first in a product or quotient."""
    while node.op.key in ("mul", "div"):
        node = node.args[0]
    return node


def _ends_in_a_number(node: Expr) -> bool:
    """A sum or difference whose last term is a number: x + 1, x - 2."""
    return node.op.key in ("add", "sub") and _number(node.args[1]) is not None


def _base(node: Expr) -> Expr:
    return node.args[0] if node.op.key == "pow" else node


def leftovers(expr: Expr) -> list[str]:
    """What a person would simplify away at once, one line per offending node."""
    found: list[str] = []
    for node in topological_order([expr]):
        key, args = node.op.key, node.args
        numbers = [_number(a) for a in args]
        kinds = []
        foldable = args and key in ("add", "sub", "mul", "div", "neg") and None not in numbers
        # Numbers that are not a canonical fraction or negative number, nor undefined (1/0).
        if foldable and _number(node) is None and not (key == "div" and numbers[1] == 0):
            kinds.append("numbers not folded")
        if key == "mul" and (1 in numbers or 0 in numbers):
            kinds.append("a factor 1 or 0")
        if key in ("add", "sub") and 0 in numbers:
            kinds.append("a term 0")
        if key == "div" and numbers[1] == 1:
            kinds.append("divided by 1")
        if key == "pow" and numbers[1] in (0, 1):
            kinds.append("a power 1 or 0")
        if key == "neg" and args[0].op.key == "neg":
            kinds.append("a double negation")
        if key in ("add", "sub") and _leftmost(args[1]).op.key == "neg":
            kinds.append("a + -b or a - -b")
        if key in ("mul", "div") and args[1].op.key == "neg":
            kinds.append("a*(-b)")
        if key in ("add", "sub", "mul", "div") and args[0] is args[1]:
            kinds.append("x + x, x - x, x*x or x/x")
        if key == "mul" and args[0] is not args[1] and _base(args[0]) is _base(args[1]):
            kinds.append("x*x^n")
        if key in ("add", "sub") and _ends_in_a_number(args[0]) and numbers[1] is not None:
            kinds.append("x + 1 + 1")
        if key == "mul" and any(a.op.key == "div" and _number(a.args[0]) == 1 for a in args):
            kinds.append("a*(1/b)")
        if key == "pow" and args[0].op.key == "div" and _number(args[0].args[0]) == 1:
            kinds.append("(1/b)^n")
        text = str(node)
        found.extend(f"{kind}: {text if len(text) < 90 else text[:87] + '...'}" for kind in kinds)
    return found


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("x*1", "a factor 1 or 0"),
        ("x + 0", "a term 0"),
        ("x^1", "a power 1 or 0"),
        ("-(-x)", "a double negation"),
        ("x + -y", "a + -b or a - -b"),
        ("x - -y*z", "a + -b or a - -b"),
        ("x*(-y)", "a*(-b)"),
        ("x*x", "x + x, x - x, x*x or x/x"),
        ("x*x^y", "x*x^n"),
        ("x + 1 + 1", "x + 1 + 1"),
        ("2*3", "numbers not folded"),
        ("x*(1/y)", "a*(1/b)"),
        ("(1/x)^2", "(1/b)^n"),
    ],
)
def test_leftovers_are_recognised(text: str, kind: str) -> None:
    assert [line.split(":")[0] for line in leftovers(parse(text))] == [kind]


def test_canonical_forms_are_not_leftovers() -> None:
    for text in ["-2", "3/2", "-3/2", "-x*y", "-1/x", "x - 1", "2*x + 3", "x^2", "-x/2", "x^-y"]:
        assert leftovers(parse(text)) == [], text


# Each derivative is computed by the test that checks it, not at collection: every xdist
# worker collects the whole module, and the ~1,000 derivatives took seconds each time. A
# case names what to compute; ``_computed`` computes it (once per worker).
DerivativeCase = tuple[str, str, tuple[str, ...]]  # (how, formula, variables)


@cache
def _computed(how: str, formula: str, names: tuple[str, ...]) -> Expr:
    if how == "derivative":  # d^k/dx^k by symdiff.derivative, k = len(names)
        return derivative(formula, names[0], len(names))
    expr = parse(formula)
    if how == "gradient":
        return gradient(expr)[names[0]]
    (i, j) = (list(expr.variables).index(name) for name in names)
    return hessian(expr)[i][j]


def _textbook_derivatives() -> Iterator[tuple[str, DerivativeCase]]:
    for formula, var, order, _ in TEXTBOOK:
        if order == 1:
            for k in (1, 2, 3, 4):
                yield f"d{k} {formula} /d{var}", ("derivative", formula, (var,) * k)


def _corpus_derivatives() -> Iterator[tuple[str, DerivativeCase]]:
    for case in CORPUS:
        expr = parse(case.text)
        if count_nodes(expr) > 40:
            continue
        names = list(expr.variables)  # the gradient's keys, in its order
        for name in names:
            yield f"{case.text} /d{name}", ("gradient", case.text, (name,))
        if len(names) <= 3:
            for i in range(len(names)):
                for j in range(i, len(names)):
                    pair = (names[i], names[j])
                    yield f"{case.text} /d{names[i]}d{names[j]}", ("hessian", case.text, pair)


# Every derivative of a formula, by label ("d2 sin(x) /dx", "x*y /dxdy"), a subtest of the
# formula: computed once per worker by ``_computed``.
def _derivative_cases() -> dict[str, dict[str, DerivativeCase]]:
    by_formula: dict[str, dict[str, DerivativeCase]] = {}
    for label, computed in [*_textbook_derivatives(), *_corpus_derivatives()]:
        by_formula.setdefault(computed[1], {}).setdefault(label, computed)
    return by_formula


DERIVATIVE_CASES = _derivative_cases()


def test_derivatives_have_no_leftovers_and_are_already_simplified(
    subtests: pytest.Subtests,
) -> None:
    for formula, cases in DERIVATIVE_CASES.items():
        with subtests.test(formula):
            for label, case in cases.items():
                result = _computed(*case)
                assert leftovers(result) == [], label
                assert simplify_with_rules(result) is result, label


LOCAL_KINDS = {
    "numbers not folded",
    "a factor 1 or 0",
    "a term 0",
    "divided by 1",
    "a power 1 or 0",
    "a double negation",
    "a*(-b)",
    "x + x, x - x, x*x or x/x",
}


@settings(RANDOM, max_examples=examples(300))
@given(expressions(max_leaves=6, constants=moderate_constants()))  # x/5e-324: test_api.py
def test_random_first_derivatives_have_no_leftovers(expr: Expr) -> None:
    for result in gradient(expr).values():
        if any(n.op.key == "div" and _number(n.args[1]) == 0 for n in topological_order([result])):
            continue  # undefined everywhere: nothing to fold
        # The rules that look one level down must always apply; leftovers across levels
        # (x*x^(x - 1), (1/x)^2, ...) are known, and pinned by the expected failures above.
        found = [line for line in leftovers(result) if line.split(":")[0] in LOCAL_KINDS]
        assert found == [], f"d {expr} = {result}"


def test_symdiff_simplify_accepts_text_and_nodes() -> None:
    assert simplify("x*1") is symdiff.parse("x")
    assert simplify(parse("x + x")) is parse("2*x")
    with pytest.raises(symdiff.SymdiffError):
        simplify(3)  # type: ignore[arg-type]
