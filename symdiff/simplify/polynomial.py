"""Sparse polynomials with exact coefficients, in numbered "atoms" (variables, or anything
else that is not a polynomial, such as ``exp(-x^2)``), for the rational normal form.

A polynomial is a dict from monomials to nonzero coefficients; a monomial is a sorted tuple
of (atom number, exponent > 0) pairs, ``()`` being the constant monomial. Coefficients are
ints and Fractions (floats where the formula has floats, which then take no part in
cancellation). Every operation counts its work against a :class:`Work` budget and raises
:class:`OverBudget` past it, so no input can make the normal form slow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from .numbers import Number, exact

Monomial = tuple[tuple[int, int], ...]
Poly = dict[Monomial, Number]

ONE_MONOMIAL: Monomial = ()


class OverBudget(Exception):
    """The normal form would cost more than its budget: the caller keeps the form it has."""


class Work:
    """What one normal form may spend: term products, terms per polynomial, degrees."""

    def __init__(self, steps: int, terms: int, degree: int) -> None:
        self.steps = steps
        self.terms = terms
        self.degree = degree

    def spend(self, steps: int) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise OverBudget("too much work")

    def check(self, p: Poly) -> Poly:
        if len(p) > self.terms:
            raise OverBudget("too many terms")
        return p


# --- monomials -------------------------------------------------------------------------------


def monomial_times(a: Monomial, b: Monomial) -> Monomial:
    if not a:
        return b
    if not b:
        return a
    exponents = dict(a)
    for atom, e in b:
        exponents[atom] = exponents.get(atom, 0) + e
    return tuple(sorted(exponents.items()))


def monomial_over(a: Monomial, b: Monomial) -> Monomial | None:
    """a/b when b divides a, else None."""
    exponents = dict(a)
    for atom, e in b:
        left = exponents.get(atom, 0) - e
        if left < 0:
            return None
        if left:
            exponents[atom] = left
        else:
            del exponents[atom]
    return tuple(sorted(exponents.items()))


def monomial_gcd(monomials: list[Monomial]) -> Monomial:
    common = dict(monomials[0])
    for m in monomials[1:]:
        here = dict(m)
        common = {atom: min(e, here[atom]) for atom, e in common.items() if atom in here}
        if not common:
            break
    return tuple(sorted(common.items()))


def degree(m: Monomial) -> int:
    return sum(e for _, e in m)


# --- polynomials -----------------------------------------------------------------------------


def constant_poly(c: Number) -> Poly:
    return {ONE_MONOMIAL: c} if c != 0 else {}


def _accumulate(result: Poly, m: Monomial, c: Number) -> None:
    """Add the term c*m to ``result``; a coefficient that cancels to 0 removes the term."""
    total = exact(result.get(m, 0) + c)
    if total == 0:
        result.pop(m, None)
    else:
        result[m] = total


def plus(p: Poly, q: Poly, work: Work, sign: int = 1) -> Poly:
    work.spend(len(q))
    result = dict(p)
    for m, c in q.items():
        _accumulate(result, m, sign * c)
    return work.check(result)


def times(p: Poly, q: Poly, work: Work) -> Poly:
    work.spend(len(p) * len(q))
    result: Poly = {}
    for mp, cp in p.items():
        for mq, cq in q.items():
            _accumulate(result, monomial_times(mp, mq), cp * cq)
    return work.check(result)


def scale(p: Poly, c: Number) -> Poly:
    if c == 0:
        return {}
    if type(c) is Fraction and abs(c.numerator) == 1:
        # Dividing by a content (1/c): whole coefficients it divides stay ints, no Fractions
        d = c.numerator * c.denominator
        if all(type(v) is int and v % d == 0 for v in p.values()):
            return {m: v // d for m, v in p.items()}
    return {m: exact(v * c) for m, v in p.items()}


def power(p: Poly, n: int, work: Work) -> Poly:
    if n < 0:
        raise ValueError("a polynomial's power is a whole number")
    if n * max((degree(m) for m in p), default=0) > work.degree:
        raise OverBudget("degree too high")
    result = constant_poly(1)
    for _ in range(n):
        result = times(result, p, work)
    return result


def monomial_poly(m: Monomial) -> Poly:
    return {m: 1}


def is_exact(p: Poly) -> bool:
    return not any(isinstance(c, float) for c in p.values())


def content(p: Poly, leading: Monomial) -> Number:
    """The number c with p/c having coprime integer coefficients and a positive coefficient
    at the ``leading`` monomial (for floats: its sign)."""
    lead = p[leading]
    if not is_exact(p):
        # Dividing floats would round them: only the sign is taken out.
        return -1 if lead < 0 else 1
    numerators = 0
    denominators = 1
    for c in p.values():
        if type(c) is int:  # most coefficients: no Fraction to make
            numerators = math.gcd(numerators, c)
            continue
        f = Fraction(c)
        numerators = math.gcd(numerators, f.numerator)
        denominators = denominators * f.denominator // math.gcd(denominators, f.denominator)
    c = Fraction(numerators, denominators)
    return exact(-c if lead < 0 else c)


def divide_exactly(
    p: Poly, q: Poly, leading: Callable[[Poly], Monomial], work: Work
) -> Poly | None:
    """p/q when q divides p (exact coefficients only), else None.

    Division by one polynomial, leading term by leading term in a monomial order: the
    remainder is zero exactly when q divides p ({q} is a Groebner basis of its ideal).
    """
    if not p:
        return {}
    if not (is_exact(p) and is_exact(q)):
        return None
    lead_q = leading(q)
    lead_c = q[lead_q]
    quotient: Poly = {}
    remainder = dict(p)
    while remainder:
        lead_r = leading(remainder)
        m = monomial_over(lead_r, lead_q)
        if m is None:
            return None
        c = exact(Fraction(remainder[lead_r]) / Fraction(lead_c))
        quotient[m] = c
        work.check(quotient)
        step = {monomial_times(m, mq): cq * c for mq, cq in q.items()}
        remainder = plus(remainder, step, work, -1)
    return quotient


def univariate_atom(p: Poly) -> int | None:
    """The one atom p is a polynomial in, or None (a constant, or several atoms)."""
    atoms = {atom for m in p for atom, _ in m}
    return atoms.pop() if len(atoms) == 1 else None


def univariate_gcd(p: Poly, q: Poly, atom: int, work: Work) -> Poly:
    """The monic gcd of two exact polynomials in one atom (Euclid over the rationals)."""
    a = _dense(p, atom)
    b = _dense(q, atom)
    while b:
        work.spend(len(a) * len(b))
        a, b = b, _remainder(a, b)
    lead = a[-1]
    return {((atom, k),) if k else ONE_MONOMIAL: exact(c / lead) for k, c in enumerate(a) if c}


def _dense(p: Poly, atom: int) -> list[Fraction]:
    top = max(degree(m) for m in p)
    coefficients = [Fraction(0)] * (top + 1)
    for m, c in p.items():
        coefficients[degree(m)] = Fraction(c)
    return coefficients


def _remainder(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    a = list(a)
    while len(a) >= len(b):
        factor = a[-1] / b[-1]
        shift = len(a) - len(b)
        for i, c in enumerate(b):
            a[shift + i] -= factor * c
        a.pop()
        while a and a[-1] == 0:
            a.pop()
    return a
