"""LaTeX output: pinned forms, Greek names, and well-formed output for any expression.

Every command the printer emits must be one LaTeX (with amsmath) knows, braces and
``\\left``/``\\right`` pairs must nest, and the whole must be what a person would typeset.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import examples, expressions

from symdiff import Expr, derivative, parse
from symdiff.ir.nodes import make, variable
from symdiff.ir.ops import OPS

# (formula, LaTeX)
TABLE = [
    # Fractions, powers and roots.
    ("1/x", r"\frac{1}{x}"),
    ("x/y/z", r"\frac{\frac{x}{y}}{z}"),
    ("x^2", r"x^{2}"),
    ("x^(1/2)", r"x^{\frac{1}{2}}"),
    ("x^-1", r"x^{-1}"),
    ("x^(y + z)", r"x^{y + z}"),
    ("2^3^x", r"2^{3^{x}}"),
    ("(x + y)^2", r"\left(x + y\right)^{2}"),
    ("(1/x)^2", r"\left(\frac{1}{x}\right)^{2}"),
    ("(-x)^2", r"\left(-x\right)^{2}"),
    ("-x^2", r"-x^{2}"),
    ("sqrt(x)", r"\sqrt{x}"),
    ("sqrt(x)^3", r"\left(\sqrt{x}\right)^{3}"),
    ("cbrt(x)", r"\sqrt[3]{x}"),
    ("exp(x)", r"e^{x}"),
    ("exp(x)^2", r"\left(e^{x}\right)^{2}"),
    ("e^x", r"e^{x}"),
    ("abs(x)", r"\left|x\right|"),
    # Products, sums and signs.
    ("a*b", r"a b"),
    ("2*x", r"2 x"),
    ("2*3", r"2 \cdot 3"),
    ("x*2", r"x \cdot 2"),
    ("x*y*z", r"x y z"),
    ("(x + y)*z", r"\left(x + y\right) z"),
    ("-x", r"-x"),
    ("-(x + y)", r"-\left(x + y\right)"),
    ("x - (y + z)", r"x - \left(y + z\right)"),
    ("x - (y - z)", r"x - \left(y - z\right)"),
    ("pi*r^2", r"\pi r^{2}"),
    ("1e-20*x", r"10^{-20} x"),
    ("1.5e300", r"1.5 \cdot 10^{300}"),
    # A number written as a power of ten is bracketed as a base, like any power.
    ("1e30^11", r"\left(10^{30}\right)^{11}"),
    ("1.5e30^2", r"\left(1.5 \cdot 10^{30}\right)^{2}"),
    ("x^1e30", r"x^{10^{30}}"),
    ("2.5", r"2.5"),
    # Names.
    ("theta", r"\theta"),
    ("θ", r"\theta"),
    ("Δ", r"\Delta"),
    ("Delta*t", r"\Delta t"),
    ("sigma^2", r"\sigma^{2}"),
    ("x_1", r"x_{1}"),
    ("x1", r"x_{1}"),
    ("theta0", r"\theta_{0}"),
    ("θ_0", r"\theta_{0}"),
    ("alpha_beta", r"\alpha_{\beta}"),
    ("x_ab", r"x_{\mathrm{ab}}"),
    ("rate", r"\mathrm{rate}"),
    ("lambda", r"\lambda"),
    ("Lambda", r"\Lambda"),
    # Functions.
    ("sin(x)", r"\sin\left(x\right)"),
    ("acos(x)", r"\arccos\left(x\right)"),
    ("tanh(x)", r"\tanh\left(x\right)"),
    ("sin(x)^2", r"\sin^{2}\left(x\right)"),
    ("cosh(x)^2", r"\cosh^{2}\left(x\right)"),
    ("sin(x)^y", r"\sin\left(x\right)^{y}"),
    ("log(x)", r"\ln\left(x\right)"),
    ("ln(x)", r"\ln\left(x\right)"),
    ("log10(x)", r"\log_{10}\left(x\right)"),
    ("log2(x)", r"\log_{2}\left(x\right)"),
    ("log(x, 3)", r"\log_{3}\left(x\right)"),
    ("erf(x)", r"\operatorname{erf}\left(x\right)"),
    ("asinh(x)", r"\operatorname{asinh}\left(x\right)"),
    ("atan2(y, x)", r"\operatorname{atan2}\left(y, x\right)"),
    ("hypot(x, y)", r"\operatorname{hypot}\left(x, y\right)"),
    ("sign(x)", r"\operatorname{sign}\left(x\right)"),
    ("sin(x)/cos(x)", r"\frac{\sin\left(x\right)}{\cos\left(x\right)}"),
    # The wider table: standard notation where there is one, else the name, upright.
    ("coth(x)", r"\coth\left(x\right)"),
    ("coth(x)^2", r"\coth^{2}\left(x\right)"),
    ("sech(x)^2", r"\operatorname{sech}^{2}\left(x\right)"),
    ("csch(x)", r"\operatorname{csch}\left(x\right)"),
    ("asec(x)", r"\operatorname{arcsec}\left(x\right)"),
    ("acot(x)", r"\operatorname{arccot}\left(x\right)"),
    ("acoth(x)", r"\operatorname{acoth}\left(x\right)"),
    ("log1p(x)", r"\ln\left(1 + x\right)"),
    ("log1p(-x)", r"\ln\left(1 - x\right)"),
    ("log1p(-(x + y))", r"\ln\left(1 - \left(x + y\right)\right)"),
    ("log1p(-(x*y))", r"\ln\left(1 - x y\right)"),
    ("expm1(x)", r"e^{x} - 1"),
    ("y*expm1(x)", r"y \left(e^{x} - 1\right)"),
    ("expm1(x)^2", r"\left(e^{x} - 1\right)^{2}"),
    ("y - expm1(x)", r"y - \left(e^{x} - 1\right)"),
    ("expm1(x) + y", r"e^{x} - 1 + y"),
    ("exp2(x)", r"2^{x}"),
    ("3*exp2(x)", r"3 \cdot 2^{x}"),
    ("exp2(x)^y", r"\left(2^{x}\right)^{y}"),
    ("sinc(x)", r"\operatorname{sinc}\left(x\right)"),
    ("gamma(x)", r"\Gamma\left(x\right)"),
    ("lgamma(x)", r"\ln\left|\Gamma\left(x\right)\right|"),
    ("digamma(x)", r"\psi\left(x\right)"),
    ("polygamma(2, x)", r"\psi^{(2)}\left(x\right)"),
    ("erfc(x)", r"\operatorname{erfc}\left(x\right)"),
    ("lambertw(x)", r"W_{0}\left(x\right)"),
    ("root(x, 5)", r"\sqrt[5]{x}"),
    ("root(x, n)^2", r"\left(\sqrt[n]{x}\right)^{2}"),
    ("heaviside(x)", r"\operatorname{H}\left(x\right)"),
    ("min(x, y)^2", r"\min\left(x, y\right)^{2}"),
    ("max(x, 0)", r"\max\left(x, 0\right)"),
]


@pytest.mark.parametrize(("formula", "latex"), TABLE, ids=[row[0] for row in TABLE])
def test_latex(formula: str, latex: str) -> None:
    assert parse(formula).to_latex() == latex


# Derivatives as LaTeX: (formula, LaTeX of d/dx).
DERIVATIVES = [
    ("sqrt(x)", r"\frac{1}{2 \sqrt{x}}"),
    ("sin(log(x))", r"\frac{\cos\left(\ln\left(x\right)\right)}{x}"),
    ("x^n", r"n x^{n - 1}"),
    ("x^3", r"3 x^{2}"),
    ("atan(x)", r"\frac{1}{x^{2} + 1}"),
    ("asin(x)", r"\frac{1}{\sqrt{1 - x^{2}}}"),
    ("tan(x)", r"\tan^{2}\left(x\right) + 1"),
    ("log(x, 2)", r"\frac{1}{x \ln\left(2\right)}"),
    ("erf(x)", r"\frac{2 e^{-x^{2}}}{\sqrt{\pi}}"),
    ("cbrt(x)", r"\frac{1}{3 \left(\sqrt[3]{x}\right)^{2}}"),
    ("min(x, 1)", r"\operatorname{H}\left(1 - x\right)"),
    ("1/x", r"-\frac{1}{x^{2}}"),
    ("exp(-x^2/2)", r"-x e^{-\frac{x^{2}}{2}}"),
    ("digamma(x)", r"\psi^{(1)}\left(x\right)"),
]


@pytest.mark.parametrize(("formula", "latex"), DERIVATIVES)
def test_latex_of_derivatives(formula: str, latex: str) -> None:
    assert derivative(formula, "x").to_latex() == latex


def test_repr_latex_wraps_in_dollars() -> None:
    expr = parse("x/2")
    assert expr._repr_latex_() == r"$\frac{x}{2}$"
    assert derivative("sin(x)", "x")._repr_latex_() == r"$\cos\left(x\right)$"


# --- Greek letters ------------------------------------------------------------------------------

LOWER_GREEK = "αβγδεζηθικλμνξπρστυφχψω"  # without omicron, which is a plain o
LOWER_NAMES = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega",
]  # fmt: skip


@pytest.mark.parametrize(
    ("letter", "name"),
    # π and pi are the constant, which prints as \pi too.
    [pair for pair in zip(LOWER_GREEK, LOWER_NAMES, strict=True) if pair[1] != "pi"],
)
def test_lower_case_greek_letters_become_their_commands(letter: str, name: str) -> None:
    assert parse(letter).to_latex() == f"\\{name}"
    if name != "gamma":  # the spelled name is the gamma function; the Greek letter is a name
        assert parse(name).to_latex() == f"\\{name}"


def test_gamma_spelled_is_the_function_and_the_letter_a_variable() -> None:
    assert parse("\u03b3*gamma(x)").to_latex() == r"\gamma \Gamma\left(x\right)"


def test_the_constant_pi_is_pi() -> None:
    assert parse("π").to_latex() == parse("pi").to_latex() == r"\pi"


# Upper-case letters with a command of their own, and those that look like Latin ones.
UPPER_WITH_COMMANDS = dict(zip("ΓΔΘΛΞΠΣΥΦΨΩ", [
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
], strict=True))  # fmt: skip
UPPER_LATIN = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧ", "ABEZHIKMNOPTX", strict=True))  # noqa: RUF001


@pytest.mark.parametrize(
    ("letter", "latex"),
    [
        *((k, f"\\{v}") for k, v in UPPER_WITH_COMMANDS.items()),
        *UPPER_LATIN.items(),
    ],
)
def test_upper_case_greek_letters(letter: str, latex: str) -> None:
    assert parse(letter).to_latex() == latex


# --- well-formed output -------------------------------------------------------------------------

# What LaTeX with amsmath defines, of what a formula printer needs.
KNOWN_COMMANDS = {
    *(f"\\{name}" for name in LOWER_NAMES),
    *(f"\\{name}" for name in UPPER_WITH_COMMANDS.values()),
    *(f"\\var{name}" for name in ("epsilon", "theta", "pi", "rho", "sigma", "phi", "kappa")),
    *(f"\\{name}" for name in ("frac", "sqrt", "left", "right", "cdot")),
    *(f"\\{name}" for name in ("operatorname", "mathrm", "exp", "ln", "log", "min", "max")),
    *(f"\\{name}" for name in ("sin", "cos", "tan", "sec", "csc", "cot")),
    *(f"\\arc{name}" for name in ("sin", "cos", "tan")),
    *(f"\\{name}h" for name in ("sin", "cos", "tan", "cot")),
}
_COMMAND = re.compile(r"\\[A-Za-z]+")


def unknown_commands(latex: str) -> set[str]:
    return set(_COMMAND.findall(latex)) - KNOWN_COMMANDS


def is_balanced(latex: str) -> bool:
    """Braces and \\left/\\right pairs nest properly (``\\left|`` and ``\\right|`` count)."""
    stack: list[str] = []
    for token in re.findall(r"\\left|\\right|\\[{}]|[{}]", latex):
        if token in ("{", r"\left"):
            stack.append(token)
        elif token == "}":
            if not stack or stack.pop() != "{":
                return False
        elif token == r"\right" and (not stack or stack.pop() != r"\left"):
            return False
    return not stack


def test_the_checks_notice_bad_latex() -> None:
    assert not is_balanced(r"\frac{1}{x")
    assert not is_balanced(r"\left(x}")
    assert not is_balanced(r"\left(x")
    assert is_balanced(r"\left|x\right| + \frac{a}{b}")
    assert unknown_commands(r"\Alpha + \omicron + \sin x") == {r"\Alpha", r"\omicron"}


# Names with a Greek or subscript flavour, spelled and as letters.
NAMES = [
    "x", "y", "theta", "θ", "Delta", "Δ", "x_1", "m0", "sigma_x", "omega_12", "rate",
    "Gamma", "phi", "ϑ", "ς", "Omega", "Ω", "Eta", "\u0397", "omicron", "Chi_2",
]  # fmt: skip


def _trees() -> st.SearchStrategy[Expr]:
    return expressions(NAMES, max_leaves=12)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees())
def test_latex_is_balanced_and_uses_known_commands(expr: Expr) -> None:
    latex = expr.to_latex()
    assert is_balanced(latex), latex
    assert not unknown_commands(latex), latex
    assert expr._repr_latex_() == f"${latex}$"


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(NAMES, max_leaves=12))
def test_latex_of_derivatives_is_balanced(expr: Expr) -> None:
    for name in ("x", "theta", "Delta"):
        latex = derivative(expr, name).to_latex()
        assert is_balanced(latex) and not unknown_commands(latex), latex


SPELLED_LATIN = {
    "Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H", "Iota": "I",
    "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T", "Chi": "X",
    "omicron": "o",
}  # fmt: skip


@pytest.mark.parametrize(("name", "latex"), SPELLED_LATIN.items())
def test_spelled_greek_names_without_a_command_print_as_latin_letters(
    name: str, latex: str
) -> None:
    assert parse(name).to_latex() == latex
    assert parse(f"{name}_1").to_latex() == f"{latex}_{{1}}"


def test_every_function_of_the_table_has_latex() -> None:
    x = variable("x")
    for op in OPS.values():
        latex = make(op, (x,) * op.arity).to_latex()
        assert is_balanced(latex) and not unknown_commands(latex), (op.key, latex)


def test_deep_latex_needs_no_recursion() -> None:
    expr = variable("x")
    for _ in range(50_000):
        expr = make(OPS["sin"], (expr,))
    latex = expr.to_latex()
    assert latex.count(r"\sin\left(") == 50_000
    assert is_balanced(latex)
