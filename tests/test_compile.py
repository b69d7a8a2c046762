"""symdiff.compile: generated value, gradient, Hessian and Jacobian programs equal the
interpreter's numbers, on floats and on arrays, and stay safe whatever the variables are
called."""

from __future__ import annotations

import copy
import io
import math
import re
import tokenize
import warnings

import numpy as np
import pytest
from corpus import COMPOSITE_CASES, FUNCTION_CASES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import gradients_both_ways, outcome, same_numbers
from strategies import examples, expressions

import symdiff
from symdiff import DomainError, Expr, SymdiffError, SymdiffWarning, ValuesError
from symdiff.codegen.python import compile_gradient
from symdiff.ir.nodes import make, variable
from symdiff.ir.ops import OPS
from symdiff.numeric.evaluate import plan

CASES = FUNCTION_CASES + COMPOSITE_CASES


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-11, abs_tol=1e-13)


def test_compiled_equals_interpreted_for_orders_0_and_1(subtests: pytest.Subtests) -> None:
    for case in CASES:
        with subtests.test(case.text):
            f = symdiff.compile(case.text)
            args = [case.point[name] for name in f.variables]
            expected = symdiff.differentiate(case.text, case.point)
            value, gradient = f(*args)
            assert _close(value, expected.value)
            assert all(_close(g, expected[n]) for g, n in zip(gradient, f.variables, strict=True))
            assert _close(symdiff.compile(case.text, order=0)(*args), expected.value)
            assert type(value) is float and all(type(g) is float for g in gradient)


def test_the_compiled_hessian_is_symmetric_and_equals_symdiff_hessian(
    subtests: pytest.Subtests,
) -> None:
    for case in CASES:
        with subtests.test(case.text):
            f = symdiff.compile(case.text, order=2)
            args = [case.point[name] for name in f.variables]
            try:
                expected = symdiff.hessian(case.text, f.variables, **case.point)
            except DomainError:
                with pytest.raises(DomainError):
                    f(*args)
                continue
            value, gradient, hessian = f(*args)
            n = len(f.variables)
            assert len(hessian) == n and all(len(row) == n for row in hessian)
            for i in range(n):
                for j in range(n):
                    assert hessian[i][j] == hessian[j][i]
                    assert _close(hessian[i][j], expected[i][j]), (i, j, hessian, expected)
            assert (value, gradient) == symdiff.compile(case.text)(*args)


def test_each_hessian_entry_is_computed_once() -> None:
    f = symdiff.compile("x^2*y^2*z", order=2)
    source = f.source
    # The lower triangle reuses the upper triangle's names: the returned rows hold each
    # off-diagonal name twice and nothing computes it twice.
    result_line = source.splitlines()[-1]
    hessian_text = result_line.split(", ((", 1)[1]
    names = [part.strip(" (),") for part in hessian_text.split(",") if part.strip(" (),")]
    assert len(names) == 9 and len(set(names)) <= 6


def test_the_jacobian_of_a_list() -> None:
    f = symdiff.compile(["x*y", "x + y^2", "sin(z)"], ["x", "y", "z"])
    values, jacobian = f(2.0, 3.0, 0.5)
    assert values == (6.0, 11.0, math.sin(0.5))
    assert jacobian == ((3.0, 2.0, 0.0), (1.0, 6.0, 0.0), (0.0, 0.0, math.cos(0.5)))
    assert symdiff.compile(["x*y", "y"]).variables == ("x", "y")


def test_the_issue_examples() -> None:
    fn = symdiff.compile("exp(-(x-mu)^2/(2*s^2))/(s*sqrt(2*pi))")
    assert fn.variables == ("x", "mu", "s")
    x = np.linspace(-2.0, 2.0, 11)
    value, grad = fn(x, 0.0, 1.0)
    assert value.shape == (11,) and all(g.shape == (11,) for g in grad)
    np.testing.assert_allclose(value, np.exp(-(x**2) / 2) / math.sqrt(2 * math.pi), rtol=1e-14)
    np.testing.assert_allclose(grad[0], -x * value, rtol=1e-12, atol=1e-300)
    assert fn.source.startswith("def compiled(x0=_missing, x1=_missing, x2=_missing, /, *more,")
    _, _, hessian = symdiff.compile("x^2*y + exp(x*y)", order=2)(1.5, 0.5)
    assert _close(hessian[0][1], 2 * 1.5 + math.exp(0.75) * (1 + 0.75))


