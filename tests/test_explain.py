"""Explanations: the recorded sweep reads like the worked example, and its numbers are the
sweep's own (bit for bit those of ``differentiate`` and ``derivative``)."""

from __future__ import annotations

import io
import json
import math
import re

import pytest
from corpus import CORPUS
from hypothesis import assume, example, given, settings
from strategies import examples, expressions, points

import symdiff
from symdiff import DomainError, Expr, SymdiffError
from symdiff.cli.main import run
from symdiff.diff.explain import rule_name
from symdiff.ir.nodes import make
from symdiff.ir.ops import OPS
from symdiff.repl.session import Session

TEXTBOOK = "sin(x*y) + cos(x*y)"


def test_the_textbook_example_forward_pass() -> None:
    e = symdiff.explain(TEXTBOOK, x=2, y=3)
    steps = [(s.name, str(s.formula), s.value) for s in e.forward_steps]
    r = 2.0 * 3.0
    assert steps == [
        ("r", "x*y", r),
        ("s", "sin(r)", math.sin(r)),
        ("t", "cos(r)", math.cos(r)),
        ("z", "s + t", math.sin(r) + math.cos(r)),
    ]
    text = str(e)
    assert "r = x*y = 6" in text
    assert "s = sin(r) ≈ -0.2794" in text
    assert "t = cos(r) ≈ 0.9602" in text
    assert "z = s + t ≈ 0.6808" in text


def test_the_textbook_example_backward_pass_adds_the_paths_at_the_shared_node() -> None:
    e = symdiff.explain(TEXTBOOK, x=2, y=3)
    r = 6.0
    by_name = {step.name: step for step in e.backward_steps}
    assert [step.name for step in e.backward_steps] == ["z", "t", "s", "r", "y", "x"]
    assert by_name["z"].paths == ()
    shared = by_name["r"]
    assert [(e.names[p.consumer], p.rule) for p in shared.paths] == [
        ("t", "table: d/du cos(u) = -sin(u)"),
        ("s", "table: d/du sin(u) = cos(u)"),
    ]
    assert [str(p.local_formula) for p in shared.paths] == ["-sin(r)", "cos(r)"]
    assert [p.local for p in shared.paths] == [-math.sin(r), math.cos(r)]
    assert shared.value == math.cos(r) - math.sin(r)
    assert e.adjoints["r"] == e.adjoints[symdiff.parse("x*y")] == shared.value
    text = str(e)
    assert "∂z/∂r = ∂z/∂t·∂t/∂r + ∂z/∂s·∂s/∂r = 1·0.2794 + 1·0.9602 ≈ 1.24" in text
    assert "2 paths meet at r" in text
    assert "∂r/∂x = y = 3  (product rule)" in text
    # (c): the final partials are differentiate's, bit for bit.
    g = symdiff.differentiate(TEXTBOOK, x=2, y=3)
    assert e.partials == dict(g)
    assert e.value == g.value
    assert f"∂z/∂x = {g['x']!r}" in text


def test_the_chain_rule_example() -> None:
    e = symdiff.explain("sin(log(x))", x=2)
    assert [(s.name, str(s.formula)) for s in e.forward_steps] == [("r", "log(x)"), ("z", "sin(r)")]
    assert [s.value for s in e.forward_steps] == [math.log(2), math.sin(math.log(2))]
    assert [s.name for s in e.backward_steps] == ["z", "r", "x"]
    (into_r,) = e.backward_steps[1].paths
    assert str(into_r.local_formula) == "cos(r)"
    assert into_r.local == math.cos(math.log(2))
    (into_x,) = e.backward_steps[2].paths
    assert str(into_x.local_formula) == "1/x"
    assert into_x.local == 0.5
    assert e.partials == {"x": float(symdiff.differentiate("sin(log(x))", x=2))}
    assert "∂r/∂x = 1/x = 0.5  (table: d/du log(u) = 1/u)" in str(e)


def test_a_symbolic_explanation_names_its_rules_and_ends_at_derivative() -> None:
    e = symdiff.explain("x^2*sin(x)/exp(x)", "x")
    assert e.point is None
    assert e.partials == {"x": symdiff.derivative("x^2*sin(x)/exp(x)", "x")}
    rules = {p.rule for step in e.backward_steps for p in step.paths}
    assert {"quotient rule", "product rule", "power rule"} <= rules
    assert "table: d/du sin(u) = cos(u)" in rules
    assert "chain rule" in str(e)


