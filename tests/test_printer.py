"""Printing: the grammar's own syntax, only the parentheses it needs, ``parse(str(e)) is e``."""

from __future__ import annotations

import re

import pytest
import strategies
from hypothesis import HealthCheck, given, settings
from strategies import NAMED_CONSTANTS, OPERATIONS, examples

from symdiff import Expr, ParseError, parse
from symdiff.ir.nodes import constant, make, variable
from symdiff.ir.ops import OPS
from symdiff.syntax.printer import to_text

x, y = variable("x"), variable("y")

# --- random trees from the op table -------------------------------------------------

# Names that are neither constants (pi, e) nor functions, ASCII and Greek.
NAMES = ["x", "y", "theta", "x_1", "m0", "θ", "Δ"]
LEAF_OPS, INNER_OPS = NAMED_CONSTANTS, OPERATIONS
expressions = strategies.expressions(NAMES, max_leaves=24)


def test_the_strategy_covers_every_op() -> None:
    assert {op.key for op in LEAF_OPS} | {op.key for op in INNER_OPS} == set(OPS)
    assert {"add", "sub", "mul", "div", "neg", "pow", "log_base", "atan2"} <= {
        op.key for op in INNER_OPS
    }


@settings(max_examples=examples(500), suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_printing_round_trips(expr: Expr) -> None:
    text = str(expr)
    assert parse(text) is expr


def _removable_parentheses(text: str) -> list[tuple[int, int]]:
    """Pairs of grouping (not call) parentheses, as (open, close) indices."""
    pairs, stack = [], []
    for i, char in enumerate(text):
        if char == "(":
            stack.append(i)
        elif char == ")":
            start = stack.pop()
            is_call = start > 0 and re.match(r"\w", text[start - 1])
            # -(-x) is printed for readability although --x is the same graph.
            is_double_negation = text[start - 1 : start] == "-" and text[start + 1] == "-"
            if not is_call and not is_double_negation:
                pairs.append((start, i))
    return pairs


@settings(max_examples=examples(200), suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_every_pair_of_parentheses_is_needed(expr: Expr) -> None:
    text = str(expr)
    for start, end in _removable_parentheses(text):
        shorter = text[:start] + text[start + 1 : end] + text[end + 1 :]
        try:
            reparsed = parse(shorter)
        except ParseError:
            continue
        assert reparsed is not expr, f"parentheses {start}..{end} in {text!r} are not needed"


# --- exact forms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("sin(x*y)+cos(x*y)", "sin(x*y) + cos(x*y)"),
        ("-x^2", "-x^2"),
        ("(-x)^2", "(-x)^2"),
        ("(x^2)^3", "(x^2)^3"),
        ("x^(2^3)", "x^2^3"),
        ("a-(b-c)", "a - (b - c)"),
        ("(a-b)-c", "a - b - c"),
        ("a+(b+c)", "a + (b + c)"),
        ("a/(b*c)", "a/(b*c)"),
        ("a/(b/c)", "a/(b/c)"),
        ("(a*b)/c", "a*b/c"),
        ("a*(b/c)", "a*(b/c)"),
        ("a*(b*c)", "a*(b*c)"),
        ("x^-y", "x^-y"),
        ("x^(-y)", "x^-y"),
        ("x^-y^z", "x^-y^z"),
        ("x^(-y)^z", "x^(-y)^z"),
        ("x^-(a*b)", "x^-(a*b)"),
        ("x^(y*z)", "x^(y*z)"),
        ("log(x,2)", "log(x, 2)"),
        ("atan2(y,x)", "atan2(y, x)"),
        ("ln(x)", "log(x)"),
        ("pow(a,b)", "a^b"),
        ("x**2", "x^2"),
        ("π*r^2", "pi*r^2"),
        ("e^x", "e^x"),
        ("-(x*y)", "-(x*y)"),
        ("(-x)*y", "-x*y"),
        ("x*(-y)", "x*-y"),
        ("a/-b", "a/-b"),
        ("--x", "-(-x)"),
        ("-(-x)^2", "-(-x)^2"),
        ("-(a+b)", "-(a + b)"),
        ("a+-b", "a + -b"),
        ("a-(-b)", "a - -b"),
        ("(a+b)^2", "(a + b)^2"),
        ("(x+1)*(x-1)", "(x + 1)*(x - 1)"),
        ("-2^x", "-2^x"),
        ("(-2)^x", "(-2)^x"),
        ("sin(-x)", "sin(-x)"),
        ("-sin(x)", "-sin(x)"),
        ("((x))", "x"),
        ("+x", "x"),
        ("a*b - c/d", "a*b - c/d"),
        ("x/y^2", "x/y^2"),
        ("(x/y)^2", "(x/y)^2"),
        ("max(a,b)*min(a,b)", "max(a, b)*min(a, b)"),
        ("sqrt(x^2 + y^2)", "sqrt(x^2 + y^2)"),
    ],
)
def test_printed_forms(text: str, printed: str) -> None:
    expr = parse(text)
    assert str(expr) == printed
    assert parse(printed) is expr


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (2, "2"),
        (0, "0"),
        (10**25, "10000000000000000000000000"),
        (2.0, "2.0"),
        (0.5, "0.5"),
        (0.1, "0.1"),
        (25000.0, "25000.0"),
        (1e16, "1e+16"),
        (1e-7, "1e-07"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
    ],
)
def test_numbers_print_exactly_and_read_back(value: float, printed: str) -> None:
    node = constant(value)
    assert str(node) == printed
    assert parse(printed) is node


