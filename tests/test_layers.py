"""The package's layers: no module imports one of symdiff's own modules inside a function
(the way to dodge an import cycle), and the layer order in pyproject.toml, which CI checks
with import-linter, names every subpackage."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import symdiff

PACKAGE = Path(symdiff.__file__).resolve().parent
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _own_import(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "symdiff"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "symdiff" for alias in node.names)
    return False


def test_no_module_imports_its_own_package_lazily() -> None:
    lazy = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                lazy += [
                    f"{path.relative_to(PACKAGE)}:{node.lineno}"
                    for node in ast.walk(function)
                    if _own_import(node)
                ]
    assert not lazy, f"imports inside functions: {lazy}"


def test_the_layer_contract_names_every_subpackage() -> None:
    if not PYPROJECT.is_file():  # the installed package without its checkout
        return
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    named = {part.strip() for layer in contract["layers"] for part in layer.split("|")}
    modules = {
        f"symdiff.{path.stem if path.is_file() else path.name}"
        for path in PACKAGE.iterdir()
        if (path.is_dir() and (path / "__init__.py").is_file())
        or (path.suffix == ".py" and path.stem not in ("__init__", "__main__", "api"))
    } | {"symdiff.api"}
    assert modules <= named, sorted(modules - named)
