"""Nodes: interned (equal means identical), immutable, and cheap to copy and pickle."""

from __future__ import annotations

import copy
import gc
import math
import pickle
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples, expressions

from symdiff import Expr, SymdiffError, parse
from symdiff.ir.graph import topological_order
from symdiff.ir.nodes import constant, is_constant, is_variable, make, variable
from symdiff.ir.ops import OPS

x, y = variable("x"), variable("y")


# --- interning ----------------------------------------------------------------------


def test_equal_structure_is_the_same_object() -> None:
    assert parse("x*y") is parse("x * y")
    assert parse("x*y") is make(OPS["mul"], (x, y))
    assert variable("x") is variable("x")
    assert constant(2) is constant(2)


def test_different_structure_is_a_different_object() -> None:
    # Interning is structural, not algebraic: x*y and y*x are different graphs.
    assert parse("x*y") is not parse("y*x")
    assert parse("x*y") != parse("y*x")
    assert parse("(a+b)+c") is not parse("a+(b+c)")


def test_a_shared_subexpression_is_one_node() -> None:
    expr = parse("sin(x*y)+cos(x*y)")
    order = topological_order([expr])
    assert [node.op.key for node in order].count("mul") == 1
    assert len(order) == 6  # x, y, x*y, sin, cos, +
    sine, cosine = expr.args
    assert sine.args[0] is cosine.args[0]


def test_equal_subexpressions_are_shared_across_formulas() -> None:
    first, second = parse("(x+1)^2"), parse("sin(x+1)*y")
    assert first.args[0] is second.args[0].args[0]
    assert sum(node.op.key == "add" for node in topological_order([first, second])) == 1


def test_integers_and_floats_are_different_nodes() -> None:
    assert constant(1) is not constant(1.0)
    assert constant(0) is not constant(0.0)
    assert type(constant(1).payload) is int
    assert type(constant(1.0).payload) is float
    assert parse("x + 1") is not parse("x + 1.0")


def test_there_is_one_float_zero() -> None:
    assert constant(-0.0) is constant(0.0)
    assert math.copysign(1.0, constant(-0.0).payload) == 1.0  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, False, "1", None, 1j])
def test_constants_are_ints_or_floats(value: object) -> None:
    with pytest.raises(TypeError):
        constant(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [-1, -0.5, math.inf, math.nan])
def test_constants_are_finite_and_non_negative(value: float) -> None:
    with pytest.raises(ValueError):
        constant(value)


def test_variables_and_constants_are_leaves() -> None:
    assert is_variable(x) and not is_constant(x)
    assert is_constant(constant(2)) and not is_variable(constant(2))
    assert x.args == () and x.payload == "x"


def test_make_checks_the_arity() -> None:
    with pytest.raises(TypeError):
        make(OPS["sin"], (x, y))


def test_nodes_hash_and_compare_by_identity() -> None:
    table = {parse("x + 1"): "first"}
    assert table[parse("x+1")] == "first"
    assert parse("x+1") == parse("x + 1")
    assert parse("x+1") != parse("1+x")


def test_the_intern_table_does_not_keep_nodes_alive() -> None:
    node = make(OPS["add"], (variable("only_here_for_this_test"), constant(12345)))
    alive = weakref.ref(node)
    del node
    gc.collect()
    assert alive() is None


# --- immutability -------------------------------------------------------------------


@pytest.mark.parametrize("attribute", ["op", "args", "payload", "digest", "colour"])
def test_nodes_are_immutable(attribute: str) -> None:
    expr = parse("x + 1")
    with pytest.raises(AttributeError):
        setattr(expr, attribute, None)
    with pytest.raises(AttributeError):
        delattr(expr, attribute)
    assert str(expr) == "x + 1"


def test_arguments_are_a_tuple() -> None:
    assert isinstance(parse("x + 1").args, tuple)


# --- copy and pickle ----------------------------------------------------------------


