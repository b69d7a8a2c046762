"""The interactive session: the Session's logic directly, then the terminal through pexpect."""

from __future__ import annotations

import io
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scripts import installed_script, interruptible
from strategies import examples, expressions, points

import symdiff
from symdiff.ir.nodes import Expr, is_constant, make, variable
from symdiff.ir.ops import FUNCTIONS, OPS
from symdiff.repl.session import Reply, Session, help_text
from symdiff.repl.terminal import history_path, run_repl


def run(session: Session, line: str) -> str:
    """The text a line gives; the test fails on an error."""
    reply = session.run(line)
    assert reply.error is None, reply.error
    return reply.text


def error(session: Session, line: str) -> str:
    reply = session.run(line)
    assert reply.error is not None, f"{line!r} gave no error but {reply.text!r}"
    return reply.error


def caret_column(message: str) -> int:
    """The 1-based column the caret points at, read from the rendered message."""
    caret_line = next(line for line in message.splitlines() if line.strip() == "^")
    return len(caret_line) - 2


def value_of(text: str) -> float:
    return float(text.rsplit("=", 1)[1])


def d(formula: str, var: str = "x", order: int = 1) -> str:
    """The library's derivative as text: what the session must show, however the
    simplifier writes it."""
    return str(symdiff.derivative(formula, var, order))


def partials(formula: str) -> dict[str, str]:
    return {name: str(e) for name, e in symdiff.gradient(formula).items()}


@pytest.fixture
def session() -> Session:
    return Session()


# --- the session of the issue -------------------------------------------------------------


def test_the_session_of_the_issue(session: Session) -> None:
    assert run(session, "f = sin(x*y) + cos(x*y)") == ""
    assert run(session, "x = 2; y = 3") == ""
    shown = run(session, "f")
    assert shown.startswith("f = sin(x*y) + cos(x*y) = ")
    assert math.isclose(value_of(shown), math.sin(6) + math.cos(6))
    f = "sin(x*y) + cos(x*y)"
    gradient = run(session, "grad f").splitlines()
    assert [line.rsplit(" = ", 1)[0] for line in gradient] == [
        f"∂f/∂x = {partials(f)['x']}",
        f"∂f/∂y = {partials(f)['y']}",
    ]
    assert math.isclose(value_of(gradient[0]), 3 * (math.cos(6) - math.sin(6)))
    assert math.isclose(value_of(gradient[1]), 2 * (math.cos(6) - math.sin(6)))
    assert run(session, "d/dx f").startswith(f"{d(f)} = ")
    assert run(session, "diff(f, x)") == run(session, "d/dx f")
    assert run(session, "diff(f, x, 2)") == run(session, "d^2/dx^2 f")
    assert run(session, "diff(f, x, 2)").startswith(f"{d(f, 'x', 2)} = ")
    assert run(session, "g(t) = t^2 + 1") == ""
    assert run(session, "d/dx g(x*y)") == f"{d('(x*y)^2 + 1')} = 36.0"
    assert run(session, ":latex d/dx f") == symdiff.derivative(f, "x").to_latex()


def test_an_expression_without_values_is_shown_without_a_value(session: Session) -> None:
    assert run(session, "d/dx x^3*y") == d("x^3*y")
    assert run(session, "x = 2") == ""
    assert run(session, "d/dx x^3*y") == d("x^3*y")
    assert run(session, "y = 1") == ""
    assert run(session, "d/dx x^3*y") == f"{d('x^3*y')} = 12.0"
    assert run(session, "2 + 3") == "2 + 3 = 5.0"


def test_values_may_be_constant_formulas(session: Session) -> None:
    run(session, "θ = pi/4")
    assert math.isclose(session.values["θ"], math.pi / 4)
    assert math.isclose(value_of(run(session, "sin(θ)^2")), 0.5)


def test_a_value_that_is_undefined_is_shown_with_the_reason(session: Session) -> None:
    run(session, "x = 2")
    shown = run(session, "log(x - 5)")
    assert shown.startswith("log(x - 5)\n")
    assert "log(x - 5) is undefined" in shown