@pytest.mark.parametrize("order", [0, 1, 2])
def test_arrays_in_compiled_equal_floats_in(order: int) -> None:
    f = symdiff.compile("x^y*sin(x*z) + log(z)", order=order)
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0.5, 2.0, (2, 7))
    z = 1.25
    batch = f(x, y, z)
    for k in range(7):
        point = f(float(x[k]), float(y[k]), z)
        at_k = [float(np.asarray(b)[k]) for b in _leaves(batch)]
        assert np.allclose(at_k, [float(v) for v in _leaves(point)], rtol=1e-12)


def _leaves(result: object) -> list[object]:
    if isinstance(result, tuple):
        return [leaf for item in result for leaf in _leaves(item)]
    return [result]


def test_compiled_arrays_follow_the_domain_policy() -> None:
    f = symdiff.compile("sqrt(x) + y")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value, (_, dy) = f(np.array([1.0, -1.0]), 2.0)
    assert [w.category for w in caught] == [SymdiffWarning]
    assert value[0] == 3.0 and math.isnan(value[1]) and math.isnan(dy[1])
    with pytest.raises(DomainError, match="sqrt"):
        f(np.array([1.0, -1.0]), 2.0, errors="raise")


def test_floats_that_fail_raise_the_interpreters_error() -> None:
    with pytest.raises(DomainError, match="sqrt"):
        symdiff.compile("sqrt(x)")(0.0)
    with pytest.raises(DomainError, match="log"):
        symdiff.compile("log(x)", order=2)(-1.0)
    # Where a step overflows, the interpreter computes the point widely (the numeric policy).
    value, (dx,) = symdiff.compile("log(exp(x))")(800.0)
    assert value == 800.0 and dx == pytest.approx(1.0)


def test_an_input_that_is_not_finite_is_named_whatever_the_ops_do_with_it(
    subtests: pytest.Subtests,
) -> None:
    # The float program checks its inputs with its results: an op that hides inf or nan
    # (atan(inf) is pi/2, exp(-inf) is 0, 1/inf is 0) must still not let one through.
    for case in CASES:
        with subtests.test(case.text):
            for order in (0, 1):
                f = symdiff.compile(case.text, order=order)
                args = [case.point[name] for name in f.variables]
                for position, name in enumerate(f.variables):
                    for bad in (math.inf, -math.inf, math.nan):
                        point = [*args[:position], bad, *args[position + 1 :]]
                        with pytest.raises(
                            ValuesError, match=f"value of {re.escape(name)} must be"
                        ):
                            f(*point)


def test_a_compiled_function_is_one_object_with_its_facts() -> None:
    f = symdiff.compile("x*y + z", order=2)
    assert isinstance(f, symdiff.Compiled)
    assert repr(f) == "<symdiff.Compiled order 2 of x, y, z>"
    assert copy.copy(f) is f and copy.deepcopy(f) is f
    with pytest.raises(ValuesError, match=r"takes 3 values \(x, y, z\), not 4"):
        f(1.0, 2.0, 3.0, 4.0)
    with pytest.raises(ValuesError, match="not 0"):
        f()
    with pytest.raises(SymdiffError, match="errors is"):
        f(np.ones(2), 1.0, 1.0, errors="loud")
    assert symdiff.compile("2*pi")() == (2 * math.pi, ())
    with pytest.raises(ValuesError, match="takes 0 values"):
        symdiff.compile("2*pi")(1.0)


def test_a_call_the_value_and_the_partials_share_is_computed_once() -> None:
    # sin's partial is the cos the value computes, and cos's partial the sin: two calls,
    # not four, in the float program as in the NumPy one; the same for the gradient code
    # behind differentiate, and across the rows of a Hessian.
    f = symdiff.compile("sin(x*y) + cos(x*y)")
    for source in (f.source, f.array_source):
        assert source.count("sin(") == 1 and source.count("cos(") == 1, source
    assert symdiff.compile("exp(x*y)", order=2).source.count("exp(") == 1
    p = plan(symdiff.parse("sin(x*y) + cos(x*y)"))
    code = compile_gradient(p.order, p.variable_nodes, p.active)
    assert code.source.count("sin(") == 1  # type: ignore[attr-defined]
    g = symdiff.differentiate("sin(x*y) + cos(x*y)", x=2.0, y=3.0)
    assert f(2.0, 3.0) == (g.value, (g["x"], g["y"]))