def test_copy_and_deepcopy_return_the_node_itself() -> None:
    expr = parse("sin(x*y) + cos(x*y)")
    assert copy.copy(expr) is expr
    assert copy.deepcopy(expr) is expr
    holder = copy.deepcopy({"f": [expr, expr.args[0]]})
    assert holder["f"][0] is expr
    assert holder["f"][1] is expr.args[0]


def test_deepcopy_of_a_deep_expression(deep_expression: Expr) -> None:
    assert copy.deepcopy(deep_expression) is deep_expression


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trips_to_the_same_node(protocol: int) -> None:
    for text in ["sin(x*y) + cos(x*y)", "-x^2", "(-2)^x", "log(x, 2)", "θ*pi", "1.0 + 1", "7"]:
        expr = parse(text)
        assert pickle.loads(pickle.dumps(expr, protocol)) is expr


def test_pickle_keeps_sharing_between_expressions() -> None:
    first, second = parse("(x+1)^2"), parse("sin(x+1)")
    first_back, second_back = pickle.loads(pickle.dumps((first, second)))
    assert first_back.args[0] is second_back.args[0]


def test_pickle_of_a_deep_expression(deep_expression: Expr) -> None:
    assert pickle.loads(pickle.dumps(deep_expression)) is deep_expression


# --- variables ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        ("y*x + z*x + y", ("y", "x", "z")),
        ("sin(b) + a", ("b", "a")),
        ("pi*r^2 + e", ("r",)),
        ("2 + 3", ()),
        ("θ*α + θ", ("θ", "α")),  # noqa: RUF001 (Greek names are the point)
        ("atan2(y, x) + hypot(x, w)", ("y", "x", "w")),
    ],
)
def test_variables_in_order_of_first_appearance(text: str, variables: tuple[str, ...]) -> None:
    assert parse(text).variables == variables


def test_variables_of_a_deep_expression(deep_expression: Expr) -> None:
    assert deep_expression.variables == ("x",)


# --- arithmetic on expressions ------------------------------------------------------------


def moderate_constants_or_numbers() -> st.SearchStrategy[int | float]:
    """Python numbers as a formula's text writes them: ints and finite floats, signed."""
    return st.one_of(st.integers(-(10**20), 10**20), st.floats(-1e6, 1e6, allow_nan=False))


_OPERATORS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "^": lambda a, b: a**b,
}


@settings(max_examples=examples(300))
@given(
    st.one_of(expressions(max_leaves=6), moderate_constants_or_numbers()),
    st.one_of(expressions(max_leaves=6), moderate_constants_or_numbers()),
    st.sampled_from(sorted(_OPERATORS)),
)
def test_arithmetic_builds_the_node_the_text_parses_to(a: object, b: object, sign: str) -> None:
    if not isinstance(a, Expr) and not isinstance(b, Expr):
        return  # two numbers: Python's own arithmetic
    built = _OPERATORS[sign](a, b)
    assert built is parse(f"({_text(a)}) {sign} ({_text(b)})")


def _text(value: object) -> str:
    return repr(value) if isinstance(value, int | float) else str(value)


def test_arithmetic_examples_and_what_it_refuses() -> None:
    x, y = parse("x"), parse("y")
    assert x**2 * y + 1 is parse("x^2*y + 1")
    assert -2 * x is parse("-2*x") and 1 / x is parse("1/x") and 2**x is parse("2^x")
    assert -x is parse("-x") and +x is x
    assert (x - -0.0) is parse("x - -0.0")  # the sign of a zero is kept, as parsed
    assert (x + 10**30) is parse("x + 1000000000000000000000000000000")  # ints stay exact
    assert (parse("sin(x)") * x).diff("x") is parse("sin(x) + x*cos(x)")
    with pytest.raises(SymdiffError, match="finite, not inf"):
        x + math.inf
    for other in ("y", True, None, [1]):
        with pytest.raises(TypeError):
            x + other  # type: ignore[operator]
