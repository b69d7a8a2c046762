"""Plots of a function with its derivative: the samples behind them, real PNG files from the
library, the command line and the REPL, and the error without matplotlib."""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import image as mpimg
from scripts import run_in_process
from strategies import examples

import symdiff
from symdiff import SymdiffError
from symdiff.repl.session import Session
from symdiff.tools import plot as plotting

PNG = b"\x89PNG\r\n\x1a\n"
BLUE, RED = (0x1D, 0x4E, 0xD8), (0xDC, 0x26, 0x26)


def _has_colour(path: Path | bytes, rgb: tuple[int, int, int]) -> bool:
    source = io.BytesIO(path) if isinstance(path, bytes) else path
    pixels = (mpimg.imread(source, format="png")[..., :3] * 255).round()
    return bool(np.any(np.all(np.abs(pixels - np.array(rgb)) <= 2, axis=-1)))


def test_the_samples_are_the_function_and_its_derivative() -> None:
    data = plotting.sample("x*sin(x)", interval=(-2.0, 2.0), samples=41)
    assert data.wrt == "x" and len(data.xs) == 41
    assert data.xs[0] == -2.0 and data.xs[-1] == 2.0
    slope = symdiff.derivative("x*sin(x)", "x")
    for x, f, df in zip(data.xs, data.f, data.df, strict=True):
        assert f == symdiff.parse("x*sin(x)").evaluate(x=x)
        assert df == slope.evaluate(x=x)


@settings(max_examples=examples(30), deadline=None)
@given(st.sampled_from(["x^3 - 3*x", "exp(-x^2)", "atan(2*x)", "x*cos(x)"]))
def test_the_derivative_curve_is_the_slope_of_the_function(formula: str) -> None:
    data = plotting.sample(formula, interval=(-2.0, 2.0), samples=2001)
    h = data.xs[1] - data.xs[0]
    for i in range(1, len(data.xs) - 1, 50):
        slope = (data.f[i + 1] - data.f[i - 1]) / (2 * h)
        assert math.isclose(slope, data.df[i], rel_tol=1e-4, abs_tol=1e-5)


def test_where_the_function_is_undefined_there_is_a_gap() -> None:
    data = plotting.sample("log(x)", interval=(-1.0, 1.0), samples=21)
    for x, f, df in zip(data.xs, data.f, data.df, strict=True):
        if x <= 0:
            # 1/x is defined at x < 0, but it is no derivative of log there.
            assert math.isnan(f) and math.isnan(df)
        else:
            assert f == math.log(x) and math.isclose(df, 1 / x)


def test_other_variables_take_values_and_the_variable_is_asked_for() -> None:
    data = plotting.sample("x*y", "x", values={"y": 2.0}, samples=3)
    assert data.f == [-6.0, 0.0, 6.0] and data.df == [2.0, 2.0, 2.0]
    assert data.fixed == {"y": 2.0}
    assert plotting.sample("x*y", values={"y": 2.0}, samples=2).wrt == "x"
    with pytest.raises(SymdiffError, match="which variable"):
        plotting.sample("x*y")
    with pytest.raises(SymdiffError, match="give values for y"):
        plotting.sample("x*y", "x")
    with pytest.raises(SymdiffError, match="larger"):
        plotting.sample("x", interval=(1.0, 1.0))
    with pytest.raises(SymdiffError, match="samples"):
        plotting.sample("x", samples=1)
    assert plotting.parse_range(" -3:3.5") == (-3.0, 3.5)
    for bad in ["3", "a:b", "1:inf", "2:1"]:
        with pytest.raises(SymdiffError, match="range"):
            plotting.parse_range(bad)


def test_plot_writes_a_real_png_with_both_curves(tmp_path: Path) -> None:
    path = tmp_path / "plot.png"
    image = symdiff.plot("x*sin(x)", path=path)
    assert image.startswith(PNG) and path.read_bytes() == image
    height, width = mpimg.imread(path).shape[:2]
    assert (width, height) == (700, 450)
    assert _has_colour(path, BLUE) and _has_colour(path, RED)
    svg = symdiff.plot("tan(x)", fmt="svg")
    assert b"<svg" in svg[:1000]
    with pytest.raises(SymdiffError, match="not 'gif'"):
        symdiff.plot("x", path=tmp_path / "plot.gif")


def test_a_pole_keeps_the_picture_readable() -> None:
    data = plotting.sample("tan(x)")
    limits = plotting._limits([data.f, data.df])
    assert limits is not None and limits[1] < 1000
    xs, ys = plotting._broken(data.xs, data.f, limits)
    # tan has two poles in -3..3: the curve is cut at each.
    assert sum(1 for y in ys if math.isnan(y)) == 2 and len(xs) == len(data.xs) + 2


def test_without_matplotlib_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(SymdiffError, match=r"symdiff\[plot\]"):
        symdiff.plot("x^2")


def test_the_plot_command(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    done = run_in_process(["plot", "log(x)*y", "--range", "-1:4", "--at", "y=2", "-o", str(path)])
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {path}\n"
    assert path.read_bytes().startswith(PNG)
    done = run_in_process(["plot", "x*y", "-o", str(path)])
    assert done.returncode == 2 and "which variable" in done.stderr
    done = run_in_process(["plot", "x", "--range", "3:1", "-o", str(path)])
    assert done.returncode == 1 and "larger" in done.stderr
    done = run_in_process(["plot", "x", "-o", str(tmp_path / "p.gif")])
    assert done.returncode == 1 and ".png" in done.stderr


def test_the_repl_plot_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    session = Session()
    assert session.run("f = x^3 - 3*x").error is None
    assert session.run(":plot f").text == "wrote plot.png"
    assert (tmp_path / "plot.png").read_bytes().startswith(PNG)
    target = tmp_path / "g.svg"
    reply = session.run(f":plot f*y, x = -2:2, {target}")
    assert reply.error is not None and "give values for y" in reply.error
    session.run("y = 2")
    assert session.run(f":plot f*y, x = -2:2, {target}").text == f"wrote {target}"
    assert b"<svg" in target.read_bytes()[:1000]
    assert "not foo" in (session.run(":plot f, foo").error or "")
    assert ":plot needs an expression" in (session.run(":plot").error or "")


@pytest.mark.parametrize(
    ("interval", "message"),
    [
        ("a", "two numbers with a colon"),
        ((1,), "a pair of numbers"),  # raised ValueError (unpacking)
        (3.0, "a pair of numbers"),
        ((0, math.inf), "end of the range must be finite"),
        ((0, 10**400), "end of the range .* is not a float"),
        (("0", 1), "start of the range must be a real number"),
        ((2, 1), "from a number to a larger one"),
    ],
)
def test_a_range_that_is_not_two_increasing_numbers_is_a_symdiff_error(
    interval: object, message: str
) -> None:
    with pytest.raises(SymdiffError, match=message):
        plotting.sample("x^2", "x", interval)  # type: ignore[arg-type]


def test_a_range_may_be_text_and_samples_a_whole_number() -> None:
    assert plotting.sample("x^2", "x", "-1:2", samples=4).xs == [-1.0, 0.0, 1.0, 2.0]  # type: ignore[arg-type]
    for samples in (2.5, "3", True):
        with pytest.raises(SymdiffError, match="samples is a whole number"):
            plotting.sample("x^2", "x", (0, 1), samples=samples)  # type: ignore[arg-type]
