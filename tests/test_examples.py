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


# --- the gallery ---------------------------------------------------------------------------


def run_example(name: str, directory: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONIOENCODING"] = "utf-8"
    env["MPLBACKEND"] = "Agg"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_pendulum_uncertainty(tmp_path: Path) -> None:
    out = run_example("pendulum_uncertainty.py", tmp_path)
    L, uL, T, uT = 0.9935, 0.0005, 2.0, 0.002
    g = 4 * math.pi**2 * L / T**2
    # u(g)/g = sqrt((u(L)/L)^2 + (2 u(T)/T)^2) to first order.
    ug = g * math.hypot(uL / L, 2 * uT / T)
    assert f"g = {g:.4f} ± {ug:.4f} m/s^2" in out
    share_T = (2 * uT / T) ** 2 / ((uL / L) ** 2 + (2 * uT / T) ** 2)
    assert f"the period contributes {share_T:.1%} of the variance" in out
    assert "input " in out and "share" in out  # the budget table


def test_loan_sensitivity(tmp_path: Path) -> None:
    out = run_example("loan_sensitivity.py", tmp_path)
    P, r, n = 250_000, 0.04, 360
    i = r / 12
    payment = P * i / (1 - (1 + i) ** -n)
    # d payment / dn = -payment * ln(1+i) (1+i)^-n / (1 - (1+i)^-n); times n / payment.
    elasticity_n = -n * math.log(1 + i) * (1 + i) ** -n / (1 - (1 + i) ** -n)
    assert out.startswith(f"P*(r/12)/(1 - (1 + r/12)^-n) = {payment:.6g}")
    assert "most influential: P (elasticity 1.000)" in out
    assert f"a 1% longer loan changes the payment by {elasticity_n:.3f}%" in out


def test_newton_root(tmp_path: Path) -> None:
    out = run_example("newton_root.py", tmp_path)
    x = 2.0
    for _ in range(50):
        x -= (x**3 - 2 * x - 5) / (3 * x**2 - 2)
    assert f"root: x = {x!r}" in out
    # x^2 + y^2 = 4, xy = 1: x^2 = 2 + sqrt(3).
    assert repr(math.sqrt(2 + math.sqrt(3)))[:15] in out
    assert out.rstrip().endswith("the derivative is 0 at x = 0")


def test_rosenbrock(tmp_path: Path) -> None:
    out = run_example("rosenbrock.py", tmp_path)
    assert "converged" in out.splitlines()[0]
    assert "x         1.0\ny         1.0" in out
    newton_row = next(line for line in out.splitlines() if line.startswith("symdiff newton"))
    iterations = int(newton_row.split()[-2])
    assert iterations < 30
    if "finite differences" in out:
        fd_row = next(line for line in out.splitlines() if "finite differences" in line)
        assert int(fd_row.split()[-1]) > int(newton_row.split()[-1])


def test_neuron(tmp_path: Path) -> None:
    out = run_example("neuron.py", tmp_path)
    losses = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("step")]
    assert len(losses) == 5 and losses == sorted(losses, reverse=True) and losses[-1] < 0.02
    outputs = {
        line.split(":")[0]: float(line.split()[-1])
        for line in out.splitlines()
        if line.startswith("AND")
    }
    assert outputs["AND(1, 1) = +1"] > 0.5
    assert all(v < -0.5 for k, v in outputs.items() if k.endswith("-1"))


def test_plot_derivative(tmp_path: Path) -> None:
    out = run_example("plot_derivative.py", tmp_path)
    assert "f'(x) = sin(x) + x*cos(x)" in out
    x = 2 * math.pi / 8
    assert f"f' = {math.sin(x) + x * math.cos(x):+8.4f}" in out
    assert ("saved derivative.png" in out) == (tmp_path / "derivative.png").exists()


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
