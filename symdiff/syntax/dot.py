"""Expression graphs as Graphviz DOT, and DOT rendered to SVG, PNG or PDF by Graphviz.

The picture is the graph itself: one box per node however often it is shared, one edge per
use of an argument, data flowing left to right from the inputs to the output. With a point,
each node shows its value and, if given, its adjoint (d output / d node). Node labels are a
table keyed by op, like the other backends.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from ..errors import SymdiffError
from ..ir.graph import topological_order
from ..ir.nodes import Expr, is_constant, is_variable

# op key -> (label, names of the arguments on the edges; empty where order does not matter)
LABELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "add": ("+", ()),
    "sub": ("\u2212", ("a", "b")),  # minus sign
    "mul": ("\u00d7", ()),  # multiplication sign
    "div": ("÷", ("num", "den")),
    "neg": ("\u2212", ()),
    "pow": ("^", ("base", "exp")),
    "pi": ("π", ()),
    "e": ("e", ()),
    "log_base": ("log", ("x", "base")),
    "atan2": ("atan2", ("y", "x")),
    "polygamma": ("polygamma", ("n", "x")),
    "root": ("root", ("x", "n")),
    "hypot": ("hypot", ()),
    "min": ("min", ()),
    "max": ("max", ()),
}

FORMATS = ("svg", "png", "pdf")

_INPUT = 'shape=box, style="rounded,filled", fillcolor="#dbeafe"'
_CONSTANT = 'shape=plaintext, fontcolor="#555555"'
_OPERATION = 'shape=ellipse, style=filled, fillcolor="#f3f4f6"'
_OUTPUT = 'shape=ellipse, peripheries=2, style=filled, fillcolor="#fde68a"'


def short(value: float | Fraction | Decimal) -> str:
    """A number in at most 4 significant digits: 0.6808, 6, -1.2e+05. An exact or wide one
    (an explanation computed in wide decimals holds both) as the float nearest it, inf
    beyond the float range."""
    if not isinstance(value, float):
        try:
            value = float(value)
        except OverflowError:
            value = math.inf if value > 0 else -math.inf
    if not math.isfinite(value):
        return repr(value)
    text = f"{value:.4g}"
    return text


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _label(node: Expr) -> str:
    if is_constant(node):
        return repr(node.payload)
    if is_variable(node):
        return str(node.payload)
    return LABELS.get(node.op.key, (node.op.name, ()))[0]


def to_dot(
    root: Expr,
    values: Mapping[Expr, float] | None = None,
    adjoints: Mapping[Expr, float] | None = None,
    names: Mapping[Expr, str] | None = None,
    output: str = "z",
) -> str:
    """The DOT text of ``root``'s graph; ``values``, ``adjoints`` and ``names`` (all by
    node, any of them partial) add each node's value, adjoint and name to its label."""
    order = topological_order([root])
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    lines = [
        "digraph symdiff {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9, color="#6b7280"];',
    ]
    for node in order:
        label = _label(node)
        name = names.get(node) if names is not None else None
        value = None
        if values is not None and node in values and not is_constant(node):
            value = short(values[node])
        if node.args:
            # An operation: its symbol, then its name and value, "r = 6".
            if name is not None:
                label += f"\n{name}" + ("" if value is None else f" = {value}")
            elif value is not None:
                label += f"\n= {value}"
        elif value is not None:
            label += f" = {value}"
        if adjoints is not None and node in adjoints:
            wrt = name if name is not None else "·"
            label += f"\n∂{output}/∂{wrt} = {short(adjoints[node])}"
        if node is root:
            style = _OUTPUT if node.args else _INPUT
        elif is_variable(node):
            style = _INPUT
        elif is_constant(node) or not node.args:
            style = _CONSTANT
        else:
            style = _OPERATION
        lines.append(f"  {ids[node]} [label={_quote(label)}, {style}];")
    for node in order:
        argument_names = LABELS.get(node.op.key, ("", ()))[1]
        for i, arg in enumerate(node.args):
            attributes = f" [label={_quote(argument_names[i])}]" if argument_names else ""
            lines.append(f"  {ids[arg]} -> {ids[node]}{attributes};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(dot: str, fmt: str) -> bytes:
    """``dot`` drawn by the Graphviz ``dot`` program as ``fmt`` (svg, png or pdf)."""
    if fmt not in FORMATS:
        raise SymdiffError(f"a graph is drawn as {', '.join(FORMATS)}, not {fmt!r}")
    program = shutil.which("dot")
    if program is None:
        raise SymdiffError(
            "drawing a graph needs Graphviz's dot program, which is not installed: "
            "install Graphviz (apt-get install graphviz, brew install graphviz, or "
            "https://graphviz.org/download/); DOT text works without it"
        )
    try:
        result = subprocess.run(
            [program, f"-T{fmt}"], input=dot.encode(), capture_output=True, timeout=120, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SymdiffError(f"Graphviz's dot program failed: {exc}") from None
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise SymdiffError(f"Graphviz's dot program failed: {message}")
    return result.stdout
