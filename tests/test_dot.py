"""DOT pictures: the graph drawn once per node, one edge per use, rendered by Graphviz."""

from __future__ import annotations

import io
import re
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from strategies import examples, expressions

import symdiff
from symdiff import Expr, SymdiffError, api
from symdiff.cli.main import run
from symdiff.ir.graph import topological_order
from symdiff.ir.nodes import make
from symdiff.ir.ops import OPS
from symdiff.repl.session import Session
from symdiff.syntax import dot
from symdiff.syntax.dot import render, to_dot

NODE = re.compile(r"^  (n\d+) \[label=\"((?:[^\"\\]|\\.)*)\"", re.MULTILINE)
EDGE = re.compile(r"^  (n\d+) -> (n\d+)", re.MULTILINE)

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")


def parts(source: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    return dict(NODE.findall(source)), EDGE.findall(source)


@settings(max_examples=examples(100), deadline=None)
@given(expressions())
def test_one_node_per_distinct_subexpression_and_one_edge_per_use(expr: Expr) -> None:
    nodes, edges = parts(expr.to_dot())
    order = topological_order([expr])
    assert len(nodes) == len(order)
    assert len(edges) == sum(len(node.args) for node in order)
    position = {f"n{i}": i for i in range(len(order))}
    # Data flows forward: every edge goes from an argument to a later node.
    assert all(position[a] < position[b] for a, b in edges)


def test_a_shared_node_is_drawn_once_with_an_edge_per_use() -> None:
    nodes, edges = parts(symdiff.parse("sin(x*y) + cos(x*y)").to_dot())
    (product,) = [n for n, label in nodes.items() if label == "\u00d7"]
    assert sum(1 for a, _ in edges if a == product) == 2
    square_nodes, square_edges = parts(symdiff.parse("x*x").to_dot())
    assert len(square_nodes) == 2 and len(square_edges) == 2


def test_values_and_gradients_label_the_nodes() -> None:
    e = symdiff.parse("sin(x*y) + cos(x*y)")
    plain = e.to_dot({"x": 2, "y": 3})
    assert "r = 6" in plain and "x = 2" in plain and "∂" not in plain
    with_gradients = e.to_dot({"x": 2, "y": 3}, gradients=True)
    g = symdiff.differentiate(e, x=2, y=3)
    assert f"∂z/∂x = {dot.short(g['x'])}" in with_gradients
    assert "∂z/∂r = 1.24" in with_gradients
    assert "rankdir=LR" in with_gradients


def test_inputs_and_output_are_distinguished() -> None:
    source = symdiff.parse("x^2 + 1").to_dot()
    nodes = dict(re.findall(r"^  (n\d+) \[label=\"[^\"]*\", (.*)\];$", source, re.MULTILINE))
    styles = list(nodes.values())
    assert 'fillcolor="#dbeafe"' in styles[0]  # the input x
    assert "peripheries=2" in styles[-1]  # the output
    assert sum("peripheries=2" in style for style in styles) == 1


def test_non_commutative_arguments_are_labelled() -> None:
    source = symdiff.parse("x^y - x/y").to_dot()
    for name in ("base", "exp", "num", "den", "a", "b"):
        assert f'[label="{name}"]' in source


def test_a_wide_explanation_draws_its_exact_and_wide_numbers_as_floats() -> None:
    # At this point a step overflows the floats, so the explanation is computed in wide
    # decimals, where -(-1) is the exact 1 (a Fraction): drawing it raised TypeError
    # (found by the fuzzer).
    point = {"y": -1.0025784176994548e308, "eps": 0.5}
    explanation = symdiff.explain("-(-1)*eps*y - 2*eps*y", point)
    assert explanation.wide
    drawn = explanation.to_dot()
    minus = "\N{MINUS SIGN}"  # the node's symbol
    assert f'label="{minus}\\n= -1"' in drawn and f'label="{minus}\\n= 1"' in drawn
    assert symdiff.parse("-(-1)*eps*y - 2*eps*y").to_dot(point, gradients=True) == drawn
    assert dot.short(Fraction(10**400)) == "inf" and dot.short(Fraction(-(10**400))) == "-inf"
    assert dot.short(Decimal("1e400")) == "inf" and dot.short(Fraction(2, 3)) == "0.6667"


def test_gradients_need_a_point() -> None:
    with pytest.raises(SymdiffError, match="point"):
        symdiff.parse("x").to_dot(gradients=True)


def test_a_deep_graph_is_drawn_without_recursion() -> None:
    expr = symdiff.parse("x")
    for _ in range(20000):
        expr = _sin(expr)
    nodes, edges = parts(to_dot(expr))
    assert len(nodes) == 20001 and len(edges) == 20000


def _sin(arg: Expr) -> Expr:
    return make(OPS["sin"], (arg,))


FORMATS = [("svg", b"<svg"), ("png", b"\x89PNG"), ("pdf", b"%PDF")]


@needs_graphviz
@pytest.mark.parametrize(("fmt", "magic"), FORMATS)
def test_graphviz_renders_the_dot(fmt: str, magic: bytes) -> None:
    source = symdiff.parse("sin(x*y) + cos(x*y)").to_dot({"x": 2, "y": 3}, gradients=True)
    image = render(source, fmt)
    assert magic in image[:1000]
    if fmt == "svg":
        assert "r = 6" in image.decode()


@needs_graphviz
def test_the_explanation_shows_itself_as_svg() -> None:
    svg = symdiff.explain("sin(log(x))", x=2)._repr_svg_()
    assert svg is not None
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    assert "∂z/∂r" in svg


@needs_graphviz
def test_an_expression_shows_its_graph_as_svg_in_jupyter() -> None:
    expr = symdiff.parse("sin(x*y) + cos(x*y)")
    svg = expr._repr_svg_()
    assert svg is not None and "<svg" in svg
    # One drawn node per distinct node: the shared x*y is one ellipse.
    assert svg.count('class="node"') == symdiff.count_nodes(expr)


def test_a_large_graph_falls_back_from_svg() -> None:
    chain = "x"
    for _ in range(api.SVG_NODE_LIMIT):
        chain = f"sin({chain})"
    expr = symdiff.parse(chain)
    assert symdiff.count_nodes(expr) > api.SVG_NODE_LIMIT
    assert expr._repr_svg_() is None


def test_without_graphviz_jupyter_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    assert symdiff.parse("x + 1")._repr_svg_() is None
    assert symdiff.explain("x + 1", x=1)._repr_svg_() is None


def test_an_unknown_format_is_a_symdiff_error() -> None:
    with pytest.raises(SymdiffError, match="svg"):
        render("digraph {}", "gif")


def test_without_graphviz_rendering_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    with pytest.raises(SymdiffError, match="install Graphviz"):
        render("digraph {}", "svg")
    assert "digraph" in symdiff.parse("x + 1").to_dot()


# --- the command line: symdiff graph --------------------------------------------------


def cli(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run(list(argv), stdout, stderr, io.StringIO())
    return status, stdout.getvalue(), stderr.getvalue()


def test_cli_graph_prints_dot() -> None:
    status, out, _ = cli("graph", "sin(x*y) + cos(x*y)", "--at", "x=2,y=3", "--gradients")
    assert status == 0
    expected = symdiff.parse("sin(x*y) + cos(x*y)").to_dot({"x": 2, "y": 3}, gradients=True)
    assert out == expected


@needs_graphviz
@pytest.mark.parametrize(("fmt", "magic"), FORMATS)
def test_cli_graph_draws_a_file(tmp_path: Path, fmt: str, magic: bytes) -> None:
    target = tmp_path / f"graph.{fmt}"
    status, out, err = cli("graph", "x^2*y", "--at", "x=1,y=2", "-o", str(target))
    assert status == 0, err
    assert "wrote" in out
    assert magic in target.read_bytes()[:1000]


def test_cli_graph_errors() -> None:
    assert cli("graph", "x", "-o", "graph.gif")[0] == 1
    status, _, err = cli("graph", "x", "--gradients")
    assert status == 2 and "--at" in err


# --- the REPL: :graph -----------------------------------------------------------------


def test_repl_graph_with_and_without_values() -> None:
    session = Session()
    assert session.run("f = x*x").error is None
    assert session.run(":graph f").text == symdiff.parse("x*x").to_dot().rstrip("\n")
    assert session.run("x = 2").error is None
    with_values = session.run(":graph f").text
    assert with_values == symdiff.parse("x*x").to_dot({"x": 2}, gradients=True).rstrip("\n")
    assert "∂z/∂x = 4" in with_values
    assert session.run(":graph").error is not None


def test_repl_graph_at_values_for_one_line() -> None:
    session = Session()
    session.run("f = x*y; y = 5")
    shown = session.run(":graph f at x = 2, y = 3").text
    assert shown == symdiff.parse("x*y").to_dot({"x": 2, "y": 3}, gradients=True).rstrip("\n")
    assert session.values == {"y": 5.0}
    assert session.run(":graph f").text == symdiff.parse("x*y").to_dot().rstrip("\n")