def test_at_gives_values_for_one_statement(session: Session) -> None:
    # As the command line's --at: the values hold for the statement, not the session.
    f = "sin(x*y) + cos(x*y)"
    run(session, f"f = {f}")
    run(session, "y = 1")
    shown = run(session, "f at x = 2, y = 3")
    assert shown == f"f = {f} = {math.sin(6) + math.cos(6)!r}"
    gradient = run(session, "grad f at x=2,y=3").splitlines()
    assert [line.rsplit(" = ", 1)[0] for line in gradient] == [
        f"∂f/∂x = {partials(f)['x']}",
        f"∂f/∂y = {partials(f)['y']}",
    ]
    assert value_of(gradient[0]) == symdiff.differentiate(f, x=2, y=3)["x"]
    assert run(session, "d/dx x^2 at x = pi/2") == f"{d('x^2')} = {math.pi!r}"
    assert run(session, "f at x = 2") == f"f = {f} = {math.sin(2) + math.cos(2)!r}"  # y = 1
    assert run(session, "x^2 at x = 3; x") == "x^2 = 9.0\nx"  # x has no value after
    assert session.values == {"y": 1.0}


@settings(max_examples=examples(150), deadline=None)
@given(expressions(max_leaves=6), points(), st.sampled_from(["", "grad ", "d/dx ", "hessian "]))
def test_at_shows_what_the_values_given_first_show(
    expr: Expr, point: dict[str, float], command: str
) -> None:
    # "f at x = 1, ..." is "x = 1; ...; f" in a session of its own.
    values = ", ".join(f"{name} = {value!r}" for name, value in point.items())
    at, given = Session(), Session()
    reply = at.run(f"{command}{expr} at {values}")
    given.run(values.replace(",", ";"))
    assert reply == given.run(f"{command}{expr}")
    assert at.values == {}


@pytest.mark.parametrize(
    ("line", "message", "column"),
    [
        ("f at x = 2, 3", "after at come values, name = value", 13),
        ("f at x = (1", "unexpected end of formula", 12),
        ("f at f = 2", "f is a named expression, not a variable", None),
        ("f at x = log(-1)", "log(-1) is undefined", None),
    ],
)
def test_bad_values_after_at(session: Session, line: str, message: str, column: int | None) -> None:
    run(session, "f = x^2")
    shown = error(session, line)
    assert message in shown
    if column is not None:
        assert caret_column(shown) == column
    assert session.values == {}


# --- names -----------------------------------------------------------------------------------


def test_named_expressions_are_looked_up_when_used(session: Session) -> None:
    run(session, "f = g + 1")  # g is not defined yet: a variable for now
    run(session, "g = x^2")
    assert run(session, "f") == "f = x^2 + 1"
    run(session, "g = x^3")
    assert run(session, "f") == "f = x^3 + 1"
    assert run(session, "d/dx f") == d("x^3 + 1")
    run(session, "x = 2")
    assert run(session, "f") == "f = x^3 + 1 = 9.0"
    run(session, "x = 3")
    assert run(session, "f") == "f = x^3 + 1 = 28.0"


def test_a_name_is_one_thing_at_a_time(session: Session) -> None:
    run(session, "x = y + 1")
    assert "x" in session.formulas
    run(session, "x = 2")
    assert session.values == {"x": 2.0} and "x" not in session.formulas
    run(session, "x(t) = t")
    assert "x" in session.functions and "x" not in session.values
    run(session, "x = 5")
    assert session.values == {"x": 5.0} and not session.functions


def test_a_name_on_the_right_of_its_own_definition_is_its_previous_meaning(
    session: Session,
) -> None:
    run(session, "f = x^2")
    run(session, "f = f + 1")
    assert run(session, "f") == "f = x^2 + 1"
    run(session, "n = 2")
    run(session, "n = n*n + 1")
    assert session.values["n"] == 5.0
    message = error(session, "z = z + 1")
    assert "z is not defined yet" in message
    assert "z" not in session.formulas and "z" not in session.values


def test_circular_definitions_are_refused_and_names_kept(session: Session) -> None:
    run(session, "f = g + 1")
    run(session, "g = h*2")
    message = error(session, "h = f - 1")
    assert "circular" in message
    assert "h uses f uses g uses h" in message
    assert "h" not in session.formulas
    run(session, "h = x + 1; x = 2")
    message = error(session, "x = f")  # a value may not depend on itself either
    assert "x uses f uses g uses h uses x" in message
    assert session.values == {"x": 2.0}
    assert run(session, "f") == "f = (x + 1)*2 + 1 = 7.0"


