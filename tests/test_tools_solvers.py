"""Newton's method for roots and the Newton minimiser, with the SciPy bridge."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

import symdiff
from symdiff.tools import solvers

ROSENBROCK = "(1-x)^2 + 100*(y-x^2)^2"


def test_newton_finds_the_classic_root() -> None:
    result = symdiff.newton("x^3 - 2*x - 5", x=2)
    assert result.converged, result.reason
    assert math.isclose(result.point["x"], 2.0945514815423265, rel_tol=1e-15)
    assert result.iterations <= 6  # quadratic convergence from x = 2
    assert abs(result.value) < 1e-14
    assert "converged" in str(result) and "2.0945514815423265" in str(result)


def test_newton_solves_a_system_with_the_jacobian() -> None:
    result = symdiff.newton(["x^2 + y^2 - 4", "x*y - 1"], x=2, y=0.5)
    assert result.converged, result.reason
    x, y = result.point["x"], result.point["y"]
    assert math.isclose(x * x + y * y, 4, rel_tol=1e-14) and math.isclose(x * y, 1, rel_tol=1e-14)


def test_newton_holds_parameters_fixed() -> None:
    result = symdiff.newton("x^2 - a", x=1, a=2, variables=["x"])
    assert result.converged
    assert math.isclose(result.point["x"], math.sqrt(2), rel_tol=1e-15)
    assert result.point["a"] == 2.0


@pytest.mark.parametrize(
    ("formula", "start", "words"),
    [
        ("x^2 + 1", 0.0, "derivative is 0"),
        ("atan(x)", 2.0, "diverged"),
        ("x^2 + 1", 0.5, "no convergence within 40 iterations"),
        ("log(x)", 5.0, "left the domain"),
    ],
)
def test_newton_says_why_it_failed(formula: str, start: float, words: str) -> None:
    result = symdiff.newton(formula, x=start, max_iterations=40)
    assert not result.converged
    assert words in result.reason
    assert "did not converge" in str(result)


def test_a_singular_jacobian_is_reported() -> None:
    result = symdiff.newton(["x + y - 1", "2*x + 2*y - 3"], x=0, y=0)
    assert not result.converged and "singular" in result.reason


def test_minimize_rosenbrock() -> None:
    result = symdiff.minimize(ROSENBROCK, x=-1.2, y=1)
    assert result.converged, result.reason
    assert math.isclose(result.point["x"], 1, rel_tol=1e-9)
    assert math.isclose(result.point["y"], 1, rel_tol=1e-9)
    assert result.iterations < 30


def test_minimize_leaves_a_concave_start_by_gradient_steps() -> None:
    # At x = 0.1 the second derivative 12x^2 - 6 is negative: plain Newton would climb.
    result = symdiff.minimize("x^4 - 3*x^2 + x", x=0.1)
    assert result.converged
    x = result.point["x"]
    assert abs(4 * x**3 - 6 * x + 1) < 1e-9 and 12 * x**2 - 6 > 0


def test_minimize_reports_an_unbounded_function() -> None:
    result = symdiff.minimize("-x^2 - y^2", x=1, y=1)
    assert not result.converged and "without bound" in result.reason


@pytest.mark.parametrize("method", ["trust-exact", "Newton-CG", "BFGS"])
def test_the_scipy_bridge(method: str) -> None:
    scipy_optimize = pytest.importorskip("scipy.optimize")
    result = symdiff.minimize(ROSENBROCK, x=-1.2, y=1, method=method)
    assert result.converged, result.reason
    assert math.isclose(result.point["x"], 1, rel_tol=1e-6)
    assert math.isclose(result.point["y"], 1, rel_tol=1e-6)
    # SciPy's default, BFGS with a finite-difference gradient, needs more evaluations
    # than a run handed the exact derivatives.
    expr = symdiff.parse(ROSENBROCK)
    default = scipy_optimize.minimize(lambda v: expr.evaluate(x=v[0], y=v[1]), [-1.2, 1])
    assert default.nfev > result.evaluations


def test_without_scipy_the_bridge_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solvers, "scipy_optimize", lambda: None)
    with pytest.raises(symdiff.SymdiffError, match="pip install scipy"):
        symdiff.minimize(ROSENBROCK, x=-1.2, y=1, method="BFGS")
    assert symdiff.minimize(ROSENBROCK, x=-1.2, y=1).converged


@pytest.mark.parametrize(
    "call",
    [
        lambda: symdiff.newton("x^2 - 2"),
        lambda: symdiff.newton("x^2 - a", x=1, a=2),  # one equation, two unknowns
        lambda: symdiff.newton([], x=1),
        lambda: symdiff.newton("log(x)", x=-1),  # the start is outside the domain
        lambda: symdiff.newton("x", x="two"),
        lambda: symdiff.newton("x", x="1.5"),  # text is not a number, as everywhere else
        lambda: symdiff.newton("x", x=10**400),  # no float holds it (found by the fuzzer)
        lambda: symdiff.minimize("x^2", x=10**400),
        lambda: symdiff.newton("x", x=1, tolerance=-1),
        lambda: symdiff.newton("x", x=1, tolerance="a"),
        lambda: symdiff.newton("x", x=1, tolerance=math.nan),
        lambda: symdiff.minimize("x^2", x=1, tolerance=10**400),  # raised OverflowError
        lambda: symdiff.minimize("x^2", x=1, method="simplex"),
        lambda: symdiff.minimize("2", x=1),
    ],
)
def test_bad_input_is_a_symdiff_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(symdiff.SymdiffError):
        call()


def test_the_iterations_a_run_may_ask_for_are_a_limit() -> None:
    # --max-iterations 10**18 on a problem that never converges would run for ever.
    with pytest.raises(symdiff.SymdiffError, match="solver_iterations"):
        symdiff.newton("x^2 + 1", x=1.0, max_iterations=10**18)
    with pytest.raises(symdiff.SymdiffError, match="solver_iterations"):
        symdiff.minimize("x^2", x=1.0, max_iterations=100_001)
    with symdiff.limits(solver_iterations=10):
        with pytest.raises(symdiff.SymdiffError, match="limit of 10"):
            symdiff.newton("x^2 - 2", x=1.0, max_iterations=11)
        assert symdiff.newton("x^2 - 2", x=1.0, max_iterations=10).converged


def test_a_newton_step_beyond_the_float_range_ends_the_run_with_its_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # g.d summed inf - inf: math.fsum raised ValueError out of minimize (found by the
    # fuzzer's tools entry). The dot product now gives IEEE's nan, and the run says why it
    # stopped.
    assert math.isnan(solvers.dot([1e308, 1e308], [1e308, -1e308]))
    assert solvers.dot([1e308, 1e308], [1e308, 1e308]) == math.inf
    monkeypatch.setattr(solvers, "_descent_direction", lambda h, g: [1e308 * v for v in g])
    result = symdiff.minimize("x^2 - y^2*1e300", x=1e10, y=1.0)
    assert not result.converged
    assert "beyond the float range" in result.reason


@pytest.mark.parametrize(
    ("formula", "start", "minimum", "value"),
    [
        # A maximum where the gradient vanishes: f curves down both ways.
        ("x^4 - 2*x^2", {"x": 0.0}, {"x": 1.0}, -1.0),
        # A saddle point: up along x, down along y.
        ("x^2 - y^2 + y^4", {"x": 0.0, "y": 0.0}, {"x": 0.0, "y": math.sqrt(0.5)}, -0.25),
        # A saddle point with no negative entry on the Hessian's diagonal, [[0, 1], [1, 0]]:
        # down along (1, -1) only, to (1, -1) or (-1, 1).
        ("x*y + (x^4 + y^4)/4", {"x": 0.0, "y": 0.0}, {"x": 1.0, "y": 1.0}, -0.5),
    ],
)
def test_minimize_leaves_a_stationary_point_that_is_no_minimum(
    formula: str, start: dict[str, float], minimum: dict[str, float], value: float
) -> None:
    result = symdiff.minimize(formula, start)
    assert result.converged, result.reason
    # Either of the minima the direction leads to, by symmetry: |x| and |y| are given.
    for name, expected in minimum.items():
        assert abs(abs(result.point[name]) - expected) < 1e-9, result
    assert math.isclose(result.value, value, rel_tol=1e-12), result


@pytest.mark.parametrize("formula", ["-x^2", "x*y", "x^2 - y^2"])
def test_a_maximum_or_saddle_of_a_function_unbounded_below_is_left_for_good(formula: str) -> None:
    start = dict.fromkeys(symdiff.parse(formula).variables, 0.0)
    result = symdiff.minimize(formula, start)
    assert not result.converged and "without bound" in result.reason, result


def test_a_minimum_where_f_is_level_in_a_direction_is_a_minimum() -> None:
    # (x + y)^2 is level along x + y = 0: its Hessian [[2, 2], [2, 2]] is semidefinite, no
    # reason to move.
    result = symdiff.minimize("(x + y)^2", x=1.0, y=-1.0)
    assert result.converged and result.iterations == 0, result
    assert result.point == {"x": 1.0, "y": -1.0}


def test_negative_curvature_is_a_direction_in_which_the_matrix_curves_down() -> None:
    from symdiff.tools.linalg import matrix_vector, negative_curvature

    def curvature(m: list[list[float]], d: list[float]) -> float:
        return sum(a * b for a, b in zip(d, matrix_vector(m, d), strict=True))

    assert negative_curvature([[2.0, 0.0], [0.0, 1.0]]) is None
    assert negative_curvature([[0.0]]) is None
    assert negative_curvature([[1.0, 1.0], [1.0, 1.0]]) is None  # semidefinite
    assert negative_curvature([[math.nan, 0.0], [0.0, -1.0]]) is None  # nothing to judge by
    assert negative_curvature([[-1.0, 0.0], [0.0, math.inf]]) is None
    d = negative_curvature([[0.0, 1.0], [1.0, 0.0]])
    assert d is not None and math.isclose(abs(d[0]), math.sqrt(0.5)) and d[0] == -d[1]
    # Eigenvalues 5, -1 and 1, and no diagonal entry negative: the direction is the
    # eigenvector of -1, (1, -1, 0) / sqrt(2), the steepest way down.
    m = [[2.0, 3.0, 0.0], [3.0, 2.0, 0.0], [0.0, 0.0, 1.0]]
    d = negative_curvature(m)
    assert d is not None
    assert math.isclose(curvature(m, d), -1.0) and abs(d[2]) < 1e-15 and d[0] == -d[1]
    assert math.isclose(math.hypot(*d), 1.0)


@pytest.mark.parametrize("size", [1e300, 1e-300, 1.7e308, 5e-324])
def test_negative_curvature_at_the_ends_of_the_float_range(size: float) -> None:
    # A rotation squares entries: 1e300 ** 2 raised OverflowError (test_fuzz_findings.py);
    # the same matrix at any scale has the same directions.
    from symdiff.tools.linalg import negative_curvature

    d = negative_curvature([[0.0, size], [size, 0.0]])
    assert d is not None and math.isclose(abs(d[0]), math.sqrt(0.5)) and d[0] == -d[1]
    assert negative_curvature([[size, 0.0], [0.0, -size]]) == [0.0, 1.0]
    assert negative_curvature([[size, size], [size, size]]) is None


coefficient = st.integers(-3, 3)


@settings(max_examples=examples(100), deadline=None)
@given(coefficient, coefficient, coefficient)
def test_where_minimize_says_converged_f_curves_up(c: int, d: int, e: int) -> None:
    # The origin is a stationary point of every such f, and a minimum, maximum or saddle
    # point as the quadratic part's Hessian [[2c, e], [e, 2d]] is definite or not; the
    # quartic term keeps f bounded below. NumPy's eigenvalues are the oracle.
    formula = f"({c})*x^2 + ({d})*y^2 + ({e})*x*y + (x^2 + y^2)^2"
    result = symdiff.minimize(formula, x=0.0, y=0.0)
    assert result.converged, result
    hessian = symdiff.hessian(formula, **result.point)
    matrix = np.array([[hessian[i][j] for j in range(2)] for i in range(2)])
    lowest = np.linalg.eigvalsh(matrix)[0]
    assert lowest >= -1e-9 * max(1.0, np.abs(matrix).max()), (formula, result, matrix)
    if np.linalg.eigvalsh(np.array([[2 * c, e], [e, 2 * d]]))[0] < 0:
        assert result.value < 0, (formula, result)  # it left the origin, downhill


def test_near_a_minimum_f_at_its_rounding_is_judged_by_the_gradient() -> None:
    # From here the Newton step promises a decrease of about 1e-17, below the rounding of
    # f = -3.28 (4e-16): the Armijo test could not accept it, and every iteration took a
    # step too small to move x, to the iteration limit (200 iterations, 4,710 evaluations).
    formula = "-3*y^2 + 3*x*y + (x^2 + y^2)^2"
    result = symdiff.minimize(formula, x=-0.5149417862641449, y=1.243179444231526)
    assert result.converged and result.iterations <= 2, result
    assert result.residual < 1e-14
