"""The shared test data: formulas with a point inside their domain, the textbook derivatives
and their printed forms, and the benchmark formulas. Test modules import their data from here
(never from each other); ``oracles.py`` holds the reference answers, not the data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# --- formulas with a point inside their domain ------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A formula and a point inside its domain (away from kinks, where SymPy differs)."""

    text: str
    point: dict[str, float]

    def __str__(self) -> str:
        return self.text


def case(text: str, point: Mapping[str, float] | None = None, **values: float) -> Case:
    return Case(text, {name: float(v) for name, v in {**(point or {}), **values}.items()})


# Every op of the table, alone or nearly, at a sensible point (both arguments of two-argument
# ops varying, and each fixed in turn).
FUNCTION_CASES = [
    case("x + y", x=1.5, y=-2.5),
    case("x - y", x=1.5, y=-2.5),
    case("x*y", x=1.5, y=-2.5),
    case("x/y", x=3, y=-1.5),
    case("-x", x=0.7),
    case("x^y", x=1.7, y=2.3),
    case("pow(x, 2.5)", x=1.3),
    case("x^3", x=-1.5),
    case("x^-2", x=-0.7),
    case("2^x", x=-1.2),
    case("pi*x", x=0.3),
    case("e^x", x=0.4),
    case("sin(x)", x=0.7),
    case("cos(x)", x=0.7),
    case("tan(x)", x=0.7),
    case("sec(x)", x=0.7),
    case("csc(x)", x=0.7),
    case("cot(x)", x=0.7),
    case("asin(x)", x=0.3),
    case("acos(x)", x=-0.4),
    case("atan(x)", x=2.5),
    case("sinh(x)", x=0.9),
    case("cosh(x)", x=-0.9),
    case("tanh(x)", x=0.5),
    case("asinh(x)", x=-1.7),
    case("acosh(x)", x=1.5),
    case("atanh(x)", x=0.3),
    case("exp(x)", x=1.3),
    case("log(x)", x=2.5),
    case("log(x, b)", x=5, b=3),
    case("log(x, 2)", x=10),
    case("log(8, b)", b=1.5),
    case("log(x, 0.5)", x=3),
    case("log10(x)", x=42),
    case("log2(x)", x=0.3),
    case("sqrt(x)", x=2),
    case("cbrt(x)", x=-2),
    case("cbrt(x + 10)", x=17),
    case("abs(x)", x=-1.3),
    case("abs(x*y)", x=2, y=-3),
    case("sign(x)", x=0.4),
    case("sign(x)*x^2", x=-0.8),
    case("erf(x)", x=0.6),
    case("atan2(y, x)", y=1.2, x=-0.7),
    case("atan2(y, 2)", y=-1),
    case("atan2(3, x)", x=-2),
    case("hypot(x, y)", x=3, y=-4),
    case("hypot(x, 1)", x=-0.5),
    case("min(x, y)", x=1, y=2),
    case("max(x, y)", x=1, y=2),
    case("min(x, 2*y)", x=3, y=0.5),
    case("max(x^2, y)", x=1.5, y=0.3),
    # The wider table.
    case("sech(x)", x=0.7),
    case("csch(x)", x=-0.7),
    case("coth(x)", x=1.3),
    case("asec(x)", x=-1.8),
    case("acsc(x)", x=2.2),
    case("acot(x)", x=-0.6),
    case("asech(x)", x=0.45),
    case("acsch(x)", x=-0.8),
    case("acoth(x)", x=1.7),
    case("log1p(x)", x=-0.3),
    case("expm1(x)", x=0.2),
    case("exp2(x)", x=1.7),
    case("sinc(x)", x=1.9),
    case("gamma(x)", x=2.6),
    case("gamma(x)", x=-1.3),
    case("lgamma(x)", x=0.6),
    case("digamma(x)", x=1.7),
    case("polygamma(2, x)", x=0.9),
    case("polygamma(0, x*y)", x=1.2, y=2.5),
    case("erfc(x)", x=0.4),
    case("lambertw(x)", x=1.4),
    case("lambertw(x)", x=-0.2),
    case("root(x, y)", x=2.5, y=3.5),
    case("root(x, 3)", x=-5),
    case("heaviside(x)*x", x=0.8),
]