def test_errors_keep_every_name(session: Session) -> None:
    run(session, "f = x^2; x = 3; g(t) = t + 1")
    before = run(session, ":vars")
    for bad in ["2x", "f = ", "sin(", "g(1, 2)", "x = log(-1)", "d/dg f", ":nope", "f = )"]:
        error(session, bad)
    assert run(session, ":vars") == before


def test_an_error_stops_the_line_after_the_statements_before_it(session: Session) -> None:
    reply = session.run("x = 2; x; y = 2y; y = 5")
    assert reply.text == "x = 2.0"
    assert reply.error is not None and "implicit multiplication" in reply.error
    assert session.values == {"x": 2.0}


def test_vars_lists_definitions_that_can_be_typed_again(session: Session) -> None:
    assert run(session, ":vars") == "(no names defined yet)"
    run(session, "x = 2; f = sin(x*y); g(a, b) = a*b + 1")
    listing = run(session, ":vars")
    assert listing == "x = 2.0\nf = sin(x*y)\ng(a, b) = a*b + 1"
    again = Session()
    for line in listing.splitlines():
        run(again, line)
    assert run(again, ":vars") == listing


def test_reset_and_del(session: Session) -> None:
    run(session, "x = 2; f = x^2; g(t) = t")
    assert run(session, ":del f g") == "forgot f, g"
    assert run(session, ":vars") == "x = 2.0"
    assert "no such name" in error(session, ":del nothing")
    run(session, ":reset")
    assert run(session, ":vars") == "(no names defined yet)"
    assert run(session, "x") == "x"


def test_constants_and_built_in_functions_cannot_be_redefined(session: Session) -> None:
    assert "pi is a constant" in error(session, "pi = 3")
    assert "e is a constant" in error(session, "e(t) = t")
    assert "sin is a built-in function" in error(session, "sin = 2")
    assert "diff is a built-in function" in error(session, "diff(a, b) = a")
    assert "names use ASCII and Greek letters" in error(session, "ж = 2")


# --- user functions --------------------------------------------------------------------------


def _shows_no_value(shown: str) -> bool:
    """Whether no result line of ``shown`` ends in a value."""
    results = [line for line in shown.splitlines() if not line.startswith("  ")]
    return not any(re.search(r" = -?[0-9.]+(e[+-]?[0-9]+)?$", line) for line in results)


def test_a_derivative_has_no_value_where_its_function_is_undefined(session: Session) -> None:
    # d/dx log(x) is 1/x, a formula with the value -1 at x = -1, where log(x) has none: as
    # at the command line (diff --at, grad --at), the derivative has no value there.
    run(session, "x = -1; y = 2")
    run(session, "g = diff(log(x), x); h = 2*g; k(t) = diff(log(t), t)")
    lines = [
        "d/dx log(x)",
        "d^2/dx^2 log(x)",
        "diff(log(x), x)",
        "diff(log(x), x) + 1",
        "diff(diff(log(x), x), x)",
        "grad log(x)*y",
        "hessian log(x)",
        "g",
        "h",
        "h + y",
        "k(x)",
    ]
    for line in lines:
        shown = run(session, line)
        assert "no value here: log(x) is undefined at x = -1.0" in shown, line
        assert _shows_no_value(shown), (line, shown)
        # The formula shown has a value there: only the function has none.
        symdiff.parse(shown.splitlines()[0].rsplit(" = ", 1)[-1]).evaluate(session.values)
    assert run(session, "k(y)") == "1/y = 0.5"  # log(y) is defined at y = 2
    assert run(session, "g at x = 2") == "g = 1/x = 0.5"
    assert run(session, "d/dx log(x) at x = 4") == "1/x = 0.25"
    # A value is a number now: one that a derivative would give where there is none is refused.
    assert "log(-1) is undefined" in error(session, "v = diff(log(-1), x) + 1")
    assert "v" not in session.values
    # Another definition under a name drops what the old one differentiated.
    run(session, "g = 1/x")
    assert run(session, "g") == "g = 1/x = -1.0"


