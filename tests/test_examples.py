"""The examples print what they show: the example scripts run outside the checkout, the
docstring examples of the installed package, and the README's Python examples."""

from __future__ import annotations

import doctest
import importlib
import io
import math
import os
import pkgutil
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import symdiff

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_quickstart(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONIOENCODING"] = "utf-8"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout

    # d/dx sin(log x) = cos(log x)/x at x = 2.
    assert f"f(2)  = sin(log 2)          = {math.sin(math.log(2)):.6f}" in out
    assert f"f'(2) = cos(log 2)/2        = {math.cos(math.log(2)) / 2:.6f}" in out
    assert "symdiff: value 0.638961, d/dx 0.384619" in out

    # z = sin(xy) + cos(xy) at (2, 3): r = 6 is one node that both branches feed.
    r = 6.0
    assert "r = x*y is one node, used by sin(r) and cos(r): True" in out
    assert "r = xy                      = 6\n" in out
    assert "= 0.680755  (about 0.681; the textbook shows 0.69)" in out
    assert f"dz/dr = cos r - sin r        = {math.cos(r) - math.sin(r):+.6f}" in out
    assert f"dz/dx = dz/dr * y            = {3 * (math.cos(r) - math.sin(r)):.6f}" in out
    assert f"dz/dy = dz/dr * x            = {2 * (math.cos(r) - math.sin(r)):.6f}" in out
    assert "symdiff: value 0.680755, dz/dx 3.718757, dz/dy 2.479172" in out
    assert out.rstrip().endswith("by hand and symdiff agree")


# --- docstring examples of the installed package ----------------------------------------------


def _package_modules() -> list[str]:
    """Every module of the installed package; ``__main__`` would run the command."""
    found = pkgutil.walk_packages(symdiff.__path__, prefix=f"{symdiff.__name__}.")
    return [symdiff.__name__, *(m.name for m in found if not m.name.endswith(".__main__"))]


MODULES = _package_modules()


def _run_examples(tests: list[doctest.DocTest], globs: dict[str, object] | None = None) -> str:
    """Run the examples; the report of every failure (empty when all show what they print)."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = io.StringIO()
    for test in tests:
        if globs is not None:
            test.globs = globs  # one session: later examples use names defined earlier
        runner.run(test, out=report.write, clear_globs=globs is None)
    return report.getvalue()


def _docstring_examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    return [test for test in doctest.DocTestFinder().find(module, name) if test.examples]


def test_the_package_has_docstring_examples() -> None:
    assert sum(len(t.examples) for name in MODULES for t in _docstring_examples(name)) >= 5


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_print_what_they_show(name: str) -> None:
    failures = _run_examples(_docstring_examples(name))
    assert not failures, f"a docstring example of {name} is out of date:\n{failures}"


# --- the README's Python examples ----------------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"
_FENCED = re.compile(r"^( *)```[\w-]*\n(.*?)^\1```", re.M | re.S)
# The README shows an error as the class's public name and its message, without a traceback.
_ERROR = re.compile(r"symdiff\.(\w+): ")


def _readme_examples() -> list[doctest.DocTest]:
    text = README.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    tests = []
    for match in _FENCED.finditer(text):
        block = textwrap.dedent(match.group(2))
        if ">>> " not in block:
            continue
        line = text.count("\n", 0, match.start()) + 1
        test = parser.get_doctest(block, {}, f"README.md, line {line}", str(README), line)
        for example in test.examples:
            error = _ERROR.match(example.want)
            if error:
                exception = getattr(symdiff, error.group(1))
                qualified = f"{exception.__module__}.{exception.__qualname__}: "
                example.exc_msg = qualified + example.want[error.end() :]
        tests.append(test)
    return tests


def test_the_readme_has_python_examples_and_error_examples() -> None:
    examples = [example for test in _readme_examples() for example in test.examples]
    assert len(examples) >= 15
    assert sum(example.exc_msg is not None for example in examples) >= 2


def test_the_readme_python_examples_print_what_they_show() -> None:
    failures = _run_examples(_readme_examples(), globs={})
    assert not failures, f"update these examples in README.md:\n{failures}"


def test_a_wrong_readme_example_is_noticed() -> None:
    examples = _readme_examples()
    wrong = examples[0]
    wrong.examples[-1].want = "a value the example does not print\n"
    errors = next(test for test in examples if any(e.exc_msg for e in test.examples))
    error = next(e for e in errors.examples if e.exc_msg)
    error.exc_msg = error.exc_msg.replace("symdiff", "other", 1)  # type: ignore[union-attr]
    failures = _run_examples([wrong, errors], globs={})
    assert failures.count("Failed example:") == 2, failures
