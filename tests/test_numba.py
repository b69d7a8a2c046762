"""The optional fast backend: the fused Numba loop gives the NumPy program's numbers, with
scalars mixed in and broadcasting, and the same domain policy. Each compiled loop costs
about a second, so the cases are few and cover every op at once."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import symdiff
from symdiff import DomainError, SymdiffWarning
from symdiff.codegen.numba import NUMBA, fused_source
from symdiff.codegen.program import Sweep
from symdiff.ir.nodes import make, variable
from symdiff.ir.ops import OPS
from symdiff.numeric.arrays import build, run

pytest.importorskip("numba")

_x, _y = variable("x"), variable("y")


def _every_op() -> symdiff.Expr:
    """A sum with every op of the Numba table once, inside its domain for x in (0.2, 0.8)
    and y in (1.1, 1.9) (the functions defined from 1 up take y). The ops with no Numba
    code (digamma...) are left to the NumPy program (tested below)."""
    total = symdiff.parse("0")
    for op in OPS.values():
        if NUMBA[op.key] is None:
            continue
        from_one = op.key in ("acosh", "asec", "acsc", "acoth")
        arguments = (_y,) if from_one else (_x, _y)[: op.arity]
        total = make(OPS["add"], (total, make(op, arguments)))
    return total


def _gradient_program(expr: symdiff.Expr) -> tuple[object, tuple[str, ...]]:
    nodes = (_x, _y)
    return build([expr], nodes, [Sweep(expr, nodes)]), ("x", "y")


def test_the_numba_backend_covers_every_op() -> None:
    assert set(NUMBA) == set(OPS)


def test_the_fused_loop_equals_the_numpy_program_on_every_op() -> None:
    expr = _every_op()
    program, names = _gradient_program(expr)
    rng = np.random.default_rng(7)
    x = rng.uniform(0.2, 0.8, 1000)
    y = rng.uniform(1.1, 1.9, 1000)
    fused = run(program, [x, y], names, backend="numba")  # type: ignore[arg-type]
    plain = run(program, [x, y], names)  # type: ignore[arg-type]
    for got, expected in zip(fused, plain, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # ... and the scalar path, at a few elements.
    for k in (0, 500, 999):
        g = symdiff.differentiate(expr, x=float(x[k]), y=float(y[k]))
        assert fused[0][k] == pytest.approx(g.value, rel=1e-12)
        assert fused[1][k] == pytest.approx(g["x"], rel=1e-11)
        assert fused[2][k] == pytest.approx(g["y"], rel=1e-11)


def test_the_fused_loop_broadcasts_and_takes_scalars() -> None:
    expr = symdiff.parse("x^3*exp(y) + sin(x*y)")
    program, names = _gradient_program(expr)
    x = np.linspace(0.0, 1.0, 6).reshape(3, 2)
    y = np.array([0.5, 2.0])
    fused = run(program, [x, y], names, backend="numba")  # type: ignore[arg-type]
    plain = run(program, [x, y], names)  # type: ignore[arg-type]
    assert [o.shape for o in fused] == [(3, 2)] * 3
    for got, expected in zip(fused, plain, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-13)
    with_scalar = run(program, [x, 0.5], names, backend="numba")  # type: ignore[arg-type]
    expected_scalar = run(program, [x, 0.5], names)  # type: ignore[arg-type]
    for got, expected in zip(with_scalar, expected_scalar, strict=True):
        assert got.shape == (3, 2)
        np.testing.assert_allclose(got, expected, rtol=1e-13)
    # Column 0 of y is 0.5: the scalar 0.5 gives the same numbers there.
    np.testing.assert_allclose(with_scalar[2][:, 0], plain[2][:, 0], rtol=1e-13)


def test_the_fused_loop_follows_the_domain_policy() -> None:
    expr = symdiff.parse("log(x) + y/x")
    program, names = _gradient_program(expr)
    x = np.array([1.0, -1.0, 0.0, 2.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value, dx, dy = run(program, [x, 3.0], names, backend="numba")  # type: ignore[arg-type]
    assert len(caught) == 1 and issubclass(caught[0].category, SymdiffWarning)
    assert "2 of 4 elements" in str(caught[0].message)
    assert np.isnan(value[1:3]).all() and np.isnan(dx[1:3]).all()
    assert value[0] == pytest.approx(3.0) and dy[3] == pytest.approx(0.5)
    with pytest.raises(DomainError):
        run(program, [x, 3.0], names, "raise", backend="numba")  # type: ignore[arg-type]


def test_fused_source_reads_arrays_per_element_and_scalars_once() -> None:
    expr = symdiff.parse("x*y")
    source, _ = fused_source([expr], (_x, _y), [Sweep(expr, (_x, _y))], (0,))
    assert "x0 = p0[i]" in source and "    x1 = p1\n" in source
    assert "o0[i] = " in source and "def fused(n, p0, p1, o0, o1, o2):" in source


def test_backend_numba_through_the_public_api() -> None:
    x = np.linspace(0.5, 2.0, 7)
    text = "x^3*exp(-y) + sqrt(x)/y"
    fast = symdiff.differentiate(text, x=x, y=1.5, backend="numba")
    plain = symdiff.differentiate(text, x=x, y=1.5)
    for name in ("x", "y"):
        np.testing.assert_allclose(fast[name], plain[name], rtol=1e-13)
    np.testing.assert_allclose(
        symdiff.parse(text).evaluate(x=x, y=1.5, backend="numba"), plain.value, rtol=1e-13
    )
    compiled = symdiff.compile(text, backend="numba")
    value, (dx, dy) = compiled(x, 1.5)
    np.testing.assert_allclose(value, plain.value, rtol=1e-13)
    np.testing.assert_allclose(dx, plain["x"], rtol=1e-13)
    np.testing.assert_allclose(dy, plain["y"], rtol=1e-13)
    # At a single point the option changes nothing: floats in, floats out.
    point = symdiff.differentiate(text, x=2.0, y=1.5, backend="numba")
    assert type(point.value) is float and point.value == compiled(2.0, 1.5)[0]
    with pytest.raises(symdiff.ValuesError, match="backend"):
        symdiff.differentiate(text, x=x, y=1.5, backend="fortran")
    with pytest.raises(symdiff.ValuesError, match="backend"):
        symdiff.compile(text, backend="fortran")


def test_backend_numba_over_dask_chunks() -> None:
    da = pytest.importorskip("dask.array")
    x = np.linspace(-1.0, 2.0, 12)
    lazy = symdiff.differentiate("log(x)*y", x=da.from_array(x, chunks=5), y=2.0, backend="numba")
    assert isinstance(lazy["x"], da.Array)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SymdiffWarning)
        got = lazy["x"].compute()
        expected = symdiff.differentiate("log(x)*y", x=x, y=2.0)["x"]
    np.testing.assert_allclose(got, expected, rtol=1e-13)


def test_hostile_names_never_reach_the_fused_loop() -> None:
    # Keywords and builtins as variable names: the loop's names are p0, x0, t0, ... only.
    compiled = symdiff.compile("lambda*__import__ + sin(None_)", backend="numba")
    x = np.array([1.0, 2.0])
    value, (d_lambda, d_import, d_none) = compiled(x, 3.0, 0.5)
    np.testing.assert_allclose(value, x * 3.0 + np.sin(0.5), rtol=1e-15)
    np.testing.assert_allclose(d_lambda, [3.0, 3.0])
    np.testing.assert_allclose(d_import, x)
    np.testing.assert_allclose(d_none, [np.cos(0.5)] * 2, rtol=1e-15)
    source, _ = fused_source(
        [symdiff.parse("lambda*__import__")],
        (variable("lambda"), variable("__import__")),
        [],
        (0, 1),
    )
    assert "lambda" not in source and "import" not in source


def test_log_to_base_zero_is_undefined_in_the_fused_loop_too() -> None:
    x, base = np.array([2.0, 2.0]), np.array([0.0, 2.0])
    with pytest.warns(SymdiffWarning):
        value = symdiff.parse("log(x, b)").evaluate(x=x, b=base, backend="numba")
    assert np.isnan(value[0]) and value[1] == 1.0


def test_an_op_numba_cannot_compile_is_left_to_the_numpy_program() -> None:
    # digamma and lambertw are symdiff's own Python functions: the same numbers, by NumPy.
    expr = symdiff.parse("digamma(x) + lambertw(y)*x")
    program, names = _gradient_program(expr)
    x, y = np.linspace(0.5, 2.0, 7), np.linspace(0.1, 3.0, 7)
    fused = run(program, [x, y], names, backend="numba")  # type: ignore[arg-type]
    plain = run(program, [x, y], names)  # type: ignore[arg-type]
    for got, expected in zip(fused, plain, strict=True):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("exponent", [0.5, 1.5, 2.5, 7.5])
def test_half_integer_powers_follow_the_numpy_program(exponent: float) -> None:
    # |x^k| * (sqrt(x) + 0.0) in both backends: pow's +0.0 at -0.0, NaN below zero.
    x = np.array([0.0, -0.0, 2.0, 1e-300, 1e15, 3.7, -1.0, 0.3])
    expr = symdiff.parse(f"x^{exponent}")
    fast = expr.evaluate(x=x, errors="ignore", backend="numba")
    plain = expr.evaluate(x=x, errors="ignore")
    np.testing.assert_allclose(fast, plain, rtol=1e-14)
    np.testing.assert_array_equal(np.signbit(fast), np.signbit(plain))


def test_atan2_reads_a_negative_zero_as_zero() -> None:
    # Policy 6 (one zero), as in the interpreter: 0*y is -0.0 where y < 0.
    x = np.array([-1.0, -1.0, 0.0, -0.0])
    y = np.array([-1.0, 1.0, -1.0, 2.0])
    compiled = symdiff.compile("atan2(0*y, x)", ["x", "y"], order=0, backend="numba")
    value = compiled(x, y)
    np.testing.assert_array_equal(value, [np.pi, np.pi, 0.0, 0.0])
