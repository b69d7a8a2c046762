"""The JSON form of the graph: round trips to the same node, sharing kept, and malformed
documents rejected with ``SymdiffError`` and never another exception."""

from __future__ import annotations

import json
from typing import Any

import pytest
from corpus import CORPUS, TEXTBOOK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import examples, expressions, moderate_constants

from symdiff import (
    Expr,
    SymdiffError,
    count_nodes,
    derivative,
    from_json,
    gradient,
    hessian,
    parse,
)
from symdiff.ir.nodes import make, variable
from symdiff.ir.ops import OPS


def document(expr: Expr) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(expr.to_json())
    return loaded


def check_round_trip(expr: Expr) -> None:
    text = expr.to_json()
    assert from_json(text) is expr
    assert from_json(text.encode()) is expr
    nodes = json.loads(text)["nodes"]
    # Sharing kept: one entry per distinct node, so as many entries as count_nodes says.
    assert len(nodes) == count_nodes(expr)
    assert len({json.dumps(entry) for entry in nodes}) == len(nodes)


def test_the_documented_example() -> None:
    assert document(parse("sin(x*y) + cos(x*y)")) == {
        "format": "symdiff-graph",
        "version": 1,
        "nodes": [
            ["variable", "x"],
            ["variable", "y"],
            ["mul", 0, 1],
            ["sin", 2],
            ["cos", 2],
            ["add", 3, 4],
        ],
        "roots": [5],
    }


def test_arguments_come_before_the_nodes_that_use_them() -> None:
    doc = document(gradient("exp(-(x-mu)^2/(2*sigma^2))/(sigma*sqrt(2*pi))")["sigma"])
    for position, entry in enumerate(doc["nodes"]):
        if entry[0] not in ("constant", "variable"):
            assert all(isinstance(i, int) and 0 <= i < position for i in entry[1:])
    assert doc["roots"] == [len(doc["nodes"]) - 1]


@pytest.mark.parametrize(
    "text",
    ["1", "1.0", "0.1", "2^64", "18446744073709551616", "1e-300", "1.7976931348623157e308",
     "pi", "e", "-x", "x - -y", "θ*x_1", "E*I + zeta*beta", "log(x, 2)", "atan2(y, x)",
     "min(x, y) + max(x, y)", "-(-x)", "(x*y)^(x*y)"],
)  # fmt: skip
def test_formulas_round_trip(text: str) -> None:
    check_round_trip(parse(text))


def test_int_and_float_constants_stay_apart() -> None:
    one, one_float = parse("1"), parse("1.0")
    assert one is not one_float
    assert from_json(one.to_json()) is one
    assert from_json(one_float.to_json()) is one_float
    assert type(from_json(one_float.to_json()).payload) is float


def _derivatives(formula: str) -> list[Expr]:
    expr = parse(formula)
    names = list(expr.variables)
    results = [*gradient(expr).values(), *(derivative(expr, n, 2) for n in names[:2])]
    if len(names) <= 4:
        results.extend(entry for row in hessian(expr) for entry in row)
    return results


def test_textbook_derivatives_round_trip(subtests: pytest.Subtests) -> None:
    for formula in [row[0] for row in TEXTBOOK if row[2] == 1]:
        with subtests.test(formula):
            for order in (1, 2, 3, 4):
                check_round_trip(derivative(formula, "x", order))


def test_corpus_gradients_and_hessians_round_trip(subtests: pytest.Subtests) -> None:
    for formula in [case.text for case in CORPUS if count_nodes(case.text) <= 120]:
        with subtests.test(formula):
            for result in _derivatives(formula):
                check_round_trip(result)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Not the wide constants: d/dx x/5e-324 raises a ValueError (tests/test_api.py, known defects).
@given(expressions(max_leaves=10, constants=moderate_constants()))
def test_random_trees_and_their_derivatives_round_trip(expr: Expr) -> None:
    check_round_trip(expr)
    for result in gradient(expr).values():
        check_round_trip(result)


def test_a_shared_graph_is_stored_once() -> None:
    # u_{k+1} = sin(u_k)*cos(u_k) + u_k: 2^40 leaves as a tree, 161 nodes as a graph.
    u = variable("x")
    for _ in range(40):
        product = make(OPS["mul"], (make(OPS["sin"], (u,)), make(OPS["cos"], (u,))))
        u = make(OPS["add"], (product, u))
    size, text = count_nodes(u), u.to_json()
    assert size == 161
    assert len(json.loads(text)["nodes"]) == size
    assert from_json(text) is u
    partial = derivative(u, "x")
    partial_size, partial_text = count_nodes(partial), partial.to_json()
    assert len(json.loads(partial_text)["nodes"]) == partial_size
    assert from_json(partial_text) is partial


@pytest.mark.slow
def test_a_100000_deep_expression_round_trips(deep_expression: Expr) -> None:
    text = deep_expression.to_json()
    assert len(json.loads(text)["nodes"]) == count_nodes(deep_expression) == 100_002
    assert from_json(text) is deep_expression


# --- malformed documents ------------------------------------------------------------------------


def doc(nodes: object, roots: object = None, **fields: object) -> str:
    """A document with these nodes; the root is the last node unless given."""
    if roots is None:
        roots = [len(nodes) - 1] if isinstance(nodes, list) else [0]
    body: dict[str, object] = {"format": "symdiff-graph", "version": 1, "nodes": nodes}
    body["roots"] = roots
    body.update(fields)
    return json.dumps(body)