@settings(max_examples=examples(150), deadline=None)
@given(expressions(max_leaves=6), points())
def test_a_derivative_shows_a_value_where_it_and_its_function_have_one(
    expr: Expr, point: dict[str, float]
) -> None:
    # d/dx f shows the value of its formula where f has one too, and "no value here"
    # with f's own error where f has none, whatever value the formula has there.
    session = Session()
    session.run("; ".join(f"{name} = {value!r}" for name, value in point.items()))
    shown = session.run(f"d/dx {expr}").text
    formula = symdiff.derivative(expr, "x")
    try:
        expr.evaluate(point)
    except symdiff.DomainError as error:
        assert f"no value here: {error}" in shown
        return
    try:
        value = formula.evaluate(point)
    except symdiff.DomainError:
        assert "no value here" in shown
        return
    number = formula.args[0] if formula.op is OPS["neg"] else formula
    if is_constant(number):  # a number is shown as itself
        assert "no value here" not in shown
    else:
        assert shown.endswith(f" = {value!r}"), (shown, value)


def test_a_derivative_has_a_value_at_points_of_its_function(session: Session) -> None:
    # Where x*y has no value (x has none), its derivative by x, y, has none either.
    run(session, "y = 3")
    assert run(session, "d/dx x*y") == "y"
    assert run(session, "d/dx x*y at x = 1") == "y = 3.0"
    run(session, "x = 0")
    assert run(session, "d/dx x*y") == "y = 3.0"
    assert run(session, "d/dx 3*x") == "3"
    assert "no value here" in run(session, "d/dx 3*log(x)")


def test_user_functions_are_inlined_so_derivatives_go_through(session: Session) -> None:
    run(session, "g(t) = t^2 + 1")
    assert run(session, "g(sin(x))") == "sin(x)^2 + 1"
    assert run(session, "d/dx g(sin(x))") == d("sin(x)^2 + 1")
    run(session, "h(u, v) = g(u)*v")
    assert run(session, "h(x, y)") == "(x^2 + 1)*y"
    expected = partials("(x^2 + 1)*y")
    assert run(session, "grad h(x, y)") == f"∂/∂x = {expected['x']}\n∂/∂y = {expected['y']}"


def test_parameters_are_replaced_all_at_once(session: Session) -> None:
    run(session, "k(a, b) = a - b")
    assert run(session, "k(b, a)") == "b - a"
    assert run(session, "k(-x, 2)") == "-x - 2"


def test_a_function_body_may_use_names_looked_up_later(session: Session) -> None:
    run(session, "scale(t) = a*t")
    run(session, "a = 3")
    assert run(session, "scale(x)") == "a*x"
    run(session, "x = 2")
    assert run(session, "scale(x)") == "a*x = 6.0"


def test_redefining_a_function_in_terms_of_itself_uses_the_old_one(session: Session) -> None:
    run(session, "g(t) = t + 1")
    run(session, "g(t) = 2*g(t)")
    assert run(session, "g(x)") == "2*(x + 1)"
    assert "unknown function q" in error(session, "q(t) = q(t) + 1")


def test_wrong_arity_for_a_user_function_is_a_caret_error(session: Session) -> None:
    run(session, "g(t) = t^2")
    message = error(session, "1 + g(x, y)")
    assert "g takes 1 argument, not 2" in message
    assert caret_column(message) == 5
    message = error(session, "g + 1")
    assert "g is a function" in message and "call it with parentheses" in message
    message = error(session, "gg(x)")
    assert "did you mean g(...)?" in message


@pytest.mark.parametrize(
    ("line", "message", "column"),
    [
        ("g(t, t) = 1", "the parameter t appears twice", 6),
        ("g(t,) = 1", "a parameter name is missing", 5),
        ("g(2) = 1", "a parameter is a name, not 2", 3),
        ("g(pi) = 1", "pi is a constant", 3),
        ("g(sin) = 1", "sin is a built-in function", 3),
        ("g(x) = 2x", "implicit multiplication", 9),
    ],
)
def test_bad_function_definitions(session: Session, line: str, message: str, column: int) -> None:
    shown = error(session, line)
    assert message in shown
    assert caret_column(shown) == column


# --- derivatives -----------------------------------------------------------------------------