# Composite formulas: chains, products, quotients, shared subexpressions, names that SymPy
# would misread as its own (E, I, zeta, beta), Greek letters.
COMPOSITE_CASES = [
    case("sin(log(x))", x=2),
    case("sin(x*y) + cos(x*y)", x=2, y=3),
    case("x^2*y", x=2, y=3),
    case("x*y*z", x=1.5, y=-2, z=0.5),
    case("(x + y)^2", x=0.5, y=1.25),
    case("(x - y)/(x + y)", x=2, y=0.5),
    case("x^x", x=1.5),
    case("x^(1/x)", x=2.5),
    case("exp(-x^2)", x=0.8),
    case("exp(sin(x))*cos(x)", x=1.1),
    case("log(1 + x^2)", x=-1.4),
    case("sqrt(x^2 + y^2)", x=3, y=4),
    case("atan(y/x)", x=2, y=1),
    case("sin(x)^2 + cos(x)^2", x=0.9),
    case("tan(x)*cos(x)", x=0.4),
    case("1/(1 + exp(-x))", x=0.3),
    case("x*exp(-x)", x=2),
    case("log(sin(x))", x=1),
    case("sin(cos(tan(x)))", x=0.6),
    case("exp(exp(x))", x=0.5),
    case("log(log(x))", x=3),
    case("x^3 - 3*x^2 + 2*x - 7", x=1.7),
    case("(x^2 - 1)/(x^2 + 1)", x=0.6),
    case("sqrt(1 - x^2)", x=0.6),
    case("asin(x) + acos(x)", x=0.2),
    case("sinh(x)^2 - cosh(x)^2", x=1.3),
    case("x*y + y*z + z*x", x=1, y=2, z=3),
    case("x/y/z", x=1, y=2, z=4),
    case("x - y - z", x=1, y=2, z=4),
    case("x^2^y", x=1.3, y=1.5),
    case("(x^2)^y", x=1.3, y=1.5),
    case("-x^2", x=1.5),
    case("(-x)^3", x=1.5),
    case("-(-x)", x=0.5),
    case("x*sin(1/x)", x=0.3),
    case("log(x)/x", x=4),
    case("x^y*y^x", x=1.2, y=2.1),
    case("exp(x*y*z)", x=0.5, y=-0.4, z=1.5),
    case("sin(x + y + z)", x=0.1, y=0.2, z=0.3),
    case("cos(x)*cos(y) - sin(x)*sin(y)", x=0.4, y=1.1),
    case("tanh(x*y)", x=0.7, y=-0.3),
    case("erf(x/sqrt(2))", x=1.2),
    case("hypot(x, y)*atan2(y, x)", x=-1, y=2),
    case("max(x, y)*min(x, y)", x=1, y=2),
    case("abs(x - y)", x=1, y=3),
    case("sign(x)*abs(x)", x=-2),
    case("log(abs(x))", x=-2),
    case("cbrt(x^2)", x=-1.5),
    case("sqrt(x*y)", x=2, y=8),
    case("x^0.5 + log(x - 3)", x=4),
    case("log10(x*y)", x=3, y=7),
    case("log2(x) + log10(x)", x=5),
    case("exp(log(x))", x=3),
    case("log(exp(x))", x=-3),
    case("sin(x)/x", x=0.5),
    case("atan(x) - atan2(x, 1)", x=0.7),
    case("sec(x)^2 - tan(x)^2", x=0.5),
    case("csc(x)*sin(x)", x=1.2),
    case("cot(x)*tan(x)", x=0.8),
    case("(x*y + 1)*(x*y - 1) + sin(x*y)", x=0.5, y=1.5),
    case("exp(x)*exp(x)", x=0.3),
    case("x*x*x", x=-1.1),
    case("(x + y)*(x + y)*(x + y)", x=0.2, y=0.3),
    case("sin(x)^2*sin(x)", x=0.7),
    case("x^2 + 3*x + 1", x=-0.5),
    case("2*x^-1 + 3*x^-3", x=1.7),
    case("x^0", x=5),
    case("x^1", x=-3),
    case("x^2.0", x=-1.5),
    case("2^-x", x=0.5),
    case("(x^2 + 1)^0.5", x=-0.8),
    case("e^(x*y)", x=0.5, y=0.6),
    case("pi^x", x=1.5),
    case("x^pi", x=1.5),
    case("x^e", x=2.5),
    case("pi*e*x", x=2),
    case("E*I + zeta*beta^2", E=2, I=3, zeta=0.5, beta=1.5),
    case("E^I", E=1.5, I=2),
    case("zeta^beta", zeta=2, beta=0.5),
    case("sin(θ)*cos(φ)", {"θ": 0.4, "φ": 1.2}),
    case("α*x^2 + β*x + γ", {"α": 2.0, "β": -1.0, "γ": 0.5, "x": 1.5}),  # noqa: RUF001
    case("x_1*x_2 + x_1^2", x_1=0.5, x_2=2),
    case("S + N + Q + O", S=1, N=2, Q=3, O=4),
    case("lambda*exp(-lambda*t)", {"lambda": 0.5, "t": 2.0}),
    case("sqrt(x + sqrt(x + sqrt(x)))", x=2),
    case("1/(1/x + 1/y)", x=2, y=3),
    case("(x + 1)/(x - 1) - (x - 1)/(x + 1)", x=3),
    case("exp(-x)*sin(x)*cos(x)", x=0.9),
    case("log(1 + exp(x))", x=-2),
    case("x*log(x) - x", x=2.5),
    case("atanh(tanh(x))", x=0.4),
    case("asinh(sinh(x))", x=-0.7),
    case("acosh(cosh(x))", x=1.2),
    case("sin(asin(x))", x=0.45),
    case("tan(atan(x))", x=3),
    case("sqrt(x)^2", x=2.2),
    case("cbrt(x)^3", x=-1.7),
    case("erf(x)^2 + erf(y)", x=0.3, y=-0.6),
    case("atan2(sin(x), cos(x))", x=1),
    case("hypot(sin(x), cos(x))", x=0.3),
    case("max(sin(x), cos(x))", x=0.3),
    case("min(exp(x), 2 - x)", x=0.2),
    case("abs(sin(x))*exp(x)", x=-1),
    case("log(x, y)*log(y, x)", x=3, y=5),
    case("log(x^2 + 1, 10)", x=2),
    case("x^y^z", x=1.2, y=1.1, z=0.9),
    case("(x^y)^z", x=1.2, y=1.1, z=0.9),
    case("x/(y*z)", x=1, y=2, z=-3),
    case("x*y/z", x=1, y=2, z=-3),
    case("(a + b)*(c - d)/(a*d + b*c)", a=1, b=2, c=3, d=0.5),
    case("sin(x)*sin(y)*sin(z)*sin(w)", x=0.3, y=0.6, z=0.9, w=1.2),
    case("exp(-(x^2 + y^2)/2)/(2*pi)", x=0.3, y=-0.4),
    case("x^4/(1 + x^4)", x=0.9),
    case("sqrt(1 + tan(x)^2)", x=0.5),
    case("cos(x)^(1/3)", x=0.7),
    case("1/sqrt(x)", x=0.25),
    case("x^(2/3)", x=8),
    case("acos(x/2)*asin(y/3)", x=0.5, y=-1),
    case("sinh(x)/cosh(x) - tanh(x)", x=0.6),
    case("exp(x)/(exp(x) + exp(y))", x=0.5, y=1.5),
    case("sec(x) + csc(x) + cot(x)", x=1),
]


