"""Jacobians and Hessians at a point, and sensitivities, against SymPy and by hand."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy
from corpus import CORPUS

import symdiff
from symdiff.tools import points

FORMULAS = ["sin(x*y) + exp(x)/y", "x^2*y^3 - log(y)", "atan2(y, x)*x"]
POINT = {"x": 0.7, "y": 1.9}


def _sympy_values(matrix: sympy.Matrix) -> list[list[float]]:
    x, y = sympy.symbols("x y")
    return [[float(e.subs({x: POINT["x"], y: POINT["y"]})) for e in row] for row in matrix.tolist()]


def test_the_jacobian_at_a_point_agrees_with_sympy() -> None:
    x, y = sympy.symbols("x y")
    reference = sympy.Matrix(
        [sympy.sin(x * y) + sympy.exp(x) / y, x**2 * y**3 - sympy.log(y), sympy.atan2(y, x) * x]
    ).jacobian([x, y])
    result = symdiff.jacobian(FORMULAS, **POINT)
    assert isinstance(result, list) and isinstance(result[0][0], float)
    for row, expected in zip(result, _sympy_values(reference), strict=True):
        assert row == pytest.approx(expected, rel=1e-12)


def test_the_hessian_at_a_point_agrees_with_sympy_and_is_symmetric() -> None:
    x, y = sympy.symbols("x y")
    reference = sympy.hessian(sympy.sin(x * y) + sympy.exp(x) / y, [x, y])
    result = symdiff.hessian(FORMULAS[0], **POINT)
    assert result[0][1] == result[1][0]
    for row, expected in zip(result, _sympy_values(reference), strict=True):
        assert row == pytest.approx(expected, rel=1e-12)


def test_without_values_the_matrices_stay_symbolic() -> None:
    assert symdiff.jacobian(["x*y", "x + y^2"]) == symdiff.api.jacobian(["x*y", "x + y^2"])
    assert symdiff.hessian("x^2*y", ["y", "x"]) == symdiff.api.hessian("x^2*y", ["y", "x"])


def test_variables_choose_and_order_the_columns() -> None:
    assert symdiff.jacobian(["x*y"], ["y", "x", "w"], x=2, y=3, w=1) == [[2.0, 3.0, 0.0]]


def test_arrays_of_points_give_arrays_of_matrices() -> None:
    xs = np.array([0.5, 1.0, 2.0])
    result = symdiff.jacobian(["x*y", "x + y^2"], x=xs, y=3.0)
    assert result.shape == (3, 2, 2)
    for x, matrix in zip(xs, result, strict=True):
        assert matrix.tolist() == symdiff.jacobian(["x*y", "x + y^2"], x=float(x), y=3.0)
    hessians = symdiff.hessian("x^2*y", x=xs[:, None], y=np.array([1.0, 2.0]))
    assert hessians.shape == (3, 2, 2, 2)
    assert hessians[2, 1].tolist() == [[4.0, 4.0], [4.0, 0.0]]


def test_arrays_that_do_not_broadcast_are_refused() -> None:
    with pytest.raises(symdiff.ValuesError):
        symdiff.jacobian(["x*y"], x=np.ones(2), y=np.ones(3))
    with pytest.raises(symdiff.SymdiffError):
        symdiff.jacobian("x*y", x=1, y=2)


def test_derivatives_reuse_the_gradient_expressions() -> None:
    derivatives = points.Derivatives("x^3*y + y^2")
    first = derivatives.partials()
    assert derivatives.hessian({"x": 1.0, "y": 2.0}) == [[12.0, 3.0], [3.0, 2.0]]
    assert derivatives.partials() is first


# --- sensitivity ------------------------------------------------------------------------


def test_sensitivities_are_derivatives_and_elasticities_ranked() -> None:
    values = {"P": 1000.0, "r": 0.05, "n": 10.0}
    result = symdiff.sensitivity("P*(1+r)^n", **values)
    f = 1000 * 1.05**10
    expected = {
        "P": 1.05**10,
        "r": 1000 * 10 * 1.05**9,
        "n": f * math.log(1.05),
    }
    for name, derivative in expected.items():
        assert result[name].derivative == pytest.approx(derivative, rel=1e-12)
        assert result[name].elasticity == pytest.approx(derivative * values[name] / f, rel=1e-12)
    ranking = sorted(expected, key=lambda n: -abs(expected[n] * values[n]))
    assert list(result) == ranking
    lines = str(result).splitlines()
    assert [line.split()[1] for line in lines[2:]] == ranking
    assert result.to_dict()["inputs"]["P"]["elasticity"] == pytest.approx(1.0)


def test_an_undefined_elasticity_is_nan_and_none_in_the_dictionary() -> None:
    result = symdiff.sensitivity("x - y", x=2, y=2)
    assert math.isnan(result["x"].elasticity)
    assert result.to_dict()["inputs"]["x"]["elasticity"] is None
    assert "undefined" in str(result)


def test_sensitivity_over_arrays_of_points() -> None:
    xs = np.array([1.0, 2.0, 4.0])
    result = symdiff.sensitivity("x^2*y", x=xs, y=3.0)
    assert result["x"].derivative.tolist() == (2 * xs * 3).tolist()
    assert result["x"].elasticity.tolist() == pytest.approx([2.0, 2.0, 2.0])
    assert list(result) == ["x", "y"]
    assert "over 3 points" in str(result)


# --- the Jacobian chooses its sweep by shape ----------------------------------------------


def test_the_jacobian_chooses_forward_mode_for_few_inputs_and_many_outputs() -> None:
    assert points.jacobian_mode(3, 1) == "forward"
    assert points.jacobian_mode(1, 3) == "reverse"
    assert points.jacobian_mode(2, 2) == "reverse"
    assert points.jacobian_mode(3, 1, "reverse") == "reverse"
    with pytest.raises(symdiff.SymdiffError, match="mode is"):
        points.jacobian_mode(1, 1, "sideways")
    with pytest.raises(symdiff.SymdiffError, match="mode is"):
        symdiff.jacobian(FORMULAS, mode="sideways", **POINT)


@pytest.mark.parametrize("variables", [["x"], ["x", "y"], ["y", "x"]])
def test_forward_and_reverse_jacobians_give_the_same_numbers(variables: list[str]) -> None:
    formulas = [*FORMULAS, "x/y", "hypot(x, y)"]
    forward = symdiff.jacobian(formulas, variables, mode="forward", **POINT)
    reverse = symdiff.jacobian(formulas, variables, mode="reverse", **POINT)
    chosen = symdiff.jacobian(formulas, variables, **POINT)
    assert chosen == (forward if len(variables) < len(formulas) else reverse)
    for f_row, r_row in zip(forward, reverse, strict=True):
        for f, r in zip(f_row, r_row, strict=True):
            assert math.isclose(f, r, rel_tol=1e-13, abs_tol=1e-15)
    # Each entry is also the single-expression forward derivative, bit for bit.
    for formula, row in zip(formulas, forward, strict=True):
        g = symdiff.differentiate(formula, POINT, mode="forward")
        assert row == [g.get(v, 0.0) for v in variables]


def test_a_forward_jacobian_over_arrays_and_its_domain_errors() -> None:
    xs = np.array([0.5, 1.0, 2.0])
    forward = symdiff.jacobian(["x*y", "sin(x)", "x^2"], ["x"], mode="forward", x=xs, y=2.0)
    reverse = symdiff.jacobian(["x*y", "sin(x)", "x^2"], ["x"], mode="reverse", x=xs, y=2.0)
    assert forward.shape == (3, 3, 1)
    np.testing.assert_allclose(forward, reverse, rtol=1e-14)
    with pytest.raises(symdiff.DomainError, match="log"):
        symdiff.jacobian(["log(x)", "x", "x^2"], ["x"], x=-1.0)


def test_a_variable_named_mode_still_takes_a_number() -> None:
    assert symdiff.jacobian(["mode*x", "x"], ["mode"], mode=3.0, x=2.0) == [[2.0], [0.0]]


@pytest.mark.parametrize(
    ("formula", "x", "elasticity"),
    [
        # x df/dx is beyond the float range, the ratio is not: it was inf.
        ("1e10*(x - 1e300) + x", 1e300, 10000000001.0),
        # x df/dx underflows to 0, the ratio does not: it was 0.0.
        ("1e-200*(x - 1e-200) + 1e-300", 1e-200, 9.999999999999999e-101),
        # The ratio itself is beyond the range: inf, of its sign.
        ("-1e10*(x - 1e300) + 1", 1e300, -math.inf),
    ],
)
def test_an_elasticity_is_the_exact_ratio_where_its_product_leaves_the_float_range(
    formula: str, x: float, elasticity: float
) -> None:
    exact = (
        float(
            Fraction(symdiff.differentiate(formula, x=x)["x"])
            * Fraction(x)
            / Fraction(symdiff.parse(formula).evaluate(x=x))
        )
        if math.isfinite(elasticity)
        else elasticity
    )
    assert symdiff.sensitivity(formula, x=x)["x"].elasticity == elasticity == exact
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no RuntimeWarning from NumPy over arrays
        rows = symdiff.sensitivity(formula, x=np.array([x, x]))
    assert rows["x"].elasticity.tolist() == [elasticity, elasticity]


def test_a_hessian_has_no_value_where_the_function_is_undefined() -> None:
    # d^2/dx^2 log(x) = -1/x^2 has a value at x = -1, where log(x) has none. log(x)*y was
    # refused already (its row for y sweeps log(x) itself); log(x) alone was not.
    for formula in ("log(x)", "log(x)*y", "atanh(x)"):
        with pytest.raises(symdiff.DomainError, match=r"(log|atanh)\(x\) is undefined"):
            symdiff.hessian(formula, x=-2.0, y=2.0)
        # Over arrays, NaN at that point (the arrays' policy; see the tests below).
        with pytest.warns(symdiff.SymdiffWarning, match=r"where x = -2\.0"):
            matrices = symdiff.hessian(formula, x=np.array([0.5, -2.0]), y=2.0)
        assert np.isnan(matrices[1]).all() and np.isfinite(matrices[0]).all()


def test_a_derivative_at_a_point_is_the_partial_of_every_other_path() -> None:
    # Order 1 is the gradient's partial, order 2 the Hessian's diagonal, order 3 the
    # formula's value where the lower orders are defined; none where they are not.
    for formula in FORMULAS:
        expr = symdiff.parse(formula)
        gradient = symdiff.differentiate(expr, POINT)
        matrix = symdiff.hessian(expr, **POINT)
        for i, name in enumerate(expr.variables):
            assert points.derivative_at(expr, name, 0, POINT) == gradient.value
            assert points.derivative_at(expr, name, 1, POINT) == gradient[name]
            second = points.derivative_at(expr, name, 2, POINT)
            assert second == pytest.approx(matrix[i][i], rel=1e-12)
            third = symdiff.derivative(expr, name, 3).evaluate(POINT)
            assert points.derivative_at(expr, name, 3, POINT) == pytest.approx(third, rel=1e-12)
    # x*sqrt(x) is 0 at 0, but has no second derivative there (the first, 3*sqrt(x)/2,
    # has none of its own), so no second or third.
    assert points.derivative_at(symdiff.parse("x*sqrt(x)"), "x", 0, {"x": 0.0}) == 0.0
    for order in (2, 3):
        with pytest.raises(symdiff.DomainError):
            points.derivative_at(symdiff.parse("x*sqrt(x)"), "x", order, {"x": 0.0})
    # The first derivative of log(x) at -1 would be 1/x = -1: the function says no first.
    for order in (1, 2, 3):
        with pytest.raises(symdiff.DomainError, match=r"log\(x\) is undefined"):
            points.derivative_at(symdiff.parse("log(x)"), "x", order, {"x": -1.0})


# --- arrays of points: one program, the arrays' domain policy -------------------------------


def test_matrices_over_arrays_follow_the_arrays_domain_policy() -> None:
    # One bad point does not cost the others: its matrix is NaN, and one warning names the
    # subexpression, how many points and the first; errors="raise" and "ignore" as for
    # differentiate. Each call used to raise at the first bad point.
    xs = np.array([[1.0, -1.0, 2.0], [-3.0, 0.5, 4.0]])
    calls = {
        "jacobian": lambda **o: symdiff.jacobian(["log(x)*y", "x*y"], x=xs, y=2.0, **o),
        "hessian": lambda **o: symdiff.hessian("log(x)*y", x=xs, y=2.0, **o),
        "sensitivity": lambda **o: (
            symdiff.sensitivity("log(x)*y", x=xs, y=2.0, **o)["x"].derivative
        ),
    }
    bad = xs < 0
    for name, call in calls.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = call()
        assert len(caught) == 1, name
        message = str(caught[0].message)
        assert "log(x) is undefined" in message and "at 2 of 6 elements" in message, message
        assert "the first at index (0, 1), where x = -1.0" in message
        assert caught[0].filename == __file__  # it points at the line that called
        at_each = np.isnan(result).reshape(*xs.shape, -1).all(axis=-1)
        assert (at_each == bad).all(), name
        for index in zip(*np.nonzero(~bad), strict=True):
            point = {"x": float(xs[index]), "y": 2.0}
            if name == "jacobian":
                expected = symdiff.jacobian(["log(x)*y", "x*y"], **point)
            elif name == "hessian":
                expected = symdiff.hessian("log(x)*y", **point)
            else:
                expected = symdiff.sensitivity("log(x)*y", **point)["x"].derivative
            np.testing.assert_allclose(result[index], expected, rtol=1e-14)
        with pytest.raises(symdiff.DomainError, match=r"at 2 of 6 elements"):
            call(errors="raise")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert np.isnan(call(errors="ignore")).any()
        with pytest.raises(symdiff.ValuesError, match="errors is 'warn', 'raise' or 'ignore'"):
            call(errors="loudly")


def test_matrices_over_arrays_take_variables_and_values_as_points_do() -> None:
    xs = np.array([1.0, 2.0])
    # Some of the variables, in the order asked; one no formula uses is a zero column.
    assert symdiff.hessian("x^2*y", ["x"], x=xs, y=3.0).tolist() == [[[6.0]], [[6.0]]]
    hessians = symdiff.hessian("x^2*y", ["y", "x", "z"], x=xs, y=3.0)
    assert hessians[1].tolist() == [[0.0, 4.0, 0.0], [4.0, 6.0, 0.0], [0.0, 0.0, 0.0]]
    # The arrays may all be values of names no formula uses: the same matrix everywhere.
    same = symdiff.jacobian(["x*y"], x=2.0, y=3.0, z=xs)
    assert same.tolist() == [[[3.0, 2.0]], [[3.0, 2.0]]]
    assert symdiff.jacobian(["2", "3"], z=xs).shape == (2, 2, 0)
    with pytest.raises(symdiff.ValuesError, match="no value given for y"):
        symdiff.jacobian(["x*y"], x=xs)
    with pytest.raises(symdiff.ValuesError, match="the value of z must be a real number"):
        symdiff.hessian("x*y", x=xs, y=1.0, z="one")
    # errors= changes nothing at a single point, where a domain error raises as always.
    assert symdiff.hessian("x^2", x=1.0, errors="ignore") == [[2.0]]
    with pytest.raises(symdiff.DomainError):
        symdiff.jacobian(["log(x)"], x=-1.0, errors="ignore")


def test_dask_arrays_give_lazy_matrices_and_computed_sensitivities() -> None:
    # Dask in, Dask out, chunk by chunk, as for differentiate: the same numbers as NumPy's.
    # Before, the matrices were lists of lists of Dask arrays, and sensitivity raised
    # TypeError from float() of an array.
    dask_array = pytest.importorskip("dask.array")
    xs = np.array([[1.0, 2.0, 0.5], [3.0, 0.25, 4.0]])
    lazy_x = dask_array.from_array(xs, chunks=(1, 2))
    for call in (
        lambda x: symdiff.jacobian(["x*y", "log(x)", "y"], x=x, y=2.0),
        lambda x: symdiff.hessian("x^2*y + log(x)", x=x, y=2.0),
    ):
        lazy = call(lazy_x)
        assert type(lazy).__module__.startswith("dask") and lazy.shape == call(xs).shape
        np.testing.assert_array_equal(lazy.compute(), call(xs))
    computed = symdiff.sensitivity("x^2*y", x=lazy_x, y=2.0)
    expected = symdiff.sensitivity("x^2*y", x=xs, y=2.0)
    for name in ("x", "y"):
        np.testing.assert_array_equal(computed[name].derivative, expected[name].derivative)
        np.testing.assert_array_equal(computed[name].elasticity, expected[name].elasticity)
    with pytest.raises(symdiff.DomainError, match="log"):
        symdiff.hessian("log(x)", x=dask_array.from_array(-xs, chunks=2), errors="raise").compute()


def test_a_partial_at_a_point_needs_no_other_partial() -> None:
    # d/dx x*sqrt(y) at y = 0 is sqrt(0) = 0, though the gradient has no partial in y there
    # (the whole gradient, as grad --at computes it, is refused).
    expr, point = symdiff.parse("x*sqrt(y)"), {"x": 1.0, "y": 0.0}
    with pytest.raises(symdiff.DomainError, match=r"sqrt\(y\) has no derivative"):
        symdiff.differentiate(expr, point)
    assert points.derivative_at(expr, "x", 1, point) == 0.0
    assert points.derivative_at(expr, "x", 2, point) == 0.0
    with pytest.raises(symdiff.DomainError, match=r"sqrt\(y\) has no derivative"):
        points.derivative_at(expr, "y", 1, point)


def test_derivatives_at_a_point_agree_with_the_gradient_and_the_hessian_on_the_corpus(
    subtests: pytest.Subtests,
) -> None:
    # The first derivative (diff --at) sweeps along one variable's paths alone: the same
    # operations in the same order as that partial of the whole gradient (grad --at), so
    # the same float. The second takes another route than the Hessian's row (the
    # derivative in its shortest form, swept once more, against the gradient the rules
    # build): the same number to rounding, and where one has no value, neither has.
    for case in CORPUS:
        expr = symdiff.parse(case.text)
        if symdiff.count_nodes(expr) > 60:
            continue
        with subtests.test(case.text):
            gradient = symdiff.differentiate(expr, case.point)
            try:
                matrix: list[list[float]] | Exception = symdiff.hessian(expr, **case.point)
            except symdiff.DomainError as error:
                matrix = error
            for i, name in enumerate(expr.variables):
                assert points.derivative_at(expr, name, 1, case.point) == gradient[name], name
                if isinstance(matrix, Exception):
                    with pytest.raises(symdiff.DomainError):
                        points.derivative_at(expr, name, 2, case.point)
                    continue
                second = points.derivative_at(expr, name, 2, case.point)
                assert math.isclose(second, matrix[i][i], rel_tol=1e-9, abs_tol=1e-12), name


def test_derivatives_at_a_point_exist_where_the_lower_ones_do_numerically() -> None:
    # sqrt(x^2) simplifies to abs(x), whose symbolic derivative sign(x) is 0 at 0; but
    # sqrt(x^2) itself has no derivative there (its gradient says so), so neither has a
    # second. abs(x) has both at 0 by the numeric convention (0, then 0).
    kink = symdiff.parse("sqrt(x^2)")
    assert str(symdiff.derivative(kink, "x")) == "sign(x)"
    at_zero = {"x": 0.0}
    for call in (
        lambda: symdiff.differentiate(kink, at_zero),
        lambda: symdiff.hessian(kink, **at_zero),
        lambda: points.derivative_at(kink, "x", 1, at_zero),
        lambda: points.derivative_at(kink, "x", 2, at_zero),
    ):
        with pytest.raises(symdiff.DomainError, match="no derivative"):
            call()
    corner = symdiff.parse("abs(x)")
    assert symdiff.hessian(corner, **at_zero) == [[0.0]]
    assert [points.derivative_at(corner, "x", n, at_zero) for n in (1, 2, 3)] == [0.0] * 3
