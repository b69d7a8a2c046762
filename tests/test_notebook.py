"""examples/textbook.ipynb: it is what examples/make_textbook_notebook.py writes, and run in
a real Jupyter kernel it shows the graphs as SVG, the plot as PNG and the right numbers."""

from __future__ import annotations

import base64
import importlib.util
import math
import shutil
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pytest

import symdiff

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOK = EXAMPLES / "textbook.ipynb"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_textbook_notebook", EXAMPLES / "make_textbook_notebook.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_notebook_is_the_generators_output() -> None:
    committed = nbformat.read(NOTEBOOK, as_version=4)
    built = _generator().build()
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in built.cells
    ]
    assert committed.metadata.kernelspec.name == "python3"
    nbformat.validate(committed)
    assert all(not c.get("outputs") for c in committed.cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """The notebook's code cells after a run in a fresh kernel, in a scratch folder."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    folder = tmp_path_factory.mktemp("notebook")
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": folder}}
    )
    client.execute()
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _text(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _data(cell: Any, mime: str) -> list[str]:
    return [o.data[mime] for o in cell.outputs if mime in o.get("data", {})]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("dot") is None, reason="the SVG pictures need Graphviz")
def test_the_notebook_runs_and_shows_its_rich_outputs(executed: list[Any]) -> None:
    assert not [o for c in executed for o in c.outputs if o.output_type == "error"]
    cells = {c.source.splitlines()[0]: c for c in executed}

    g = symdiff.differentiate("sin(log(x))", x=2)
    assert f"f'(2) = {g['x']:.6f}" in _text(cells["import math"])
    assert f"{math.cos(math.log(2)) / 2:.6f}" in _text(cells["import math"])

    # The explanation's numbers are differentiate's, printed in full.
    textbook = symdiff.differentiate("sin(x*y) + cos(x*y)", x=2, y=3)
    steps = _text(cells['z = symdiff.parse("sin(x*y) + cos(x*y)")'])
    for name in ("x", "y"):
        assert f"∂z/∂{name} = {textbook[name]!r}" in steps
    adjoint = math.cos(6.0) - math.sin(6.0)
    assert f"dz/dr from the sweep: {adjoint:.6f}" in _text(cells["r = 6.0"])
    assert "same partials: True" in _text(
        cells['forward = symdiff.explain(z, x=2, y=3, mode="forward")']
    )

    # Pictures: the expression's graph and the explanation's (with values and adjoints) as
    # SVG, the explanation's steps as Markdown, the plot as PNG.
    (expression_svg,) = _data(cells["z"], "image/svg+xml")
    assert expression_svg.count('class="node"') == symdiff.count_nodes("sin(x*y) + cos(x*y)")
    (graph_svg,) = _data(cells["from IPython.display import SVG"], "image/svg+xml")
    assert "r = 6" in graph_svg and "∂z/∂r = 1.24" in graph_svg
    (steps_markdown,) = _data(cells["symdiff.explain(f, x=2)"], "text/markdown")
    assert "**Backward pass" in steps_markdown
    assert _data(cells["symdiff.explain(f, x=2)"], "image/svg+xml")
    assert _data(cells['f.diff("x")'], "image/svg+xml")
    (png,) = _data(cells["from IPython.display import Image"], "image/png")
    assert base64.b64decode(png).startswith(b"\x89PNG\r\n\x1a\n")