def _sum_sin(n: int) -> Case:
    terms = [f"sin(x{i}*x{i + 1})" for i in range(1, n + 1)]
    return case("+".join(terms), {f"x{i}": 0.1 + 0.07 * i for i in range(1, n + 2)})


def _prod_sin(n: int) -> Case:
    factors = [f"sin(x{i})" for i in range(1, n + 1)]
    return case("*".join(factors), {f"x{i}": 0.9 + 0.05 * i for i in range(1, n + 1)})


def _nest_sin(n: int) -> Case:
    return case("sin(" * n + "x" + ")" * n, x=0.7)


def _horner(n: int) -> Case:
    """1 + x*(1/2 + x*(1/3 + ... x*(1/(n+1)))), coefficients rounded to 6 places."""
    coefficients = [round(1 / (k + 1), 6) for k in range(n + 1)]
    text = repr(coefficients[-1])
    for coefficient in reversed(coefficients[:-1]):
        text = f"{coefficient!r} + x*({text})"
    return case(text, x=0.9)


def _mlp(inputs: int, hidden: int, outputs: int) -> Case:
    """A tanh network as in the benchmarks: every hidden unit is shared by every output."""
    rng = random.Random(f"mlp {inputs} {hidden} {outputs}")
    point: dict[str, float] = {}

    def weight(name: str) -> str:
        point[name] = round(rng.uniform(-0.75, 0.75), 6)
        return name

    xs = [weight(f"x{i}") for i in range(1, inputs + 1)]
    units = [
        f"tanh({weight(f'b1_{j}')} + "
        + " + ".join(f"{weight(f'w1_{j}_{i}')}*{x}" for i, x in enumerate(xs, 1))
        + ")"
        for j in range(1, hidden + 1)
    ]
    outs = [
        f"{weight(f'v{k}')}*tanh({weight(f'b2_{k}')} + "
        + " + ".join(f"{weight(f'w2_{k}_{j}')}*{u}" for j, u in enumerate(units, 1))
        + ")"
        for k in range(1, outputs + 1)
    ]
    return case(" + ".join(outs), point)