def test_derivative_forms(session: Session) -> None:
    assert run(session, "d/dx x^3") == d("x^3")
    assert run(session, "d/dx(x^3)") == d("x^3")
    assert run(session, "d^2/dx^2 x^3") == d("x^3", "x", 2)
    assert run(session, "d^3/dx x^3") == "6"
    assert run(session, "diff(x^3, x, 3)") == "6"
    assert run(session, "diff(x^3, x, 0)") == "x^3"
    assert run(session, "d/dy diff(x^2*y^2, x)") == d(d("x^2*y^2"), "y")
    assert run(session, "diff(x^2, x) + diff(y^2, y)") == f"{d('x^2')} + {d('y^2', 'y')}"
    assert "the two orders differ" in error(session, "d^2/dx^3 x")


def test_derivatives_in_definitions_are_taken_when_the_line_is_read(session: Session) -> None:
    run(session, "f = x^3")
    run(session, "df = diff(f, x)")
    run(session, "f = x^4")
    assert run(session, "df") == f"df = {d('x^3')}"


def test_bad_diff_calls_point_at_diff(session: Session) -> None:
    message = error(session, "1 + diff(x^2, 2)")
    assert "the second argument is a variable" in message
    assert caret_column(message) == 5
    assert "n is the order" in error(session, "diff(x^2, x, 1.5)")
    assert "diff takes 2 or 3 arguments, not 1" in error(session, "diff(x)")
    run(session, "f = x^2")
    # A named expression is a variable to differentiate by (tests/test_repl_wrt.py).
    assert run(session, "diff(x, f)") == "0"
    assert run(session, "d/df x") == "0"
    assert "f is a named expression, not a variable" in error(session, ":newton x - 1, f = 2")
    assert "pi is not a variable" in error(session, "d/dpi x")


def test_hessian_lists_each_second_derivative_once(session: Session) -> None:
    run(session, "f = x^2*y")
    h = symdiff.hessian("x^2*y")
    assert run(session, "hessian f") == f"∂²f/∂x² = {h[0][0]}\n∂²f/∂x∂y = {h[0][1]}\n∂²f/∂y² = 0"
    assert run(session, "grad 5") == "(no variables, so no derivatives)"


def test_ascii_labels_where_the_output_cannot_show_unicode() -> None:
    session = Session(unicode=False)
    run(session, "f = x^2*y")
    expected = partials("x^2*y")
    assert run(session, "grad f") == f"df/dx = {expected['x']}\ndf/dy = {expected['y']}"
    mixed = symdiff.hessian("x^2*y")[0][1]
    assert run(session, "hessian f").splitlines()[1] == f"d2f/dxdy = {mixed}"


def test_latex_of_expressions_and_commands(session: Session) -> None:
    run(session, "f = sqrt(x)/y")
    assert run(session, ":latex f") == "f = \\frac{\\sqrt{x}}{y}"
    assert run(session, ":latex x^2") == "x^{2}"
    gradient = symdiff.gradient("sqrt(x)/y")
    assert run(session, ":latex grad f").splitlines() == [
        f"\\frac{{\\partial f}}{{\\partial x}} = {gradient['x'].to_latex()}",
        f"\\frac{{\\partial f}}{{\\partial y}} = {gradient['y'].to_latex()}",
    ]
    assert run(session, ":latex hessian x*y").splitlines()[1] == (
        "\\frac{\\partial^{2}}{\\partial x \\partial y} = 1"
    )
    assert "not a definition" in error(session, ":latex g = 2")
    assert "needs an expression" in error(session, ":latex")


# --- errors ----------------------------------------------------------------------------------


def test_caret_errors_point_into_the_whole_line(session: Session) -> None:
    message = error(session, "x = 2; y = 2y")
    assert "implicit multiplication is not supported (at line 1, column 13)" in message
    assert "\n  x = 2; y = 2y\n              ^\ndid you mean 2*y?" in message
    message = error(session, ":latex d/dx 3x")
    assert caret_column(message) == 14
    assert caret_column(error(session, "f =  sin(")) == 10
    assert "the left side of = is a name" in error(session, "2x = 3")


def test_unknown_commands_suggest_a_known_one(session: Session) -> None:
    assert "unknown command :lates; did you mean :latex?" in error(session, ":lates x")
    assert ":vars takes nothing after it" in error(session, ":vars x")


def test_quit_and_its_aliases(session: Session) -> None:
    for line in [":quit", ":q", ":exit", "x = 1; :quit; x = 2"]:
        assert session.run(line).quit
    assert session.values == {"x": 1.0}