def test_a_symbolic_explanation_of_a_shared_node() -> None:
    e = symdiff.explain(TEXTBOOK, "x")
    (result,) = e.partials.values()
    assert result is symdiff.derivative(TEXTBOOK, "x")
    assert "2 paths meet at r" in str(e)


def test_a_variable_missing_from_the_expression_has_derivative_zero() -> None:
    assert str(symdiff.explain("sin(y)", "x").partials["x"]) == "0"


def test_wrt_with_a_point_explains_one_partial() -> None:
    e = symdiff.explain(TEXTBOOK, "y", x=2, y=3)
    assert e.partials == {"y": symdiff.differentiate(TEXTBOOK, x=2, y=3)["y"]}


def test_the_corpus_partials_are_differentiates_bit_for_bit(subtests: pytest.Subtests) -> None:
    for case in CORPUS:
        with subtests.test(case.text):
            e = symdiff.explain(case.text, case.point)
            g = symdiff.differentiate(case.text, case.point)
            assert e.value == g.value
            assert e.partials == dict(g)


_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


@settings(max_examples=examples(100), deadline=None)
@given(expressions(), points())
# Found by Hypothesis: d/dx csc(x) overflows the floats, so the steps are wide decimals.
@example(symdiff.parse("tanh(csc(x))"), {"x": 4.04e-258})
# Found by Hypothesis: wide steps, where 0^x's slope in x at 0 is 0 as in floats, and where
# each product is the exact one rounded, not the product of the rounded factors.
@example(symdiff.parse("0^x + atan2(x, -1e300)"), {"x": 0.0})
@example(symdiff.parse("x^x + atan2(x, -1e300)"), {"x": 0.0})
@example(symdiff.parse("x*atan2(x, -1e300)"), {"x": 0.0234375})
@example(symdiff.parse("2.556348163871691e+305^x^x"), {"x": 0.0})
@example(symdiff.parse("tanh(sin(exp(exp(3)))) + atan2(x, -1e300)"), {"x": 0.7})
@example(
    symdiff.parse("gamma(atan2(1.7976931348623157e+308, log(x)))"),
    {"x": 1.1297384530259317e-168},
)
# Found by Hypothesis: 14^269 is an exact integer beyond the float range, which min never
# needs as a float; the explanation converted every value and raised OverflowError.
@example(symdiff.parse("min(0, 14^269)"), {"x": 0.0})
@example(symdiff.parse("x*max(-14^269, 14^269*x)"), {"x": 0.0})
def test_every_number_of_an_explanation_agrees_with_differentiate(
    expr: Expr, point: dict[str, float]
) -> None:
    try:
        g = symdiff.differentiate(expr, point)
    except DomainError:
        assume(False)
        return
    e = symdiff.explain(expr, point)
    assert e.value == g.value
    for name in e.partials:
        assert e.partials[name] == g[name]

    # Each adjoint is the sum of its recorded products, and each product is adjoint * local:
    # in floats, exactly; in wide decimals, each number is the exact one rounded (to a
    # subnormal float's fewer digits, too), so the float product of the rounded factors
    # may differ from it by a rounding of each.
    def agree(shown: float, adjoint: float, local: float) -> bool:
        computed = local if adjoint == 1 else adjoint * local
        if not e.wide:
            return shown == computed
        bound = 2**-51 * abs(computed) + 2**-1074 * (abs(adjoint) + abs(local) + 1)
        return abs(shown - computed) <= bound

    for step in e.backward_steps:
        if step.paths:
            total = step.paths[0].value
            for p in step.paths[1:]:
                total += p.value
            if not e.wide:
                assert total == step.value
            elif all(math.isfinite(p.value) for p in step.paths):
                # A few roundings of the terms' size (a term beyond the floats shows as inf).
                size = sum(abs(p.value) for p in step.paths)
                assert abs(total - step.value) <= 4 * len(step.paths) * 2**-53 * size + 1e-320
        for p in step.paths:
            assert p.adjoint == e.adjoints[p.consumer]
            # A local partial or an adjoint beyond the float range was computed in wide
            # decimals (the numeric policy), where 0 times it is 0; it shows as inf only
            # once converted.
            if math.isfinite(p.local) and math.isfinite(p.adjoint):
                assert agree(p.value, p.adjoint, p.local)
    # The forward values are the expression's own, node by node.
    for s in e.forward_steps:
        assert s.value == s.node.evaluate(point)
    # The result lines print the partials in full.
    text = e.to_text(limit=None)
    for name, partial in g.items():
        if name in e.partials:
            assert f"∂{e.output}/∂{name} = {partial!r}" in text


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_wide_steps_say_so_and_keep_the_conventions_of_floats(mode: str) -> None:
    # atan2's slope in x is -1e300/((-1e300)^2 + x^2): the square overflows the floats.
    e = symdiff.explain("0^x + atan2(x, -1e300)", x=0.0, mode=mode)
    assert e.wide
    assert "computed in wide decimals" in str(e)
    assert "computed in wide decimals" in e.to_markdown()
    # 0^x's slope in its exponent is 0 at 0 (pow's convention), in wide decimals as in floats.
    assert e.partials == dict(symdiff.differentiate("0^x + atan2(x, -1e300)", x=0.0, mode=mode))
    assert e.partials == {"x": -1e-300}
    narrow = symdiff.explain("0^x + atan2(x, -1)", x=0.0, mode=mode)
    assert not narrow.wide
    assert "wide decimals" not in str(narrow)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_wide_steps_keep_the_value_floats_computed(mode: str) -> None:
    # The value is computed in floats; only atan2's slope overflows. In wide decimals the
    # value would differ in its 8th digit (sin of exp(exp(3)), about 5e8, is sensitive to
    # how its argument was rounded): the explanation gives the value evaluate gives.
    text = "tanh(sin(exp(exp(3)))) + atan2(x, -1e300)"
    e = symdiff.explain(text, x=0.7, mode=mode)
    assert e.wide
    assert e.value == symdiff.differentiate(text, x=0.7, mode=mode).value
    assert e.value == symdiff.parse(text).evaluate(x=0.7)
    assert f"z = {e.value!r}" in e.to_text(limit=None)