# The physics formulas of the benchmark cases (benchmarks/cases.json), and small members of
# its generated families.
BENCHMARK_CASES = [
    case(
        "exp(-(x-mu)^2/(2*sigma^2))/(sigma*sqrt(2*pi))",
        x=0.5,
        mu=0.1,
        sigma=1.3,
    ),
    case("m*c^2/sqrt(1-v^2/c^2)", m=1.5, v=0.6, c=1.0),
    case("2*h*nu^3/c^2/(exp(h*nu/(k*T))-1)", h=1.0, nu=2.0, c=1.0, k=1.0, T=1.5),
    case(
        "0.5*m*L^2*omega^2 + m*g*L*(1-cos(theta))",
        m=1.0,
        L=2.0,
        omega=0.3,
        g=9.81,
        theta=0.4,
    ),
    case("2*pi*sqrt(L/g)*(1 + theta0^2/16 + 11*theta0^4/3072)", L=2.0, g=9.81, theta0=0.5),
    case("K/(1+exp(-r*(t-t0)))", K=10.0, r=1.2, t=3.0, t0=2.0),
    case("A*exp(-b*t)*cos(w*t+phi)", A=2.0, b=0.3, t=1.7, w=2.5, phi=0.1),
    case("4*eps*((sig/r)^12-(sig/r)^6)", eps=1.0, sig=1.0, r=1.2),
    case(
        "-G*m1*m2/sqrt((x1-x2)^2+(y1-y2)^2+(z1-z2)^2)",
        G=1.0,
        m1=2.0,
        m2=3.0,
        x1=0.1,
        x2=1.0,
        y1=-0.5,
        y2=0.4,
        z1=0.3,
        z2=-0.2,
    ),
    case(
        "4*pi*(m/(2*pi*k*T))^(3/2)*v^2*exp(-m*v^2/(2*k*T))",
        m=1.0,
        k=1.0,
        T=2.0,
        v=1.1,
    ),
    case(
        "(P + a*n^2/V^2)*(V - n*b) - n*R*T",
        P=1.2,
        a=0.4,
        n=2.0,
        V=3.0,
        b=0.05,
        R=0.0821,
        T=300.0,
    ),
    case("v^2*sin(2*theta)/g + h*tan(theta)", v=20.0, theta=0.6, g=9.81, h=1.5),
    _sum_sin(4),
    _sum_sin(8),
    _prod_sin(4),
    _prod_sin(8),
    _nest_sin(4),
    _nest_sin(16),
    _horner(4),
    _horner(16),
    _mlp(2, 3, 2),
]