def test_bad_calls_are_values_errors() -> None:
    f = symdiff.compile("x*y")
    with pytest.raises(ValuesError, match="takes 2 values"):
        f(1.0)
    with pytest.raises(ValuesError, match="finite"):
        f(1.0, math.inf)
    with pytest.raises(ValuesError, match="real number"):
        f(1.0, "2")
    assert f(2, 3) == (6.0, (3.0, 2.0))  # ints are read as floats
    with pytest.raises(ValuesError, match=r"value of x .*is not a float"):
        f(10**400, 1.0)  # raised OverflowError
    with pytest.raises(ValuesError, match=r"value of y .*is not a float"):
        symdiff.compile("x*y", order=2)(1.0, -(10**400))
    with pytest.raises(SymdiffError, match="order"):
        symdiff.compile("x", order=3)
    with pytest.raises(SymdiffError, match="must include y"):
        symdiff.compile("x*y", ["x"])


@pytest.mark.parametrize("terms", [3, 8, 9, 40])
def test_a_long_gradient_is_checked_as_one_tuple(terms: int) -> None:
    # Beyond 8 results, the check sums the gradient's tuple in C: a partial that overflows
    # (d/dy log(y) = 1/y at the least subnormal) must still be refused, as differentiate
    # refuses it, on both the compiled and the generated-gradient paths.
    text = " + ".join(f"x{i}" for i in range(1, terms)) + " + log(y)"
    f = symdiff.compile(text)
    assert ("_sum(_gradient)" in f.source) is (terms > 8)
    expr = symdiff.parse(text)
    for y, fails in [(0.5, False), (5e-324, True)]:
        point = {**{f"x{i}": float(i) for i in range(1, terms)}, "y": y}
        if not fails:
            value, gradient = f(*point.values())
            for g in gradients_both_ways(expr, point):
                assert (g.value, *g.values()) == (value, *gradient)
            continue
        with pytest.raises(DomainError, match="derivative with respect to y is not finite"):
            f(*point.values())
        for _ in range(3):  # interpreted, then compiled
            with pytest.raises(DomainError, match="with respect to y is not finite"):
                symdiff.differentiate(expr, point)
        # differentiate's generated gradient returns the value and the partials together.
        source = plan(expr).gradient_code.source  # type: ignore[union-attr]
        assert ("_sum(_result)" in source) is (terms + 1 > 8)


def test_a_function_of_many_variables_reads_them_as_one_tuple() -> None:
    # Beyond 32 variables the generated function takes *given and checks their types as
    # one tuple; beyond 1,000 lines its intermediates reuse the names of dead ones. Both
    # must give the interpreter's numbers and hand every other call on as before.
    n = 400
    text = " + ".join(f"sin(x{i}*x{i + 1})" for i in range(1, n))
    f = symdiff.compile(text)
    assert f.source.startswith('def compiled(*given, errors="warn", **named):')
    point = [0.5 + i / n for i in range(n)]
    value, gradient = f(*point)
    expected = symdiff.differentiate(text, dict(zip(f.variables, point, strict=True)))
    assert value == expected.value and list(gradient) == list(expected.values())
    whole = [float(i % 3 + 1) for i in range(n)]
    assert f(*map(int, whole)) == f(*whole)  # ints are read as floats
    with pytest.raises(ValuesError, match=rf"takes {n} values .*, not {n - 1}"):
        f(*point[:-1])
    with pytest.raises(ValuesError, match=rf"not {n + 1}"):
        f(*point, 1.0)
    with pytest.raises(ValuesError, match="value of x3 must be finite"):
        f(*point[:2], math.inf, *point[3:])
    with pytest.raises(ValuesError, match="real number"):
        f(*point[:-1], "1.0")
    arrays = f(np.array(point[0]) * np.ones(3), *point[1:])
    assert np.array_equal(arrays[0], np.full(3, value))
    with pytest.raises(DomainError, match="log"):
        symdiff.compile(f"log(x0) + {text}")(-1.0, *point)
    # The source of a small function still numbers its intermediates in order.
    small = re.findall(r"\b(t\d+) = ", symdiff.compile("sin(x*y) + cos(x*y)").source)
    assert small == [f"t{i}" for i in range(len(small))]
    large = re.findall(r"\b(t\d+) = ", f.source)
    assert len(set(large)) < len(large) / 2