def test_help_explains_the_syntax() -> None:
    text = help_text()
    for needle in ["^ for power", "not 2x", "pi", " e.", "sign and heaviside", ":latex", ":vars"]:
        assert needle in text
    listed = " ".join(text.split())
    for name in FUNCTIONS:
        assert f" {name} " in f" {listed} ", name


_LINE_TEXT = st.text(alphabet="xyfg()=,;:^*/+-. 0123456789d/latexvarsdiffgradsinπ\t", max_size=30)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_LINE_TEXT, max_size=6))
def test_no_line_raises(lines: list[str]) -> None:
    session = Session()
    for line in lines:
        reply = session.run(line)
        assert isinstance(reply, Reply)


# --- large and deep --------------------------------------------------------------------------


def _sin_chain(depth: int) -> Expr:
    node = variable("x")
    for _ in range(depth):
        node = make(OPS["sin"], (node,))
    return node


@pytest.mark.slow
def test_a_100000_deep_named_expression_is_substituted_and_evaluated(session: Session) -> None:
    session.define("f", _sin_chain(100_000))
    run(session, "g = f + 1; h = 2*g; x = 0.5")
    shown = run(session, "h")
    assert shown.startswith("h = (an expression of 100005 distinct nodes, too large to show)")
    expected = 0.5
    for _ in range(100_000):
        expected = math.sin(expected)
    assert math.isclose(value_of(shown), 2 * (expected + 1))


def test_a_derivative_that_would_print_exponentially_long_is_summarised(
    session: Session,
) -> None:
    session.define("f", _sin_chain(2_000))
    shown = run(session, "d/dx f")
    assert "too large to show" in shown
    assert "too large for LaTeX" in error(session, ":latex d/dx f")


def test_a_graph_that_shares_much_is_printed_with_let_bindings(session: Session) -> None:
    node = variable("x")
    for _ in range(14):  # 2^14 leaves as a tree, 43 distinct nodes
        node = make(OPS["mul"], (make(OPS["sin"], (node,)), make(OPS["cos"], (node,))))
    session.define("f", node)
    lines = run(session, "f").splitlines()
    assert lines[:2] == ["f =", "  t1 = sin(x)*cos(x)"]
    assert lines[-1] == "  sin(t13)*cos(t13)"
    assert len(lines) == 15
    assert run(session, "x = 1; f").endswith(f" = {node.evaluate(x=1)!r}")


# --- completion ------------------------------------------------------------------------------


def test_completion_of_functions_constants_commands_and_names(session: Session) -> None:
    assert session.complete("hyp") == ("hyp", ["hypot("])
    assert session.complete("1 + si")[1] == ["sign(", "sin(", "sinc(", "sinh("]
    assert session.complete("p")[1] == ["pi", "polygamma(", "pow("]
    assert session.complete(":la") == (":la", [":latex"])
    assert session.complete("gr")[1] == ["grad "]
    assert session.complete("x + gr")[1] == []
    assert session.complete("2e") == ("", [])
    assert session.complete("") == ("", [])
    run(session, "velocity = 3; vector = x; volume(r) = r^3")
    assert session.complete("v")[1] == ["vector", "velocity", "volume("]


# --- plain input, without a terminal ---------------------------------------------------------