def test_a_large_graph_shows_a_summary_and_the_first_steps() -> None:
    text = " + ".join(f"sin({i}*x)" for i in range(1, 80))
    e = symdiff.explain(text, x=0.5)
    shown = str(e)
    assert "nodes: 1 input" in shown
    assert "more (a limit of None" in shown
    assert len(shown.splitlines()) < 200
    assert len(e.to_text(limit=None).splitlines()) > 300
    assert e.partials["x"] == symdiff.differentiate(text, x=0.5)["x"]


def test_a_deep_graph_is_explained_without_recursion() -> None:
    depth = 5000
    expr = symdiff.parse("x")
    sin = OPS["sin"]
    for _ in range(depth):
        expr = make(sin, (expr,))
    e = symdiff.explain(expr, x=0.1)
    assert len(e.forward_steps) == depth
    assert e.partials["x"] == symdiff.differentiate(expr, x=0.1)["x"]


def test_markdown_and_latex_render_the_same_steps() -> None:
    e = symdiff.explain(TEXTBOOK, x=2, y=3)
    markdown = e.to_markdown()
    assert e._repr_markdown_() == markdown
    assert "- r = `x*y` = 6" in markdown
    assert "**Backward pass" in markdown
    latex = e.to_latex()
    assert latex.count("\\begin{align*}") == 1
    assert "\\frac{\\partial z}{\\partial r}" in latex
    assert "s = \\sin\\left(r\\right) \\approx -0.2794" in latex


def test_rule_names_come_from_the_op_table() -> None:
    assert rule_name(OPS["mul"], 0) == "product rule"
    assert rule_name(OPS["pow"], 1) == "exponential rule"
    assert rule_name(OPS["tan"], 0) == "table: d/du tan(u) = tan(u)^2 + 1"
    assert rule_name(OPS["atan2"], 1).startswith("table: ∂/∂v atan2(u, v) = ")
    for op in OPS.values():
        for i in range(op.arity):
            assert rule_name(op, i)


def test_errors_are_symdiff_errors() -> None:
    with pytest.raises(DomainError, match="log"):
        symdiff.explain("log(x)", x=-1)
    with pytest.raises(SymdiffError):
        symdiff.explain("x", "2")
    with pytest.raises(SymdiffError):
        symdiff.explain("x", {"x": 1}, {"x": 2})
    with pytest.raises(SymdiffError):
        symdiff.explain("x*y", x=1)