@pytest.mark.parametrize("n", [2, 40])  # named parameters, and *given beyond 32
def test_values_by_name_are_the_values_by_position(n: int) -> None:
    text = " + ".join(f"sin(x{i}*x{i + 1})" for i in range(1, n)) + " + y^2"
    f = symdiff.compile(text)
    point = {name: 0.25 + i / n for i, name in enumerate(f.variables)}
    by_position = f(*point.values())
    assert f(**point) == by_position
    assert f(**dict(reversed(point.items()))) == by_position
    first, *rest = f.variables
    assert f(point[first], **{name: point[name] for name in rest}) == by_position
    assert f(**{**point, "y": 2}) == f(**{**point, "y": 2.0})  # an int read as a float
    arrays = f(**{**point, "y": np.array([0.5, 1.5])})
    assert np.array_equal(arrays[0], [f(**{**point, "y": y})[0] for y in (0.5, 1.5)])
    with pytest.raises(ValuesError, match="no value given for y"):
        f(**{name: point[name] for name in f.variables[:-1]})
    with pytest.raises(ValuesError, match=f"value of {first} is given twice"):
        f(point[first], **point)
    with pytest.raises(ValuesError, match="has no variable z: its variables are x1, "):
        f(**point, z=1.0)
    with pytest.raises(ValuesError, match="real number"):
        f(**{**point, "y": "1"})
    with pytest.raises(DomainError, match="log"):
        symdiff.compile(f"log(y) + {text}")(**{**point, "y": -1.0})


def test_the_generated_parameter_names_are_not_keywords() -> None:
    # The generated function's own parameters (x0, x1, ...) take values by position only:
    # by name, only the formula's variables count.
    f = symdiff.compile("a*b")
    assert "/, *more" in f.source
    with pytest.raises(ValuesError, match="has no variable x0: its variables are a, b"):
        f(x0=1.0, x1=2.0)
    g = symdiff.compile("x1 - x0", ["x1", "x0"])
    assert g(x0=1.0, x1=3.0) == g(3.0, 1.0) == (2.0, (1.0, -1.0))


def test_extra_variables_have_zero_partials() -> None:
    assert symdiff.compile("x^2", ["x", "w"])(3.0, 1.0) == (9.0, (6.0, 0.0))


_HOSTILE = ["lambda", "__import__", "print", "import", "exec", "__builtins__"]


@pytest.mark.parametrize(
    "name",
    [*_HOSTILE, "x0", "t0", "np", "_missing", "_retry", "more", "errors", "def", "float"],
)
def test_hostile_variable_names_never_reach_the_generated_code(name: str) -> None:
    x, other = variable(name), variable("other")
    e = make(OPS["mul"], (make(OPS["sin"], (x,)), other))
    f = symdiff.compile(e, order=2)
    assert f.variables == (name, "other")
    if name in _HOSTILE:
        for source in (f.source, f.array_source):
            words = {t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)}
            assert name not in words
    value, gradient, hessian = f(0.5, 2.0)
    assert _close(value, 2.0 * math.sin(0.5)) and _close(gradient[0], 2.0 * math.cos(0.5))
    assert _close(hessian[0][0], -2.0 * math.sin(0.5)) and hessian[1][1] == 0.0
    assert f(np.array([0.5]), 2.0)[0][0] == value


def test_dask_in_compiled_gives_dask_out() -> None:
    da = pytest.importorskip("dask.array")
    f = symdiff.compile(["x*y", "sqrt(x)"], ["x", "y"])
    x = np.linspace(0.5, 2.0, 40)
    values, jacobian = f(da.from_array(x, chunks=10), 3.0)
    assert all(isinstance(v, da.Array) for v in values)
    eager_values, eager_jacobian = f(x, 3.0)
    np.testing.assert_array_equal(values[1].compute(), eager_values[1])
    np.testing.assert_array_equal(jacobian[1][0].compute(), eager_jacobian[1][0])
    np.testing.assert_array_equal(jacobian[0][1].compute(), x)


