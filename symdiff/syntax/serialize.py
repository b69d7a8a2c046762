"""A versioned JSON form of the expression graph that keeps sharing and needs no ``eval``.

    {"format": "symdiff-graph", "version": 1,
     "nodes": [["variable", "x"], ["variable", "y"], ["mul", 0, 1], ["sin", 2],
               ["cos", 2], ["add", 3, 4]],
     "roots": [5]}

``nodes`` is in topological order: an entry is ``["constant", number]`` (a non-negative
int or float), ``["variable", name]``, or ``[op, i, j, ...]`` with an op key from the op
table (``add sub mul div neg pow``, ``pi``, ``e``, functions such as ``sin``;
``log_base`` is ``log(x, b)``) and the indices of earlier entries as its arguments. A node
used twice appears once. ``roots`` lists the expressions stored.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..deferred import Deferred
from ..errors import SymdiffError
from ..ir.graph import topological_order
from ..ir.nodes import Expr, constant, is_constant, is_variable, make, variable
from ..ir.ops import OPS
from .parser import parse

if TYPE_CHECKING:
    import json
else:  # only reading or writing a document needs it (symdiff/deferred.py)
    json = Deferred("json")

FORMAT = "symdiff-graph"
VERSION = 1


def to_document(roots: list[Expr]) -> dict[str, Any]:
    order = topological_order(roots)
    index = {node: i for i, node in enumerate(order)}
    nodes: list[list[Any]] = []
    for node in order:
        if is_constant(node) or is_variable(node):
            nodes.append([node.op.key, node.payload])
        else:
            nodes.append([node.op.key, *(index[a] for a in node.args)])
    return {
        "format": FORMAT,
        "version": VERSION,
        "nodes": nodes,
        "roots": [index[r] for r in roots],
    }


def to_json(expr: Expr) -> str:
    return json.dumps(to_document([expr]), ensure_ascii=False, separators=(",", ":"))


def from_document(document: object) -> list[Expr]:
    """The expressions of a document; raises SymdiffError on anything malformed."""
    if not isinstance(document, dict):
        raise _bad("the document is not a JSON object")
    if document.get("format") != FORMAT:
        raise _bad(f"'format' must be {FORMAT!r}")
    if type(document.get("version")) is not int or document.get("version") != VERSION:
        raise _bad(f"version {document.get('version')!r} is not supported (only {VERSION})")
    entries, roots = document.get("nodes"), document.get("roots")
    if not isinstance(entries, list) or not isinstance(roots, list) or not roots:
        raise _bad("'nodes' and 'roots' must be lists, with at least one root")
    built: list[Expr] = []
    for position, entry in enumerate(entries):
        built.append(_node(position, entry, built))
    for root in roots:
        if type(root) is not int or not 0 <= root < len(built):
            raise _bad(f"root {root!r} is not the index of a node")
    return [built[r] for r in roots]


def _node(position: int, entry: object, built: list[Expr]) -> Expr:
    where = f"node {position}"
    if not isinstance(entry, list) or not entry or not isinstance(entry[0], str):
        raise _bad(f"{where} is not a list starting with an op name")
    key, rest = entry[0], entry[1:]
    if key == "constant":
        value = rest[0] if len(rest) == 1 else None
        if not (type(value) is int and value >= 0) and not (
            type(value) is float and value >= 0 and math.isfinite(value)
        ):
            raise _bad(f"{where}: a constant is one finite non-negative number")
        return constant(value)
    if key == "variable":
        name = rest[0] if len(rest) == 1 else None
        if not isinstance(name, str) or not _is_name(name):
            raise _bad(f"{where}: {name!r} is not a variable name")
        return variable(name)
    op = OPS.get(key)
    if op is None:
        raise _bad(f"{where}: unknown op {key!r}")
    if len(rest) != op.arity:
        raise _bad(f"{where}: {key} takes {op.arity} arguments, not {len(rest)}")
    for i in rest:
        if type(i) is not int or not 0 <= i < position:
            raise _bad(f"{where}: argument {i!r} is not the index of an earlier node")
    return make(op, tuple(built[i] for i in rest))


def _is_name(name: str) -> bool:
    try:
        return is_variable(parse(name)) and name.strip() == name
    except SymdiffError:
        return False


def from_json(text: str | bytes) -> Expr:
    """The expression stored by :meth:`Expr.to_json` (the first root)."""
    try:
        document = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise _bad(f"not JSON: {exc}") from None
    except RecursionError:
        # The json module reads nested arrays recursively; a graph document is never deep.
        raise _bad("JSON nested too deeply for a graph document") from None
    return from_document(document)[0]


def _bad(message: str) -> SymdiffError:
    return SymdiffError(f"cannot read the expression graph: {message}")
