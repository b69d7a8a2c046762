"""Forward-mode explanations: the same forward pass, then one tangent pass per input, with
the numbers of ``differentiate(..., mode="forward")``; side by side with the reverse one."""

from __future__ import annotations

import io
import math

import pytest
from corpus import CORPUS
from hypothesis import assume, example, given, settings
from strategies import examples, expressions, points

import symdiff
from symdiff import DomainError, Expr, SymdiffError
from symdiff.cli.main import run
from symdiff.diff.explain import ForwardExplanation

TEXTBOOK = "sin(x*y) + cos(x*y)"


def test_the_corpus_partials_are_forward_modes_bit_for_bit(subtests: pytest.Subtests) -> None:
    for case in CORPUS:
        with subtests.test(case.text):
            e = symdiff.explain(case.text, case.point, mode="forward")
            g = symdiff.differentiate(case.text, case.point, mode="forward")
            assert isinstance(e, ForwardExplanation) and e.mode == "forward"
            assert e.value == g.value
            assert e.partials == dict(g)


def test_the_two_sweeps_side_by_side_on_the_textbook_example() -> None:
    reverse = symdiff.explain(TEXTBOOK, x=2, y=3)
    forward = symdiff.explain(TEXTBOOK, x=2, y=3, mode="forward")
    assert reverse.mode == "reverse"
    # The same forward pass of values, node for node and name for name.
    assert [(s.name, s.value) for s in forward.forward_steps] == [
        (s.name, s.value) for s in reverse.forward_steps
    ]
    for name in ("x", "y"):
        assert math.isclose(forward.partials[name], reverse.partials[name], rel_tol=1e-14)
    # One tangent pass per input; the tangent of r = x*y along x is y.
    assert list(forward.tangent_steps) == ["x", "y"]
    assert forward.tangents["x"]["r"] == 3.0 and forward.tangents["y"]["r"] == 2.0
    text = str(forward)
    assert "Tangent pass along x" in text and "Tangent pass along y" in text
    assert "dr/dx = ∂r/∂x·dx/dx = 3·1 = 3" in text
    assert "2 arguments of z move with x" in text


def test_wrt_gives_one_tangent_pass() -> None:
    e = symdiff.explain(TEXTBOOK, "y", x=2, y=3, mode="forward")
    assert list(e.tangent_steps) == ["y"]
    assert e.partials == {"y": symdiff.differentiate(TEXTBOOK, x=2, y=3, mode="forward")["y"]}


def test_a_symbolic_forward_explanation_is_the_derivative() -> None:
    e = symdiff.explain(TEXTBOOK, "x", mode="forward")
    assert e.symbolic
    partial = e.partials["x"]
    for x, y in [(0.3, 1.1), (2.0, 3.0), (-1.5, 0.4)]:
        expected = symdiff.derivative(TEXTBOOK, "x").evaluate(x=x, y=y)
        assert math.isclose(partial.evaluate(x=x, y=y), expected, rel_tol=1e-12)
    for render in (e.to_text(), e.to_markdown(), e.to_latex()):
        assert "x" in render
    assert "\\frac{d r}{d x}" in e.to_latex()


@settings(max_examples=examples(100), deadline=None)
@given(expressions(), points())
# Found by Hypothesis: tangents beyond the float range (csc's slope near 0), so the steps
# are wide decimals; differentiate's forward mode then sweeps widely too, not backward.
@example(symdiff.parse("csc(x)/csc(x)"), {"x": 2.2250738585072014e-308})
@example(symdiff.parse("csc(x) - csc(x)"), {"x": 2.2250738585072014e-308})
@example(symdiff.parse("tanh(sin(exp(exp(3)))) + atan2(x, -1e300)"), {"x": 0.7})
def test_every_tangent_is_the_sum_of_its_products(expr: Expr, point: dict[str, float]) -> None:
    try:
        g = symdiff.differentiate(expr, point, mode="forward")
    except DomainError:
        assume(False)
        return
    e = symdiff.explain(expr, point, mode="forward")
    assert e.value == g.value
    for name in e.partials:
        assert e.partials[name] == g[name]
    for wrt, steps in e.tangent_steps.items():
        for step in steps:
            if not step.terms:
                assert step.node is symdiff.parse(wrt) and step.value == 1.0
                continue
            total = step.terms[0].value
            for t in step.terms[1:]:
                total += t.value
            if not e.wide:
                assert total == step.value
            elif all(math.isfinite(t.value) for t in step.terms):
                # Each wide number is shown rounded (a term beyond the floats as inf): the
                # float sum of the rounded terms is within a few roundings of their size.
                size = sum(abs(t.value) for t in step.terms)
                assert abs(total - step.value) <= 4 * len(step.terms) * 2**-53 * size + 1e-320
            for t in step.terms:
                assert t.tangent == e.node_tangents[wrt][t.argument]


def test_a_deep_graph_is_explained_forward_without_recursion() -> None:
    depth = 3000
    e = symdiff.explain(_deep(depth), x=0.5, mode="forward")
    assert e.partials["x"] == symdiff.differentiate(_deep(depth), x=0.5, mode="forward")["x"]


def _deep(depth: int) -> str:
    return "(" * depth + "x" + " + 1)*0.5" * depth


def test_bad_modes_and_domain_errors_are_symdiff_errors() -> None:
    with pytest.raises(SymdiffError, match="mode is"):
        symdiff.explain("x", x=1, mode="sideways")
    with pytest.raises(DomainError):
        symdiff.explain("log(x)", x=-1, mode="forward")
    # The graph of a forward explanation shows the values.
    assert "r = 6" in symdiff.explain(TEXTBOOK, x=2, y=3, mode="forward").to_dot()


def test_cli_explain_mode_forward() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run(["explain", TEXTBOOK, "--at", "x=2,y=3", "--mode", "forward"], stdout, stderr,
                 io.StringIO())  # fmt: skip
    assert status == 0, stderr.getvalue()
    expected = symdiff.explain(TEXTBOOK, x=2, y=3, mode="forward")
    assert stdout.getvalue().rstrip("\n") == str(expected)