def test_a_warning_from_compiled_arrays_points_at_the_caller() -> None:
    f = symdiff.compile("log(x)", order=0)
    with pytest.warns(SymdiffWarning) as caught:
        f(np.array([-1.0, 1.0]))
    assert caught[0].filename == __file__


def test_the_compiled_jacobian_equals_symdiff_jacobian(subtests: pytest.Subtests) -> None:
    for case in COMPOSITE_CASES:
        with subtests.test(case.text):
            texts = [case.text, f"sin({case.text})", f"({case.text})*{next(iter(case.point))}"]
            f = symdiff.compile(texts)
            values, jacobian = f(*(case.point[name] for name in f.variables))
            expected = symdiff.jacobian(texts, f.variables, **case.point)
            for row, expected_row, text, value in zip(
                jacobian, expected, texts, values, strict=True
            ):
                assert _close(value, symdiff.parse(text).evaluate(case.point))
                assert all(_close(a, b) for a, b in zip(row, expected_row, strict=True))


# Values where floats overflow, underflow or meet a signed zero, besides ordinary ones.
_VALUES = st.sampled_from([0.7, -1.5, 2.0, 3.0, 0.0, -0.0, 1e-300, 1e300])


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(max_leaves=8), st.lists(_VALUES, min_size=3, max_size=3))
def test_compiled_orders_0_1_2_equal_evaluate_differentiate_and_hessian(
    expr: Expr, values: list[float]
) -> None:
    # Every random expression at every point: the compiled programs give the numbers of the
    # interpreter's entry points, or the same kind of error, on the first call and later.
    names = list(expr.variables)
    point = dict(zip(names, values, strict=False))
    args = [point[name] for name in names]

    def gradient() -> tuple[float, tuple[float, ...]]:
        g = symdiff.differentiate(expr, point)
        return g.value, tuple(g[name] for name in names)

    def hessian() -> tuple[float, tuple[float, ...], tuple[tuple[float, ...], ...]]:
        value, partials = gradient()
        rows = symdiff.hessian(expr, names, **point) if names else []
        return value, partials, tuple(tuple(row) for row in rows)

    expected = {0: outcome(lambda: expr.evaluate(point)), 1: outcome(gradient)}
    expected[2] = outcome(hessian)
    for order in (0, 1, 2):
        try:
            compiled = symdiff.compile(expr, order=order)
        except SymdiffError:
            continue  # a Hessian of polygamma in its order: no program (test_compile above)
        for _ in range(2):
            answer = outcome(lambda: compiled(*args))  # noqa: B023
            assert same_numbers(answer, expected[order]), (order, answer, expected[order])


@pytest.mark.parametrize("text", ["5^442", "x + 10^400", "x*(-10)^401", "sin(5^442*x)"])
def test_a_constant_no_float_holds_is_the_interpreters_domain_error(text: str) -> None:
    # The exact number folds beyond the float range. The generated code used to raise
    # OverflowError (or the sweep's StepFailed) from compile, and from arrays in differentiate.
    for order in (0, 1, 2):
        compiled = symdiff.compile(text, order=order)
        args = [0.5] * len(compiled.variables)
        with pytest.raises(DomainError) as raised:
            compiled(*args)
        with pytest.raises(DomainError) as interpreted:
            symdiff.differentiate(text, dict.fromkeys(compiled.variables, 0.5))
        assert str(raised.value) == str(interpreted.value)
    if "x" in text:
        with pytest.warns(SymdiffWarning, match=r"\^4"):
            gradient = symdiff.differentiate(text, x=np.array([0.5, 2.0]))
        assert np.isnan(gradient.value).all() and np.isnan(gradient["x"]).all()
        with pytest.raises(DomainError, match="too large"):
            symdiff.compile(text)(np.array([0.5, 2.0]), errors="raise")


def test_a_constant_no_float_holds_may_still_have_an_answer() -> None:
    # atan(x*10^400) is pi/2 in wide arithmetic, where the interpreter computes it: so is
    # the compiled function's answer (its float program refuses the point and hands it on).
    for text in ["atan(x*10^400)", "x^(10^400)", "atan2(10^400, x)"]:
        expected = symdiff.differentiate(text, x=0.5)
        value, gradient = symdiff.compile(text)(0.5)
        assert (value, gradient) == (expected.value, (expected["x"],))