def _piped(text: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run_repl(io.StringIO(text), stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def test_piped_lines_get_no_prompt() -> None:
    status, out, err = _piped("f = x^3\nx = 2\nd/dx f\n")
    assert (status, out, err) == (0, f"{d('x^3')} = 12.0\n", "")


def test_piped_errors_name_their_line_and_the_rest_still_run() -> None:
    status, out, err = _piped("x = 2\n2x\nx^2\n:nope\n")
    assert status == 2
    assert out == "x^2 = 4.0\n"
    assert "symdiff: line 2: implicit multiplication is not supported (at line 2, column 2)" in err
    assert "\n  2x\n   ^\n" in err
    assert "symdiff: line 4: unknown command :nope" in err


def test_piped_quit_stops_reading() -> None:
    assert _piped("1 + 1\n:quit\n2 + 2\n") == (0, "1 + 1 = 2.0\n", "")


def test_a_bug_is_reported_without_a_traceback_and_the_session_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_run = Session.run

    def run_with_a_bug(self: Session, line: str, line_number: int = 1) -> Reply:
        if line == "boom":
            raise RuntimeError("a bug")
        return real_run(self, line, line_number)

    monkeypatch.setattr(Session, "run", run_with_a_bug)
    status, out, err = _piped("x = 2\nboom\nx\n")
    assert (status, out) == (2, "x = 2.0\n")
    assert err == "symdiff: line 2: internal error, please report it: RuntimeError: a bug\n"


def test_ctrl_c_stops_a_piped_session(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(self: Session, line: str, line_number: int = 1) -> Reply:
        raise KeyboardInterrupt

    monkeypatch.setattr(Session, "run", interrupted)
    assert _piped("1\n2\n") == (130, "", "")


# --- where the history is kept ---------------------------------------------------------------


def test_history_path_honours_symdiff_history_then_xdg_data_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SYMDIFF_HISTORY", str(tmp_path / "h"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert history_path() == tmp_path / "h"
    monkeypatch.delenv("SYMDIFF_HISTORY")
    assert history_path() == tmp_path / "data" / "symdiff" / "history"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/paths/are/ignored")
    if sys.platform.startswith("linux"):
        assert history_path() == Path.home() / ".local" / "share" / "symdiff" / "history"


def test_a_history_that_cannot_be_written_is_kept_in_memory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from prompt_toolkit.history import InMemoryHistory

    from symdiff.repl.terminal import _open_history

    (tmp_path / "a-file").write_text("", encoding="utf-8")
    monkeypatch.setenv("SYMDIFF_HISTORY", str(tmp_path / "a-file" / "history"))
    stderr = io.StringIO()
    assert isinstance(_open_history(stderr), InMemoryHistory)
    assert stderr.getvalue().startswith("symdiff: history is not kept (")


def test_prompt_toolkit_is_loaded_only_for_the_interactive_session() -> None:
    code = (
        "import sys, symdiff, symdiff.cli.main, symdiff.repl.terminal; "
        "print('prompt_toolkit' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"


# --- the terminal, through a pseudo-terminal -------------------------------------------------

PROMPT = "symdiff>"
# Control sequences a terminal interprets: removed before looking at what is shown.
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>]|\r")


def _terminal_environment(home: Path, term: str = "xterm") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SYMDIFF_HISTORY")}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        TERM=term,
        # The test terminal does not answer cursor-position requests.
        PROMPT_TOOLKIT_NO_CPR="1",
        NO_COLOR="1",
    )
    return env


class Terminal:
    """The installed ``symdiff`` on a pseudo-terminal.

    Every step waits for what the line shows and then for the next prompt, so keys are
    only ever sent to a waiting prompt (Ctrl-C sent while a line runs would interrupt it).
    """

    def __init__(self, home: Path, term: str = "xterm") -> None:
        self.child = pexpect.spawn(
            installed_script(),
            cwd=str(home),
            env=_terminal_environment(home, term),
            encoding="utf-8",
            dimensions=(30, 150),
            timeout=30,
            preexec_fn=interruptible,
        )
        # pexpect waits 50 ms before each send by default, for programs that turn echo
        # off after showing a prompt; every step here waits for the prompt instead.
        self.child.delaybeforesend = None
        self.transcript = io.StringIO()
        self.child.logfile_read = self.transcript
        if term != "dumb":
            self.child.expect_exact("Ctrl-D leaves")
        self.child.expect_exact(PROMPT)

    def step(self, keys: str, shown: str) -> None:
        """Type ``keys`` and Enter; wait for ``shown`` (a regex) and the next prompt."""
        self.child.send(keys + "\r")
        self.child.expect(shown)
        self.child.expect_exact(PROMPT)

    def shown(self) -> str:
        return _CONTROL.sub("", self.transcript.getvalue())

    def leave(self) -> int:
        self.child.sendcontrol("d")
        self.child.expect(pexpect.EOF)
        self.child.close()
        status: int = self.child.exitstatus
        return status


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    yield term
    if term.child.isalive():
        term.child.terminate(force=True)


def test_typing_a_session(terminal: Terminal) -> None:
    f = "sin(x*y) + cos(x*y)"
    terminal.step(f"f = {f}", "")
    terminal.step("x = 2; y = 3; :vars", r"y = 3\.0")
    terminal.step("f", re.escape(f"f = {f} = 0.6807547884"))
    terminal.step("grad f", re.escape(f"∂f/∂y = {partials(f)['y']} = 2.479171569"))
    terminal.step("d/dx f", re.escape(f"{d(f)} = 3.718757354"))
    terminal.step("g(t) = t^2 + 1; d/dt g(t)", re.escape(d("t^2 + 1", "t")))
    assert terminal.leave() == 0


def test_an_error_shows_its_caret_and_names_are_kept(terminal: Terminal) -> None:
    terminal.step("f = x^2; x = 3; f", r"f = x\^2 = 9\.0")
    terminal.step("f = 2x", r"did you mean 2\*x\?")
    terminal.step("f", r"f = x\^2 = 9\.0")
    assert terminal.leave() == 0
    assert "implicit multiplication is not supported" in terminal.shown()
    assert "\n  f = 2x\n       ^\n" in terminal.shown()
    assert "Traceback" not in terminal.shown()


def test_tab_completes_functions_commands_and_session_names(terminal: Terminal) -> None:
    terminal.child.send("hyp\t")
    terminal.child.expect(r"hypot\(")
    terminal.step("3, 4)", r"hypot\(3, 4\) = 5\.0")
    terminal.step("velocity = 3; :vars", r"velocity = 3\.0")
    terminal.step("2*velo\t", r"2\*velocity = 6\.0")
    terminal.step(":va\t", r"velocity = 3\.0")
    assert terminal.leave() == 0


def test_up_arrow_recalls_the_previous_line(terminal: Terminal) -> None:
    terminal.step("6*7", r"6\*7 = 42\.0")
    terminal.step("1 + 1", r"1 \+ 1 = 2\.0")
    terminal.step("\x1b[A\x1b[A", r"6\*7 = 42\.0")  # up twice: 6*7 again
    assert terminal.leave() == 0


def test_history_persists_in_the_data_directory(tmp_path: Path) -> None:
    first = Terminal(tmp_path)
    first.step("2^10", r"2\^10 = 1024\.0")
    assert first.leave() == 0
    history = tmp_path / "data" / "symdiff" / "history"
    assert "2^10" in history.read_text(encoding="utf-8")
    second = Terminal(tmp_path)
    second.step("\x1b[A", r"2\^10 = 1024\.0")
    assert second.leave() == 0


def test_ctrl_c_cancels_the_line_and_the_session_goes_on(terminal: Terminal) -> None:
    terminal.step("x = 5; x", r"x = 5\.0")
    terminal.child.send("1 + ")
    terminal.child.expect_exact("1 +")
    terminal.child.sendcontrol("c")
    terminal.step("x*2", r"x\*2 = 10\.0")
    assert terminal.leave() == 0
    assert "unexpected" not in terminal.shown()
    assert "interrupted" not in terminal.shown()


def test_quit_leaves_with_status_0(terminal: Terminal) -> None:
    terminal.child.send(":quit\r")
    terminal.child.expect(pexpect.EOF)
    terminal.child.close()
    assert terminal.child.exitstatus == 0


def test_a_dumb_terminal_gets_a_plain_prompt_without_control_sequences(tmp_path: Path) -> None:
    dumb = Terminal(tmp_path, term="dumb")
    dumb.step("x = 3; d/dx x^3", r"= 27\.0")
    dumb.step("2x", "implicit multiplication")
    dumb.child.send("1 +")
    dumb.child.sendintr()
    dumb.child.expect_exact(PROMPT)
    dumb.step("x", r"x = 3\.0")
    assert dumb.leave() == 0
    assert "\x1b" not in dumb.transcript.getvalue()
    assert "symdiff> x = 3" in dumb.transcript.getvalue()
    assert not (tmp_path / "data").exists()  # no line editor, so no history file


# --- the README ----------------------------------------------------------------------------


def test_the_readme_transcript_is_what_the_session_shows() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## REPL\n", 1)[1]
    transcript = section.split("```\n", 2)[1]
    session = Session()
    expected: list[str] = []
    for line in transcript.splitlines():
        if line.startswith(PROMPT + " "):
            reply = session.run(line[len(PROMPT) + 1 :])
            expected.append(line)
            expected += [part for part in (reply.text, reply.error) if part]
    assert "\n".join(expected) + "\n" == transcript, "update the REPL transcript in README.md"