def test_negative_constants_print_as_negations() -> None:
    negative_two = make(OPS["neg"], (constant(2),))
    assert str(negative_two) == "-2"
    assert str(make(OPS["pow"], (negative_two, x))) == "(-2)^x"
    assert str(make(OPS["mul"], (x, negative_two))) == "x*-2"


def test_repr_is_the_formula() -> None:
    expr = parse("sin(x*y) + cos(x*y)")
    assert repr(expr) == str(expr) == to_text(expr)


def test_greek_names_print_as_written() -> None:
    assert str(parse("θ^2 + Δ")) == "θ^2 + Δ"


# --- depth --------------------------------------------------------------------------

DEPTH = 100_000
# Printed text is parsed back at this depth, well past Python's recursion limit: parsing at
# DEPTH itself is test_parser's (each 100,000-deep parse takes one to two seconds).
ROUND_TRIP_DEPTH = 10_000


def _chain(op_key: str, depth: int, *, left: bool = True) -> Expr:
    node = x
    op = OPS[op_key]
    for _ in range(depth):
        args = (node,) if op.arity == 1 else (node, y) if left else (y, node)
        node = make(op, args)
    return node


@pytest.mark.slow
def test_printing_a_deep_left_nested_chain_needs_no_parentheses() -> None:
    expr = _chain("sub", DEPTH)
    assert str(expr) == "x" + " - y" * DEPTH
    shorter = _chain("sub", ROUND_TRIP_DEPTH)
    assert parse(str(shorter)) is shorter


@pytest.mark.slow
def test_printing_a_deep_right_nested_chain() -> None:
    expr = _chain("sub", DEPTH, left=False)
    assert str(expr) == "y - (" * (DEPTH - 1) + "y - x" + ")" * (DEPTH - 1)
    shorter = _chain("sub", ROUND_TRIP_DEPTH, left=False)
    assert parse(str(shorter)) is shorter


@pytest.mark.slow
def test_printing_deep_calls_and_negations() -> None:
    calls = _chain("sin", DEPTH)
    assert str(calls) == "sin(" * DEPTH + "x" + ")" * DEPTH
    negations = _chain("neg", DEPTH)
    assert str(negations) == "-(" * (DEPTH - 1) + "-x" + ")" * (DEPTH - 1)
    shorter = _chain("neg", ROUND_TRIP_DEPTH)
    assert parse(str(shorter)) is shorter


@pytest.mark.slow
def test_printing_a_deep_power_tower() -> None:
    tower = _chain("pow", DEPTH, left=False)  # y^y^...^x, right-associative: no parentheses
    assert str(tower) == "y^" * DEPTH + "x"
    shorter = _chain("pow", ROUND_TRIP_DEPTH, left=False)
    assert parse(str(shorter)) is shorter
