"""Writes examples/textbook.ipynb: the textbook's examples worked with symdiff alone.

The notebook is generated so that its cells stay plain Python in one reviewable file; the
test suite checks that the committed notebook is this script's output and runs it in a
real Jupyter kernel. Run: python examples/make_textbook_notebook.py (needs nbformat).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS: list[tuple[str, str]] = [
    (
        "markdown",
        """\
# The textbook's examples, with symdiff

Reverse-mode differentiation by hand, then by symdiff: values, the worked explanation, the
expression graph with values and gradients, and the picture of a function beside its
derivative. Every number here comes from symdiff's own sweep.""",
    ),
    ("markdown", "## 1. The chain rule: f(x) = sin(log(x)) at x = 2"),
    (
        "code",
        """\
import math

import symdiff

f = symdiff.parse("sin(log(x))")
g = symdiff.differentiate(f, x=2)
print(f"f(2) = {g.value:.6f}, f'(2) = {g['x']:.6f}")
print(f"by hand: cos(log 2)/2 = {math.cos(math.log(2)) / 2:.6f}")""",
    ),
    ("code", 'f.diff("x")'),
    ("code", "symdiff.explain(f, x=2)"),
    (
        "markdown",
        """\
## 2. A shared node: z = sin(xy) + cos(xy) at x = 2, y = 3

r = xy is one node used twice, so in the backward pass its two paths add up:
dz/dr = cos r - sin r.""",
    ),
    (
        "code",
        """\
z = symdiff.parse("sin(x*y) + cos(x*y)")
reverse = symdiff.explain(z, x=2, y=3)
print(reverse)""",
    ),
    (
        "code",
        """\
r = 6.0
print(f"dz/dr by hand: {math.cos(r) - math.sin(r):.6f}")
print(f"dz/dr from the sweep: {reverse.adjoints['r']:.6f}")""",
    ),
    ("markdown", "The graph, each node with its value and its adjoint dz/d(node):"),
    (
        "code",
        """\
from IPython.display import SVG

SVG(reverse._repr_svg_())""",
    ),
    ("markdown", "The expression itself draws as its graph (each shared node once):"),
    ("code", "z"),
    (
        "markdown",
        """\
## 3. Forward mode, side by side

One tangent pass per input instead of one backward pass; the same partials.""",
    ),
    (
        "code",
        """\
forward = symdiff.explain(z, x=2, y=3, mode="forward")
print(forward)
print(
    "same partials:",
    all(math.isclose(forward.partials[v], reverse.partials[v], rel_tol=1e-14) for v in "xy"),
)""",
    ),
    (
        "markdown",
        """\
## 4. The picture: f(x) = x sin(x) and its derivative

The function and its derivative on one figure; where f' crosses zero, f turns.""",
    ),
    (
        "code",
        """\
from IPython.display import Image

Image(symdiff.plot("x*sin(x)", interval=(-6.0, 6.0)))""",
    ),
]


def build() -> nbformat.NotebookNode:
    notebook = new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        new_markdown_cell(source) if kind == "markdown" else new_code_cell(source)
        for kind, source in CELLS
    ]
    # Stable cell ids, so regenerating the notebook changes nothing.
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    return notebook


PATH = Path(__file__).with_name("textbook.ipynb")

if __name__ == "__main__":
    nbformat.write(build(), PATH)
    print(f"wrote {PATH}")
