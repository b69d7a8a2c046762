"""The lean LALR driver (symdiff/syntax/lalr.py) gives Lark's own parse, or stops.

It runs on Lark's parser as plain data (symdiff/syntax/machine.py). Lark itself is the
oracle: where the driver returns a node, ``Lark.parse`` returns the same (interned) node for
the same text; where the driver stops, the public ``parse`` is Lark's, errors and positions
included.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark
from strategies import examples, expressions, full_trees

import symdiff
from symdiff import ParseError, SymdiffError
from symdiff.ir.nodes import constant, make
from symdiff.ir.ops import OPS
from symdiff.syntax import machine, parser
from symdiff.syntax.lalr import Driver, Unparsed, _reduction, driver
from symdiff.syntax.parser import _Builder, _lark, grammar_text
from symdiff.syntax.tables import LARK_OPTIONS

# The characters and words formulas are made of, pasted symbols included.
PIECES = st.one_of(
    st.text("0123456789.eE+-*/^(), \t\nxyθ\u2212\u00d7\u00b7\u00f7\u221a\u00b2\u207b", max_size=3),
    st.sampled_from(["sin", "atan2", "pi", "e", "**", "1e308", "x_1", "log", "\u00b5", "ϕ"]),
)
TEXTS = st.lists(PIECES, max_size=25).map("".join)


def lark_outcome(text: str) -> object:
    try:
        return _lark().parse(text)
    except Exception as exc:  # what Lark (or a callback) raises for this text
        return type(exc)


def lean_driver() -> Driver:
    lean = parser._driver(parser.BUILDER)
    assert lean is not None
    return lean


def test_the_driver_runs_with_the_installed_lark() -> None:
    # Otherwise parsing silently loses its speed, and every start loads Lark: the driver
    # falls back to Lark.
    # (An installed wheel's machine is the shipped one; a checkout's is read off Lark.)
    data = machine.machine(_lark())
    assert data is not None and parser._machine() is not None
    lean = driver(data, _Builder())
    assert lean is not None
    assert lean("sin(x*y) + 2^-x") is lean_driver()("sin(x*y) + 2^-x")
    assert lean("sin(x*y) + 2^-x") is symdiff.parse("sin(x*y) + 2^-x")


def test_the_machine_read_off_a_new_parser_without_a_transformer_reads_the_same() -> None:
    # The wheel's build reads it off a parser Lark has just built, with no transformer
    # (hatch_build.py); a checkout's comes from Lark's cache, its states numbered otherwise.
    data = machine.machine(Lark(grammar_text(), **LARK_OPTIONS))
    assert data is not None
    built = driver(data, parser.BUILDER)
    assert built is not None
    for text in ["sin(x*y) + 2^-x", "atan2(x, y)/3", "-√x²·y⁻¹ - f", "((x))**2", "pi*e"]:
        assert built(text) is lean_driver()(text) is symdiff.parse(text)


def test_the_driver_folds_the_callbacks_of_the_grammar_s_rules() -> None:
    # Otherwise parsing silently loses a sixth of its speed: each reduction would copy its
    # children slot by slot. What the folded callbacks build is checked against Lark's
    # parse by the properties below.
    data = parser._machine()
    assert data is not None
    builder = _Builder()
    folded = {rule[2] for rule in data["rules"] if _reduction(rule, builder).__name__ == "<lambda>"}
    operators = {"add", "sub", "mul", "div", "neg", "radical", "pow", "superscript"}
    assert operators | {"call", "number", "name", "start", "sum", "product", "unary"} <= folded


def test_the_machine_is_saved_with_a_key_and_read_only_under_it() -> None:
    data = parser._machine()
    assert data is not None
    grammar = grammar_text()
    saved = machine.save(data, grammar)
    assert machine.load(saved, grammar) == data
    assert machine.load(saved, grammar + "\n") is None  # another grammar
    assert machine.load(saved[:-20], grammar) is None  # cut short
    assert machine.load(machine.machine_key(grammar) + b"not marshal", grammar) is None
    assert machine.load(machine.save({"format": "another"}, grammar), grammar) is None


def test_a_builder_without_a_rule_s_method_has_no_driver() -> None:
    # Lark would build a tree for that rule, which the driver does not: Lark parses.
    data = parser._machine()
    assert data is not None
    assert driver(data, object()) is None

    class WithTokenCallback(_Builder):
        def NUMBER(self, token: str) -> str:  # Lark would call it for each number
            return token

    assert driver(data, WithTokenCallback()) is None


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(expressions(max_leaves=12), full_trees(depth=3)))
def test_printed_trees_parse_to_the_node_lark_builds(expr: symdiff.Expr) -> None:
    text = str(expr)
    lean = lean_driver()
    assert lean(text) is _lark().parse(text)


@settings(max_examples=examples(500), suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_any_text_the_driver_reads_is_read_the_same_by_lark(text: str) -> None:
    lean = lean_driver()
    try:
        node = lean(text)
    except Exception:  # the driver stops; Lark parses (next test)
        return
    assert lark_outcome(text) is node


@pytest.mark.parametrize(
    "text",
    [
        "x y",  # a token the table refuses: Lark's error names what was expected
        "sin(x",  # the end of the text too early
        "x + $",  # a character no terminal matches
        "foo(x)",  # a callback's error: an unknown function, with its position
        "sin(x, y)",  # a callback's error: the wrong number of arguments
        "1e999",  # a number too large, refused by a callback
    ],
)
def test_where_the_driver_stops_the_error_is_lark_s_with_its_position(text: str) -> None:
    lean = lean_driver()
    with pytest.raises(Exception) as stopped:
        lean(text)
    assert stopped.type is Unparsed or stopped.type.__name__ == "_Rejected"
    with pytest.raises(ParseError) as refused:
        symdiff.parse(text)
    # The caret is under the offending column, which only Lark's tokens know.
    assert refused.value.column > 1 or text.startswith(("foo", "sin", "1e"))
    assert "^" in str(refused.value)


def test_extra_functions_parse_through_the_driver_too() -> None:
    lean = parser._driver(parser.EXTENSIBLE_BUILDER)
    assert lean is not None

    class Square:
        arities = (1,)

        def __call__(self, *args: symdiff.Expr) -> symdiff.Expr:
            return make(OPS["pow"], (args[0], constant(2)))

    parsed = parser.parse_with_functions("sq(y) + 1", {"sq": Square()})
    assert parsed is symdiff.parse("y^2 + 1")
    with pytest.raises(SymdiffError, match="sq"):
        parser.parse_with_functions("sq(y, z)", {"sq": Square()})


def test_a_parser_of_another_shape_has_no_machine() -> None:
    # Earley has no LALR table: no machine, no driver, and parsing stays Lark's own.
    assert machine.machine(Lark(grammar_text(), parser="earley")) is None
    assert machine.machine(object()) is None