CORPUS: list[Case] = [*FUNCTION_CASES, *COMPOSITE_CASES, *BENCHMARK_CASES]


# --- textbook derivatives and their printed forms ---------------------------------------------

# (formula, variable, order, the derivative as printed)
TEXTBOOK: list[tuple[str, str, int, str]] = [
    # Powers and polynomials.
    ("x", "x", 1, "1"),
    ("5", "x", 1, "0"),
    ("x^2", "x", 1, "2*x"),
    ("x^3", "x", 1, "3*x^2"),
    ("x^n", "x", 1, "n*x^(n - 1)"),
    ("x^-1", "x", 1, "-1/x^2"),
    ("1/x", "x", 1, "-1/x^2"),
    ("1/x^2", "x", 1, "-2/x^3"),
    ("x^(1/2)", "x", 1, "1/(2*x^(1/2))"),
    ("sqrt(x)", "x", 1, "1/(2*sqrt(x))"),
    ("cbrt(x)", "x", 1, "1/(3*cbrt(x)^2)"),
    ("pi*x^2", "x", 1, "2*pi*x"),
    ("x^2 + 3*x + 2", "x", 1, "2*x + 3"),
    ("3*x^4 - 2*x^2 + 7", "x", 1, "12*x^3 - 4*x"),
    ("(x - 1)^2", "x", 1, "2*x - 2"),
    ("(x^2 + 1)^3", "x", 1, "6*x*(x^2 + 1)^2"),
    ("x^3*y^2", "x", 1, "3*x^2*y^2"),
    # Exponentials and logarithms.
    ("exp(x)", "x", 1, "exp(x)"),
    ("exp(2*x)", "x", 1, "2*exp(2*x)"),
    ("exp(-x)", "x", 1, "-exp(-x)"),
    ("exp(x^2)", "x", 1, "2*x*exp(x^2)"),
    ("exp(-x^2/2)", "x", 1, "-x*exp(-x^2/2)"),
    ("2^x", "x", 1, "2^x*log(2)"),
    ("e^x", "x", 1, "e^x"),
    ("a^x", "x", 1, "a^x*log(a)"),
    ("log(x)", "x", 1, "1/x"),
    ("log(2*x)", "x", 1, "1/x"),
    ("log(x^2)", "x", 1, "2/x"),
    ("log(1 + x^2)", "x", 1, "2*x/(x^2 + 1)"),
    ("log(sin(x))", "x", 1, "cos(x)/sin(x)"),
    ("log(cos(x))", "x", 1, "-sin(x)/cos(x)"),
    ("log(x, 2)", "x", 1, "1/(x*log(2))"),
    ("log(2, x)", "x", 1, "-log(2, x)/(x*log(x))"),
    ("log10(x)", "x", 1, "1/(x*log(10))"),
    ("log2(x)", "x", 1, "1/(x*log(2))"),
    ("x*log(x)", "x", 1, "log(x) + 1"),
    ("x*log(x) - x", "x", 1, "log(x)"),
    ("-x*(-1 - log(x))", "x", 1, "log(x) + 2"),
    # Trigonometric, hyperbolic and their inverses.
    ("sin(x)", "x", 1, "cos(x)"),
    ("cos(x)", "x", 1, "-sin(x)"),
    ("tan(x)", "x", 1, "tan(x)^2 + 1"),
    ("sec(x)", "x", 1, "sec(x)*tan(x)"),
    ("csc(x)", "x", 1, "-cot(x)*csc(x)"),
    ("cot(x)", "x", 1, "-cot(x)^2 - 1"),
    ("asin(x)", "x", 1, "1/sqrt(1 - x^2)"),
    ("acos(x)", "x", 1, "-1/sqrt(1 - x^2)"),
    ("atan(x)", "x", 1, "1/(x^2 + 1)"),
    ("sinh(x)", "x", 1, "cosh(x)"),
    ("cosh(x)", "x", 1, "sinh(x)"),
    ("tanh(x)", "x", 1, "1 - tanh(x)^2"),
    ("asinh(x)", "x", 1, "1/sqrt(x^2 + 1)"),
    ("acosh(x)", "x", 1, "1/sqrt(x^2 - 1)"),
    ("atanh(x)", "x", 1, "1/(1 - x^2)"),
    # Other functions of the table.
    ("erf(x)", "x", 1, "2*exp(-x^2)/sqrt(pi)"),
    ("abs(x)", "x", 1, "sign(x)"),
    ("sign(x)", "x", 1, "0"),
    ("hypot(x, 3)", "x", 1, "x/hypot(x, 3)"),
    ("atan2(x, 1)", "x", 1, "1/(x^2 + 1)"),
    ("min(x, 1)", "x", 1, "heaviside(1 - x)"),
    ("max(x, 1)", "x", 1, "heaviside(x - 1)"),
    # The wider table.
    ("sech(x)", "x", 1, "-sech(x)*tanh(x)"),
    ("csch(x)", "x", 1, "-coth(x)*csch(x)"),
    ("coth(x)", "x", 1, "-csch(x)^2"),
    ("asec(x)", "x", 1, "1/(x^2*sqrt(1 - 1/x^2))"),
    ("acsc(x)", "x", 1, "-1/(x^2*sqrt(1 - 1/x^2))"),
    ("acot(x)", "x", 1, "-1/(x^2 + 1)"),
    ("asech(x)", "x", 1, "-1/(x*sqrt(1 - x^2))"),
    ("acsch(x)", "x", 1, "-1/(abs(x)*sqrt(x^2 + 1))"),
    ("acoth(x)", "x", 1, "1/(1 - x^2)"),
    ("log1p(x)", "x", 1, "1/(x + 1)"),
    ("expm1(x)", "x", 1, "exp(x)"),
    ("exp2(x)", "x", 1, "exp2(x)*log(2)"),
    ("sinc(x)", "x", 1, "(cos(x) - sinc(x))/x"),
    ("gamma(x)", "x", 1, "digamma(x)*gamma(x)"),
    ("lgamma(x)", "x", 1, "digamma(x)"),
    ("digamma(x)", "x", 1, "polygamma(1, x)"),
    ("polygamma(2, x)", "x", 1, "polygamma(3, x)"),
    ("erfc(x)", "x", 1, "-2*exp(-x^2)/sqrt(pi)"),
    ("lambertw(x)", "x", 1, "exp(-lambertw(x))/(lambertw(x) + 1)"),
    ("root(x, 3)", "x", 1, "1/(3*root(x, 3)^2)"),
    ("root(2, x)", "x", 1, "-log(2)*root(2, x)/x^2"),
    ("heaviside(x)", "x", 1, "0"),
    # Chain, product and quotient rules.
    ("sin(log(x))", "x", 1, "cos(log(x))/x"),
    ("sin(2*x)", "x", 1, "2*cos(2*x)"),
    ("cos(3*x)", "x", 1, "-3*sin(3*x)"),
    ("tan(2*x)", "x", 1, "2*tan(2*x)^2 + 2"),
    ("sin(pi*x)", "x", 1, "pi*cos(pi*x)"),
    ("sin(x^2)", "x", 1, "2*x*cos(x^2)"),
    ("sin(x + y)", "x", 1, "cos(x + y)"),
    ("exp(sin(x))", "x", 1, "cos(x)*exp(sin(x))"),
    ("sin(exp(x))", "x", 1, "cos(exp(x))*exp(x)"),
    ("atan(x^2)", "x", 1, "2*x/(x^4 + 1)"),
    ("sqrt(1 - x^2)", "x", 1, "-x/sqrt(1 - x^2)"),
    ("sqrt(x^2 + 1)", "x", 1, "x/sqrt(x^2 + 1)"),
    ("1/(1 + x^2)", "x", 1, "-2*x/(x^2 + 1)^2"),
    ("1/(1 + exp(-x))", "x", 1, "exp(-x)/(exp(-x) + 1)^2"),
    ("sin(x)^2", "x", 1, "2*cos(x)*sin(x)"),
    ("cos(x)^2", "x", 1, "-2*cos(x)*sin(x)"),
    ("tanh(x)^2", "x", 1, "2*(tanh(x) - tanh(x)^3)"),
    ("sin(x)*cos(x)", "x", 1, "cos(x)^2 - sin(x)^2"),
    ("sinh(x)*cosh(x)", "x", 1, "cosh(x)^2 + sinh(x)^2"),
    ("x*sin(x)", "x", 1, "sin(x) + x*cos(x)"),
    ("x*exp(x)", "x", 1, "exp(x)*(x + 1)"),
    ("x^2*exp(x)", "x", 1, "x*exp(x)*(x + 2)"),
    ("exp(x)*sin(x)", "x", 1, "exp(x)*(cos(x) + sin(x))"),
    ("sin(x)/x", "x", 1, "cos(x)/x - sin(x)/x^2"),
    # Higher orders.
    ("x^3", "x", 0, "x^3"),
    ("x^3", "x", 2, "6*x"),
    ("x^3", "x", 3, "6"),
    ("x^3", "x", 4, "0"),
    ("x^5", "x", 4, "120*x"),
    ("sin(x)", "x", 2, "-sin(x)"),
    ("sin(x)", "x", 4, "sin(x)"),
    ("log(x)", "x", 3, "2/x^3"),
    ("1/x", "x", 4, "24/x^5"),
    ("sqrt(x)", "x", 3, "3/(8*x^(5/2))"),
    ("tan(x)", "x", 2, "2*(tan(x)^3 + tan(x))"),
    ("atan(x)", "x", 2, "-2*x/(x^2 + 1)^2"),
    ("exp(x^2)", "x", 2, "exp(x^2)*(4*x^2 + 2)"),
    ("exp(x^2)", "x", 3, "exp(x^2)*(8*x^3 + 12*x)"),
    ("x*exp(x)", "x", 2, "exp(x)*(x + 2)"),
    ("x*exp(x)", "x", 4, "exp(x)*(x + 4)"),
    ("exp(-x^2/2)", "x", 2, "exp(-x^2/2)*(x^2 - 1)"),
    ("sin(x)*cos(x)", "x", 4, "16*cos(x)*sin(x)"),
    ("sinh(x)*cosh(x)", "x", 4, "16*cosh(x)*sinh(x)"),
    ("exp(x)*sin(x)", "x", 2, "2*cos(x)*exp(x)"),
    ("exp(x)*sin(x)", "x", 4, "-4*exp(x)*sin(x)"),
    ("exp(x)*sin(x)", "x", 10, "32*cos(x)*exp(x)"),
    # Powers of one base merged, reciprocals raised, factors cancelled, products flat.
    ("x^x", "x", 1, "x^x*(log(x) + 1)"),
    ("tan(x)", "x", 3, "6*tan(x)^4 + 8*tan(x)^2 + 2"),
    ("log(x)/x", "x", 1, "(1 - log(x))/x^2"),
    ("asinh(1/x)", "x", 1, "-1/(x^2*sqrt(1/x^2 + 1))"),
    ("x^(2/3)", "x", 2, "-2/(9*x^(4/3))"),
    ("m*c^2/sqrt(1 - v^2/c^2)", "v", 1, "m*v/sqrt(1 - v^2/c^2)^3"),
    ("0.5*m*L^2*omega^2 + m*g*L*(1 - cos(theta))", "L", 1, "m*(L*omega^2 - g*cos(theta) + g)"),
    ("exp(x)*sin(x)", "x", 5, "-4*exp(x)*(cos(x) + sin(x))"),
]


# --- the benchmark formulas ----------------------------------------------------------------

# The repository's copy of the project's shared benchmark set (found relative to this file,
# so a fresh clone needs nothing outside it): objects with name, family, n, expr and point.
BENCHMARK_FILE = Path(__file__).resolve().parent.parent / "benchmarks" / "cases.json"
BENCHMARK_FORMULAS: list[dict[str, Any]] = json.loads(BENCHMARK_FILE.read_text(encoding="utf-8"))
