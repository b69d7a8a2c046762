"""Backends as tables keyed by op: every backend covers every op of the table, the op
table holds only mathematics, and the text and LaTeX printers share one decision about
parentheses."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import examples

import symdiff
from symdiff import Expr, parse
from symdiff.codegen.numpy import NUMPY
from symdiff.codegen.program import Sweep
from symdiff.codegen.python import PYTHON, compile_value
from symdiff.diff.algebra import FloatAlgebra
from symdiff.ir.graph import topological_order
from symdiff.ir.nodes import make, variable
from symdiff.ir.ops import ARITHMETIC, FUNCTIONS, NAMED_CONSTANTS, OPS, Op
from symdiff.numeric.arrays import build, run
from symdiff.syntax.latex import _LATEX
from symdiff.syntax.precedence import OPERATORS
from symdiff.syntax.printer import to_text

# --- every backend covers every op --------------------------------------------------------


def test_the_op_table_holds_only_mathematics() -> None:
    fields = {field.name for field in dataclasses.fields(Op)}
    assert fields == {"key", "name", "arity", "numeric", "partials", "domain", "whole_arguments"}


def test_the_text_backend_covers_every_op() -> None:
    # Operators are written by the precedence table; every other op by its name, which
    # the parser must read back as the same op.
    assert set(OPERATORS) == ARITHMETIC
    for op in OPS.values():
        if op.key in OPERATORS:
            continue
        if op.arity:
            assert FUNCTIONS[op.name][op.arity] is op, op
        else:
            assert NAMED_CONSTANTS[op.name] is op, op


def test_the_latex_backend_covers_every_op() -> None:
    assert set(_LATEX) == set(OPS)


def test_the_python_backend_covers_every_op() -> None:
    assert set(PYTHON) == set(OPS)


def _applied(op: Op) -> Expr:
    return make(op, tuple(variable(name) for name in ("x", "y")[: op.arity]))


@pytest.mark.parametrize("op", OPS.values(), ids=lambda op: op.key)
def test_every_op_prints_and_reads_back(op: Op) -> None:
    expr = _applied(op)
    assert parse(to_text(expr)) is expr
    assert expr.to_latex()


@pytest.mark.parametrize("op", OPS.values(), ids=lambda op: op.key)
def test_generated_code_computes_every_op_as_the_table_does(
    op: Op, subtests: pytest.Subtests
) -> None:
    expr = _applied(op)
    variables = [variable(name) for name in ("x", "y")[: op.arity]]
    code = compile_value(topological_order([expr]), variables)
    for point in [(0.5, 2.0), (1.5, -0.5), (0.0, 0.0), (-2.0, 3.0)]:
        arguments = point[: op.arity]
        with subtests.test(str(arguments)):
            try:
                expected = FloatAlgebra().apply(op, *arguments)
            except (ArithmeticError, ValueError):
                with pytest.raises((ArithmeticError, ValueError)):
                    code(*arguments)
                continue
            got = code(*arguments)
            assert got == expected or (math.isnan(expected) and math.isnan(got))


def test_the_numpy_backend_covers_every_op() -> None:
    assert set(NUMPY) == set(OPS)


_POINTS = [(0.5, 2.0), (1.5, -0.5), (0.0, 0.0), (-2.0, 3.0), (0.25, 0.25)]


@pytest.mark.parametrize("op", [op for op in OPS.values() if op.arity], ids=lambda op: op.key)
def test_numpy_programs_compute_every_op_and_its_partials_as_the_scalar_path(op: Op) -> None:
    # The points as arrays: each element agrees with the scalar path where it answers,
    # and is NaN where the scalar path raises.
    np = pytest.importorskip("numpy")
    expr = _applied(op)
    names = ("x", "y")[: op.arity]
    nodes = tuple(variable(name) for name in names)
    # No partial in a whole-number argument (polygamma's order): it takes whole values.
    wrt = tuple(node for k, node in enumerate(nodes) if k not in op.whole_arguments)
    points = [
        tuple(float(round(abs(v))) if k in op.whole_arguments else v for k, v in enumerate(p))
        for p in _POINTS
    ]
    program = build([expr], nodes, [Sweep(expr, wrt)])
    columns = [np.array([point[k] for point in points]) for k in range(op.arity)]
    outputs = run(program, columns, names, errors="ignore")
    for element, point in enumerate(points):
        at = dict(zip(names, point, strict=False))
        try:
            if op.whole_arguments:
                value = expr.evaluate(at)
                partials = [symdiff.derivative(expr, node).evaluate(at) for node in wrt]
            else:
                g = symdiff.differentiate(expr, at)
                value, partials = g.value, [g[name] for name in names]
        except symdiff.DomainError:
            assert any(math.isnan(o[element]) for o in outputs), (op, point)
            continue
        expected = [value, *partials]
        got = [float(o[element]) for o in outputs]
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-300), (op, point)


def test_numpy_programs_compute_each_call_once() -> None:
    # sin's partial is cos(x*y), which the forward pass computed; -a*b and a + -b take no
    # pass of their own; c*(1/b) is c/b.
    expr = parse("sin(x*y) + cos(x*y) - exp(-x)/y")
    nodes = (variable("x"), variable("y"))
    program = build([expr], nodes, [Sweep(expr, nodes)])
    calls = [line.split(" = ", 1)[1] for line in program.source.splitlines() if " = " in line]
    assert len(calls) == len(set(calls))
    assert sum("np.cos(" in call for call in calls) == 1
    assert not any(call.startswith("np.divide(1.0") for call in calls)


def test_op_keys_are_compared_only_in_tables() -> None:
    # Backends and rules dispatch through tables keyed by op, not through chains of
    # comparisons. (simplify/ is being rewritten separately and is not checked here.)
    package = Path(symdiff.__file__).parent
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if path.parent.name != "simplify" and path.name != "ops.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.op\.key\s*[!=]=", line)
    ]
    assert offenders == []


# --- one parenthesisation decision ----------------------------------------------------------

# Operators and calls that both printers write the same way, over plain one-letter names:
# there LaTeX must have brackets exactly where text has them. Exponents are names or
# negated names, since LaTeX's ^{ } delimit an exponent where text may need brackets.
_SHARED = [OPS[key] for key in ("add", "sub", "mul", "neg", "sin", "atan2")]
_NAMES = st.sampled_from("abcxy").map(variable)
_EXPONENTS = _NAMES | _NAMES.map(lambda name: make(OPS["neg"], (name,)))


def _shared_trees() -> st.SearchStrategy[Expr]:
    def apply(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        power = st.tuples(children, _EXPONENTS).map(lambda args: make(OPS["pow"], args))
        calls = st.sampled_from(_SHARED).flatmap(
            lambda op: st.tuples(*[children] * op.arity).map(lambda args: make(op, args))
        )
        return calls | power

    return st.recursive(_NAMES, apply, max_leaves=16)


def text_skeleton(text: str) -> list[str]:
    """Names, calls and brackets, in order."""
    return re.findall(r"[()]|\w+", text)


def latex_skeleton(latex: str) -> list[str]:
    plain = (
        latex.replace("\\left(", "(")
        .replace("\\right)", ")")
        .replace("\\operatorname{atan2}", "atan2")
        .replace("\\sin", "sin")
        .replace("\\cdot", "")
    )
    return re.findall(r"[()]|\w+", plain)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_shared_trees())
def test_latex_has_brackets_exactly_where_text_has_them(expr: Expr) -> None:
    assert latex_skeleton(expr.to_latex()) == text_skeleton(to_text(expr))


def test_the_skeletons_see_brackets() -> None:
    assert text_skeleton("a*(b + c)^-x") == ["a", "(", "b", "c", ")", "x"]
    assert latex_skeleton(r"a \left(b + c\right)^{-x}") == ["a", "(", "b", "c", ")", "x"]
    assert latex_skeleton(r"a b + c") != text_skeleton("a*(b + c)")


# Where LaTeX's structure delimits an argument or binds differently (see syntax/latex.py).
@pytest.mark.parametrize(
    ("formula", "text", "latex"),
    [
        ("x*(-y)", "x*-y", r"x \cdot -y"),
        ("-(x*y)", "-(x*y)", r"-\left(x y\right)"),
        ("a + (b + c)", "a + (b + c)", r"a + \left(b + c\right)"),
        ("a*(b/c)", "a*(b/c)", r"a \frac{b}{c}"),
        ("-(a/b)", "-(a/b)", r"-\frac{a}{b}"),
        ("x*(-a/b)", "x*(-a/b)", r"x \cdot -\frac{a}{b}"),
        ("-(-a/b)", "-(-a/b)", r"-\left(-\frac{a}{b}\right)"),
        ("x^(y*z)", "x^(y*z)", r"x^{y z}"),
        ("sqrt(x)^3", "sqrt(x)^3", r"\left(\sqrt{x}\right)^{3}"),
        ("x*(2 + y)", "x*(2 + y)", r"x \left(2 + y\right)"),
    ],
)
def test_where_latex_structure_changes_the_brackets(formula: str, text: str, latex: str) -> None:
    expr = parse(formula)
    assert to_text(expr) == text
    assert expr.to_latex() == latex