# --- the command line: symdiff explain ------------------------------------------------


def cli(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run(list(argv), stdout, stderr, io.StringIO())
    return status, stdout.getvalue(), stderr.getvalue()


def test_cli_explain_at_a_point_prints_the_explanation() -> None:
    status, out, err = cli("explain", TEXTBOOK, "--at", "x=2,y=3")
    assert status == 0, err
    assert out.rstrip("\n") == str(symdiff.explain(TEXTBOOK, x=2, y=3))


def test_cli_explain_symbolic_markdown_latex_and_json() -> None:
    status, out, _ = cli("explain", "sin(log(x))", "--wrt", "x")
    assert status == 0 and out.rstrip("\n") == str(symdiff.explain("sin(log(x))", "x"))
    status, out, _ = cli("explain", TEXTBOOK, "--at", "x=2,y=3", "--markdown")
    assert status == 0 and "**Forward pass" in out
    status, out, _ = cli("explain", TEXTBOOK, "--at", "x=2,y=3", "--latex")
    assert status == 0 and "\\begin{align*}" in out
    status, out, _ = cli("explain", TEXTBOOK, "--at", "x=2,y=3", "--json")
    document = json.loads(out)
    assert document["gradient"] == dict(symdiff.differentiate(TEXTBOOK, x=2, y=3))


def test_cli_explain_errors() -> None:
    status, _, err = cli("explain", "x^2")
    assert status == 2 and "--wrt" in err
    status, _, err = cli("explain", "x^2", "--wrt", "2")
    assert status == 2
    status, _, _ = cli("explain", "x^2", "--wrt", "x", "--markdown", "--latex")
    assert status == 1
    status, _, err = cli("explain", "log(x)", "--at", "x=-1")
    assert status == 2 and "log" in err


# --- the REPL: :explain ---------------------------------------------------------------


def repl(session: Session, line: str) -> str:
    reply = session.run(line)
    assert reply.error is None, reply.error
    return reply.text


def test_repl_explain_at_the_session_values() -> None:
    session = Session()
    repl(session, "f = sin(x*y) + cos(x*y)")
    assert repl(session, ":explain d/dx f") == str(symdiff.explain(TEXTBOOK, "x"))
    repl(session, "x = 2; y = 3")
    assert repl(session, ":explain f") == str(symdiff.explain(TEXTBOOK, x=2, y=3))
    assert repl(session, ":explain d/dy f") == str(symdiff.explain(TEXTBOOK, "y", x=2, y=3))


def test_repl_explain_at_values_for_one_line() -> None:
    session = Session()
    repl(session, "f = sin(x*y) + cos(x*y); x = 5")
    explained = str(symdiff.explain(TEXTBOOK, x=2, y=3))
    assert repl(session, ":explain f at x = 2, y = 3") == explained
    assert repl(session, ":explain f at y = 3") == str(symdiff.explain(TEXTBOOK, x=5, y=3))
    assert repl(session, ":explain d/dy f at x=2,y=3") == str(
        symdiff.explain(TEXTBOOK, "y", x=2, y=3)
    )
    assert session.values == {"x": 5.0}
    error = session.run(":explain f at x = 2, 3").error or ""
    assert "after at come values" in error


def test_repl_explain_errors() -> None:
    session = Session()
    assert "give values first (x = ...)" in (session.run(":explain x^2").error or "")
    assert session.run(":explain").error is not None
    assert session.run(":explain d^2/dx^2 x^3").error is not None


def test_wrt_may_be_given_by_keyword() -> None:
    # Read as the variable when it is a name (it was taken for the value of a variable
    # named wrt: "the value of wrt must be a real number"); a number stays a value.
    by_keyword = symdiff.explain("x*y", wrt="x", x=1.0, y=2.0, mode="forward")
    assert by_keyword.partials == symdiff.explain("x*y", "x", x=1.0, y=2.0, mode="forward").partials
    assert by_keyword.partials == {"x": 2.0}
    assert str(symdiff.explain("x*y", wrt="x")) == str(symdiff.explain("x*y", "x"))
    assert symdiff.explain("x*wrt", x=1.0, wrt=2.0).partials == {"x": 2.0, "wrt": 1.0}
