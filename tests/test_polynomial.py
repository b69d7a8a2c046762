"""Sparse polynomials (``symdiff/simplify/polynomial.py``): arithmetic checked against SymPy's
``Poly``, exact division, Euclid's gcd, content, and the work budget."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from symdiff.simplify import polynomial as poly
from symdiff.simplify.polynomial import Monomial, OverBudget, Poly, Work

X, Y = sympy.symbols("x y")
ATOMS = (X, Y)


def generous() -> Work:
    return Work(steps=10**7, terms=10**4, degree=100)


def to_sympy(p: Poly) -> sympy.Expr:
    total = sympy.Integer(0)
    for m, c in p.items():
        term = sympy.Rational(c.numerator, c.denominator) if isinstance(c, Fraction) else c
        for atom, e in m:
            term *= ATOMS[atom] ** e
        total += term
    return sympy.expand(total)


def leading(p: Poly) -> Monomial:
    # Graded lexicographic, x before y: a monomial order.
    return max(p, key=lambda m: (poly.degree(m), dict(m).get(0, 0), dict(m).get(1, 0)))


monomials = st.builds(
    lambda a, b: tuple((atom, e) for atom, e in ((0, a), (1, b)) if e),
    st.integers(0, 3),
    st.integers(0, 3),
)
coefficients = st.one_of(
    st.integers(-5, 5).filter(bool),
    st.builds(Fraction, st.integers(-5, 5).filter(bool), st.integers(1, 4)),
)
polys = st.dictionaries(monomials, coefficients, max_size=5)


@settings(max_examples=examples(150), deadline=None)
@given(polys, polys)
def test_sum_product_and_power_agree_with_sympy(p: Poly, q: Poly) -> None:
    work = generous()
    assert to_sympy(poly.plus(p, q, work)) == sympy.expand(to_sympy(p) + to_sympy(q))
    assert to_sympy(poly.plus(p, q, work, -1)) == sympy.expand(to_sympy(p) - to_sympy(q))
    assert to_sympy(poly.times(p, q, work)) == sympy.expand(to_sympy(p) * to_sympy(q))
    assert to_sympy(poly.power(p, 3, work)) == sympy.expand(to_sympy(p) ** 3)
    assert all(c != 0 for c in poly.times(p, q, work).values())


@settings(max_examples=examples(150), deadline=None)
@given(polys, polys)
def test_exact_division_finds_every_product_and_nothing_else(p: Poly, q: Poly) -> None:
    work = generous()
    if not q:
        return
    product = poly.times(p, q, work)
    quotient = poly.divide_exactly(product, q, leading, work)
    assert quotient is not None and to_sympy(quotient) == to_sympy(p)
    shifted = poly.plus(product, {(): 1}, work)
    divides = sympy.div(to_sympy(shifted), to_sympy(q), X, Y)[1] == 0
    assert (poly.divide_exactly(shifted, q, leading, work) is not None) == divides


def test_division_with_floats_is_not_attempted() -> None:
    work = generous()
    assert poly.divide_exactly({((0, 2),): 0.5}, {((0, 1),): 0.5}, leading, work) is None


@pytest.mark.parametrize(
    ("p", "q", "gcd"),
    [
        (X**2 - 1, X**2 + 2 * X + 1, X + 1),
        (X**3 - X, X**2 - 1, X**2 - 1),
        (X**2 + 1, X + 1, sympy.Integer(1)),
        (6 * X**4 - 6, 4 * X**2 - 4, X**2 - 1),
    ],
)
def test_univariate_gcd_is_the_monic_gcd(p: sympy.Expr, q: sympy.Expr, gcd: sympy.Expr) -> None:
    def ours(e: sympy.Expr) -> Poly:
        return {((0, k),) if k else (): int(c) for (k,), c in sympy.Poly(e, X).terms()}

    found = poly.univariate_gcd(ours(p), ours(q), 0, generous())
    assert to_sympy(found) == sympy.expand(gcd)


def test_content_gives_coprime_integers_and_a_positive_leading_coefficient() -> None:
    p: Poly = {((0, 2),): Fraction(-3, 2), (): Fraction(9, 4)}
    c = poly.content(p, ((0, 2),))
    assert c == Fraction(-3, 4)
    assert poly.scale(p, 1 / Fraction(c)) == {((0, 2),): 2, (): -3}
    assert poly.content({((0, 1),): -0.5, (): 1.5}, ((0, 1),)) == -1  # floats: the sign only


def test_the_budget_stops_work_terms_and_degrees() -> None:
    wide: Poly = {((0, k),): 1 for k in range(30)}
    with pytest.raises(OverBudget):
        poly.times(wide, wide, Work(steps=100, terms=10**4, degree=100))
    with pytest.raises(OverBudget):
        poly.times(wide, wide, Work(steps=10**6, terms=40, degree=100))
    with pytest.raises(OverBudget):
        poly.power({((0, 1),): 1, (): 1}, 50, Work(steps=10**6, terms=10**4, degree=40))
