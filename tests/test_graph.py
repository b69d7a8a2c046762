"""The graph walks: topological order (arguments first, each node once) and active nodes."""

from __future__ import annotations

import gc

import pytest
import strategies
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from symdiff import Expr, parse
from symdiff.ir.graph import active_nodes, topological_order, variable_names
from symdiff.ir.nodes import constant, is_variable, make, variable
from symdiff.ir.ops import OPS

x, y = variable("x"), variable("y")
DEPTH = 100_000


# Small random graphs over every op of the table and two variables, so subtrees are often shared.
def expressions(max_leaves: int) -> st.SearchStrategy[Expr]:
    return strategies.expressions(("x", "y"), max_leaves=max_leaves)


def _reachable(roots: list[Expr]) -> set[Expr]:
    seen: set[Expr] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(node.args)
    return seen


def _assert_topological(order: list[Expr], roots: list[Expr]) -> None:
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order), "a node appears twice"
    assert set(order) == _reachable(roots)
    for node in order:
        for arg in node.args:
            assert position[arg] < position[node]


def test_arguments_come_before_their_users() -> None:
    expr = parse("sin(x*y) + cos(x*y)")
    order = topological_order([expr])
    assert [str(node) for node in order] == [
        "x",
        "y",
        "x*y",
        "sin(x*y)",
        "cos(x*y)",
        "sin(x*y) + cos(x*y)",
    ]
    _assert_topological(order, [expr])


def test_a_node_used_many_times_appears_once() -> None:
    expr = parse("x*x + x^x - x")
    order = topological_order([expr])
    assert order.count(x) == 1
    _assert_topological(order, [expr])


def test_several_roots_share_nodes() -> None:
    roots = [parse("(x+1)^2"), parse("sin(x+1)"), parse("x+1")]
    order = topological_order(roots)
    _assert_topological(order, roots)
    assert sum(node.op.key == "add" for node in order) == 1


def test_leaves_in_order_of_first_appearance() -> None:
    order = topological_order([parse("b*a + c*a")])
    assert variable_names(order) == ("b", "a", "c")


@settings(max_examples=examples(200))
@given(st.lists(expressions(max_leaves=12), min_size=1, max_size=3))
def test_topological_order_of_random_graphs(roots: list[Expr]) -> None:
    _assert_topological(topological_order(roots), roots)


@pytest.mark.slow
def test_topological_order_is_iterative_at_depth() -> None:
    node = x
    for i in range(DEPTH):
        node = make(OPS["sin"], (node,)) if i % 2 else make(OPS["mul"], (y, node))
    order = topological_order([node])
    assert len(order) == DEPTH + 2
    assert order[:2] == [y, x]  # leaves left to right: y is the outermost first argument
    assert order[-1] is node
    position = {n: i for i, n in enumerate(order)}
    assert all(position[arg] < position[n] for n in order for arg in n.args)


def test_a_walk_of_a_large_graph_sets_off_no_garbage_collection() -> None:
    # The walk's stack holds nodes and a marker, not (node, flag) tuples: 10^5 tuples the
    # cyclic collector counts set off collections over the whole graph, which made one
    # walk of this chain take up to ten times as long as the next.
    node = x
    for i in range(DEPTH):
        node = make(OPS["sin"], (node,)) if i % 2 else make(OPS["mul"], (y, node))
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.collect()
    gc.set_threshold(700, 10, 10)  # Python's defaults (the suite's conftest raises them)
    gc.callbacks.append(count)
    try:
        order = topological_order([node])
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*thresholds)
    assert len(order) == DEPTH + 2
    # None from the walk; a few could come from another thread's allocations (pytest-xdist
    # talks to its controller on one), against about 300 with the tuples.
    assert len(collections) < 10, collections


def test_a_deep_diamond_lattice_stays_linear() -> None:
    # Each level uses the previous one twice: 2^DEPTH paths, but DEPTH*2 + 1 nodes.
    node = x
    for _ in range(DEPTH // 10):
        node = make(OPS["add"], (make(OPS["sin"], (node,)), make(OPS["cos"], (node,))))
    assert len(topological_order([node])) == 3 * (DEPTH // 10) + 1


# --- active nodes -------------------------------------------------------------------


def test_active_nodes_depend_on_a_variable() -> None:
    expr = parse("sin(x) + cos(2)*pi")
    active = active_nodes(topological_order([expr]))
    assert {str(node) for node in active} == {"x", "sin(x)", "sin(x) + cos(2)*pi"}


def test_a_constant_expression_has_no_active_nodes() -> None:
    assert active_nodes(topological_order([parse("sin(2)*pi + e")])) == set()


@settings(max_examples=examples(200))
@given(expressions(max_leaves=12))
def test_active_means_some_variable_below(expr: Expr) -> None:
    order = topological_order([expr])
    active = active_nodes(order)
    for node in order:
        assert (node in active) == any(is_variable(n) for n in _reachable([node]))


@pytest.mark.slow
def test_active_nodes_at_depth() -> None:
    node = constant(2)
    for _ in range(DEPTH):
        node = make(OPS["sin"], (node,))
    with_variable = make(OPS["mul"], (node, x))
    active = active_nodes(topological_order([with_variable]))
    assert active == {x, with_variable}
