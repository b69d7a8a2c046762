"""Derivatives by a named expression in the REPL: ``d/dr z`` treats r as the variable it
names, holding the session's other names fixed, and answers in terms of r."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

import symdiff
from symdiff.ir.nodes import variable
from symdiff.ir.substitute import substitute
from symdiff.repl.session import Session


def run(session: Session, line: str) -> str:
    reply = session.run(line)
    assert reply.error is None, reply.error
    return reply.text


@pytest.fixture
def session() -> Session:
    s = Session()
    run(s, "r = x*y")
    run(s, "z = sin(r) + cos(r)")
    return s


def test_d_by_an_intermediate_keeps_it_a_variable(session: Session) -> None:
    expected = str(symdiff.derivative("sin(r) + cos(r)", "r"))
    assert "r" in expected and "x" not in expected
    assert run(session, "d/dr z") == expected
    assert run(session, "diff(z, r)") == expected
    assert run(session, "d^2/dr^2 z") == str(symdiff.derivative("sin(r) + cos(r)", "r", 2))
    assert run(session, "diff(z, r) + r") == str(symdiff.parse(f"{expected} + r"))


def test_the_value_comes_from_the_intermediates_definition(session: Session) -> None:
    run(session, "x = 2; y = 3")
    expected = symdiff.differentiate("sin(r) + cos(r)", r=6.0)["r"]
    text = run(session, "d/dr z")
    assert text.startswith(str(symdiff.derivative("sin(r) + cos(r)", "r")))
    assert math.isclose(float(text.rsplit("= ", 1)[1]), expected, rel_tol=1e-15)
    # The same number as the explanation's adjoint of r (the node named r there too).
    assert math.isclose(symdiff.explain("sin(x*y) + cos(x*y)", x=2, y=3).adjoints["r"], expected)


def test_names_that_use_the_intermediate_keep_it_at_every_depth(session: Session) -> None:
    run(session, "w = r^2")
    run(session, "v = w + r + x")
    # x is held fixed: d/dr of r^2 + r + x is a partial derivative.
    assert run(session, "d/dr v") == str(symdiff.derivative("r^2 + r + x", "r"))
    # By a true variable, every name is looked up as before.
    assert run(session, "d/dx v") == str(symdiff.derivative("(x*y)^2 + x*y + x", "x"))


def test_a_definition_by_diff_follows_the_intermediate_later(session: Session) -> None:
    run(session, "dz = diff(z, r)")
    in_r = symdiff.derivative("sin(r) + cos(r)", "r")
    in_xy = substitute(in_r, {variable("r"): symdiff.parse("x*y")})
    assert run(session, "dz") == f"dz = {in_xy}"


def test_explain_by_an_intermediate(session: Session) -> None:
    symbolic = run(session, ":explain d/dr z")
    assert symbolic.endswith(f"∂z/∂r = {symdiff.derivative('sin(r) + cos(r)', 'r')}")
    run(session, "x = 2; y = 3")
    numeric = run(session, ":explain d/dr z")
    assert numeric.endswith(f"∂z/∂r = {symdiff.differentiate('sin(r) + cos(r)', r=6.0)['r']!r}")


def test_functions_and_constants_are_still_refused(session: Session) -> None:
    run(session, "g(t) = t^2")
    assert "g is a function" in (session.run("d/dg z").error or "")
    assert "pi is not a variable" in (session.run("d/dpi z").error or "")


@settings(max_examples=examples(25), deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3))
def test_chain_rule_through_the_intermediate(x: float, y: float) -> None:
    # dz/dx = dz/dr * dr/dx: the REPL's d/dr z times y is differentiate's dz/dx.
    session = Session()
    run(session, "r = x*y; z = sin(r) + cos(r)")
    run(session, f"x = {x!r}; y = {y!r}")
    dz_dr = float(run(session, "d/dr z").rsplit("= ", 1)[1])
    dz_dx = symdiff.differentiate("sin(x*y) + cos(x*y)", x=x, y=y)["x"]
    assert math.isclose(dz_dr * y, dz_dx, rel_tol=1e-12, abs_tol=1e-12)