X = ["variable", "x"]

MALFORMED = {
    # The envelope.
    "not JSON": "{",
    "empty text": "",
    "a list": "[1, 2]",
    "a string": '"symdiff-graph"',
    "null": "null",
    "no format": json.dumps({"version": 1, "nodes": [X], "roots": [0]}),
    "wrong format": doc([X], format="other-graph"),
    "no version": json.dumps({"format": "symdiff-graph", "nodes": [X], "roots": [0]}),
    "version 2": doc([X], version=2),
    "version 0": doc([X], version=0),
    "version as text": doc([X], version="1"),
    "version true": doc([X], version=True),
    "version 1.0": doc([X], version=1.0),
    "nodes not a list": doc({"0": X}, roots=[0]),
    "roots not a list": doc([X], roots=0),
    "no roots": doc([X], roots=[]),
    "root out of range": doc([X], roots=[1]),
    "negative root": doc([X], roots=[-1]),
    "root as text": doc([X], roots=["0"]),
    "root as bool": doc([X], roots=[False]),
    # Entries.
    "empty entry": doc([[]]),
    "entry not a list": doc(["x"]),
    "entry starting with a number": doc([[1, 2]]),
    "entry as an object": doc([{"op": "variable", "name": "x"}]),
    "unknown op": doc([X, ["foo", 0]]),
    "op with the wrong case": doc([["Variable", "x"]]),
    "op from object attributes": doc([["__class__"]]),
    # Arity.
    "sin with two arguments": doc([X, ["sin", 0, 0]]),
    "add with one argument": doc([X, ["add", 0]]),
    "pi with an argument": doc([X, ["pi", 0]]),
    "neg with none": doc([["neg"]]),
    # References.
    "forward reference": doc([["sin", 1], X]),
    "self reference": doc([X, ["sin", 1]]),
    "cycle": doc([["sin", 1], ["cos", 0]]),
    "negative index": doc([X, ["sin", -1]]),
    "index as float": doc([X, ["sin", 0.0]]),
    "index as bool": doc([X, ["sin", False]]),
    "index as text": doc([X, ["sin", "0"]]),
    "index as list": doc([X, ["sin", [0]]]),
    # Constants.
    "negative constant": doc([["constant", -1]]),
    "negative float constant": doc([["constant", -0.5]]),
    "NaN constant": '{"format":"symdiff-graph","version":1,"nodes":[["constant",NaN]],"roots":[0]}',
    "infinite constant": '{"format":"symdiff-graph","version":1,"nodes":[["constant",Infinity]],'
    '"roots":[0]}',
    "overflowing constant": '{"format":"symdiff-graph","version":1,"nodes":[["constant",1e400]],'
    '"roots":[0]}',
    "true constant": doc([["constant", True]]),
    "false constant": doc([["constant", False]]),
    "text constant": doc([["constant", "1"]]),
    "null constant": doc([["constant", None]]),
    "constant without value": doc([["constant"]]),
    "constant with two values": doc([["constant", 1, 2]]),
    # Variable names.
    "name 2x": doc([["variable", "2x"]]),
    "name sin": doc([["variable", "sin"]]),
    "name pi": doc([["variable", "pi"]]),
    "name π": doc([["variable", "π"]]),
    "name e": doc([["variable", "e"]]),
    "name ln": doc([["variable", "ln"]]),
    "empty name": doc([["variable", ""]]),
    "name with a space": doc([["variable", "x y"]]),
    "name with padding": doc([["variable", " x"]]),
    "name x+1": doc([["variable", "x+1"]]),
    "name with a NUL": doc([["variable", "x\u0000"]]),
    "name as a number": doc([["variable", 1]]),
    "variable without name": doc([["variable"]]),
}


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_documents_are_rejected(text: str) -> None:
    with pytest.raises(SymdiffError, match="cannot read the expression graph"):
        from_json(text)


@pytest.mark.parametrize("value", [None, 3, 1.5, ["x"], {"format": "symdiff-graph"}, b"\xff"])
def test_input_that_is_not_json_text_is_rejected(value: object) -> None:
    with pytest.raises(SymdiffError):
        from_json(value)  # type: ignore[arg-type]


_HUGE = "1" + "0" * 400


def test_a_huge_integer_constant_round_trips() -> None:
    expr = parse(_HUGE)  # the parser keeps integers exact, however long
    assert from_json(expr.to_json()) is expr
    assert from_json(doc([["constant", int(_HUGE)]])) is expr


# Any JSON value at all, for fuzzing documents.
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-3, max_value=10)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["x", "sin", "add", "constant", "variable", "2x", "", "pi", "π"]),
    lambda children: st.lists(children, max_size=4),
    max_leaves=6,
)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(max_leaves=6), st.data())
def test_corrupted_documents_give_an_expression_or_a_symdiff_error(
    expr: Expr, data: st.DataObject
) -> None:
    body = document(expr)
    nodes = body["nodes"]
    position = data.draw(st.integers(0, len(nodes) - 1), label="entry")
    entry = list(nodes[position])
    slot = data.draw(st.integers(0, len(entry)), label="slot")
    replacement = data.draw(_json_values, label="replacement")
    if slot == len(entry):
        entry.append(replacement)
    else:
        entry[slot] = replacement
    nodes[position] = entry
    try:
        result = from_json(json.dumps(body))
    except SymdiffError:
        return
    assert isinstance(result, Expr)
