"""The rational normal form, and the shortest of the forms an expression can be written in.

An expression is read as a quotient of polynomials in its *atoms*: variables, named
constants, and every subexpression that is not a polynomial (``exp(-x^2)``, ``sin(x)``,
``x^(1/2)``, ``x^y``), whose arguments are themselves put in their shortest form. A few
atoms are read as what they equal: ``sqrt(x)`` as ``x^(1/2)`` (so ``sqrt(x)^3`` is
``x^(3/2)``), ``log(x, b)`` as ``log(x)/log(b)``, ``2^-x`` as ``1/2^x``, and the ``q``-th
power of a root of a number as the number (``sqrt(2)^2`` is 2). Sums are put over a
common denominator, products expanded and like terms collected, and polynomial factors the
numerator shares with the denominator cancelled (exact division, and Euclid's gcd for
polynomials in one atom).

:func:`shortest` writes the result back in a few ways (factored: number, shared monomial
such as ``exp(-x^2)``, polynomial, denominator factors; expanded; term by term), and adds
two forms of the expression as the rules built it: with the factors all its terms share
taken out (:func:`common_factors`), and multiplied out one level with the most rewarding
factor collected first (:func:`collect_largest`). Whichever prints shortest wins, the
expression as given on ties, and the winner is searched again until nothing shorter turns
up.

Cancelling only removes points where the original was undefined (``x/x`` is 1): the value
is kept wherever the original expression is defined. Every step counts its work against a
:class:`Budget`; past it, the part that overflowed stays an atom, written as it was, so a
huge expression costs a bounded amount and never hangs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from ..ir.graph import topological_order
from ..ir.nodes import Expr, is_constant, is_variable
from ..ir.ops import OPS
from ..syntax.precedence import OPERATORS, needs_parentheses
from ..syntax.printer import format_number
from . import polynomial as poly
from .numbers import ONE, Number, as_number, exact, number
from .polynomial import Monomial, OverBudget, Poly, Work
from .rules import build, order_key, product, spine, split

ADD, SUB, MUL, DIV, NEG, POW = (OPS[k] for k in ("add", "sub", "mul", "div", "neg", "pow"))
SQRT, LOG, LOG_BASE = OPS["sqrt"], OPS["log"], OPS["log_base"]


@dataclass(frozen=True)
class Budget:
    """What one normal form may cost. Past ``nodes`` distinct nodes the expression is kept
    as it is; past the others, the subexpression that needed more stays an atom."""

    #: distinct nodes of the expression
    nodes: int = 2_000
    #: characters the expression prints as: past this, no form is readable (a graph that
    #: shares much can print as far more than its nodes), so it is kept as it is
    length: int = 20_000
    #: terms of one polynomial
    terms: int = 200
    #: total degree of a power that is expanded
    degree: int = 40
    #: products of terms (and other steps) for the whole expression
    steps: int = 100_000


DEFAULT_BUDGET = Budget()

FactorKey = tuple[tuple[Monomial, Number], ...]


@dataclass
class Form:
    """``coefficient * rest * product(factor^k)``: ``rest`` an expanded polynomial, each
    factor a polynomial of two or more terms (any k) or an atom (k < 0 only)."""

    coefficient: Number
    rest: Poly
    factors: dict[FactorKey, int]


_SENTINEL = ((99, "", "", 0), 0)


class _Normalizer:
    """The atoms met in one expression, and the arithmetic of forms over them."""

    def __init__(self, budget: Budget) -> None:
        self.work = Work(budget.steps, budget.terms, budget.degree)
        self.atoms: list[Expr] = []
        self.index: dict[Expr, int] = {}
        self.keys: list[tuple[int, str, str, int]] = []
        self.polys: dict[FactorKey, Poly] = {}
        self._monomial_keys: dict[Monomial, tuple[object, ...]] = {}
        # Atoms that are roots n^(1/q) of numbers n, by atom number: q.
        self.number_roots: dict[int, int] = {}
        # Short sums met as written (1 - tanh(x)^2): tried as factors of a numerator that
        # multiplying out has hidden them in (candidates), by their canonical key.
        self.divisors: dict[FactorKey, Poly] = {}

    # --- atoms and the order of monomials ----------------------------------------------------

    def atom(self, node: Expr) -> Form:
        value = as_number(node)
        if value is not None and not isinstance(value, float):
            # a node built from numbers may fold to one (log(1) is 0, 1^(1/2) is 1): a
            # number is a coefficient, never an atom
            return self.constant(value)
        i = self.index.get(node)
        if i is None:
            i = self.index[node] = len(self.atoms)
            self.atoms.append(node)
            self.keys.append(order_key(node))
        return Form(1, {((i, 1),): 1}, {})

    def monomial_key(self, m: Monomial) -> tuple[object, ...]:
        """Sorts monomials leading first: by total degree, then lexicographically with the
        atoms in the order products write them (x before y before sin(x)). A monomial order,
        so it serves exact division too, and the same in every run."""
        key = self._monomial_keys.get(m)
        if key is None:
            body = sorted((self.keys[a], -e) for a, e in m)
            key = (-poly.degree(m), (*body, _SENTINEL))
            self._monomial_keys[m] = key
        return key

    def leading(self, p: Poly) -> Monomial:
        return min(p, key=self.monomial_key)

    def factor_key(self, p: Poly) -> FactorKey:
        key = tuple(sorted(p.items(), key=lambda item: self.monomial_key(item[0])))
        self.polys[key] = p
        return key

    def canonical(self, key: FactorKey) -> tuple[object, ...]:
        return tuple((self.monomial_key(m), c) for m, c in key)

    def primitive(self, p: Poly) -> tuple[Number, Monomial, Poly]:
        """p as c*m*P: a number, a monomial, and a polynomial with coprime integer
        coefficients and a positive leading one, with no monomial factor."""
        m = poly.monomial_gcd(list(p))
        reduced = {poly.monomial_over(k, m) or (): c for k, c in p.items()} if m else p
        if len(reduced) == 1:  # a monomial: all of its number is the content (floats too)
            return reduced[()], m, poly.constant_poly(1)
        c = poly.content(reduced, self.leading(reduced))
        return c, m, poly.scale(reduced, 1 / Fraction(c) if not isinstance(c, float) else 1)

    # --- arithmetic of forms -----------------------------------------------------------------

    def constant(self, c: Number) -> Form:
        return Form(c, poly.constant_poly(1), {}) if c != 0 else Form(0, {}, {})

    def times(self, a: Form, b: Form) -> Form:
        if a.coefficient == 0 or b.coefficient == 0:
            return self.constant(0)
        factors = dict(a.factors)
        for key, k in b.factors.items():
            factors[key] = factors.get(key, 0) + k
        rest = poly.times(a.rest, b.rest, self.work)
        return self.normalize(Form(exact(a.coefficient * b.coefficient), rest, factors))

    def inverse(self, a: Form) -> Form:
        if a.coefficient == 0:
            raise OverBudget("division by zero")  # left as written
        c, m, p = self.primitive(a.rest)
        factors = {key: -k for key, k in a.factors.items()}
        rest: Poly = poly.constant_poly(1)
        for key, k in list(factors.items()):
            if k > 0 and len(key) == 1:  # an atom that was in the denominator
                rest = poly.times(rest, poly.power(self.polys[key], k, self.work), self.work)
                del factors[key]
        for atom, e in m:
            key = self.factor_key({((atom, 1),): 1})
            factors[key] = factors.get(key, 0) - e
        if len(p) > 1:
            key = self.factor_key(p)
            factors[key] = factors.get(key, 0) - 1
        coefficient = _divide(1, exact(a.coefficient * c))
        return self.normalize(Form(coefficient, rest, {k: v for k, v in factors.items() if v}))

    def power(self, a: Form, n: int) -> Form:
        if n < 0:
            return self.inverse(self.power(a, -n))
        if n == 0:
            return self.constant(1)
        if n > self.work.degree:
            raise OverBudget("exponent too large")
        if a.coefficient == 0:
            return a
        c, m, p = self.primitive(a.rest)
        factors = {key: k * n for key, k in a.factors.items()}
        if len(p) > 1:  # (x + 1)^n stays a power of a factor, not an expanded polynomial
            key = self.factor_key(p)
            factors[key] = factors.get(key, 0) + n
        rest = poly.power(poly.monomial_poly(m), n, self.work)
        coefficient = exact(a.coefficient * c) ** n
        return self.normalize(Form(coefficient, rest, factors))

    def plus(self, a: Form, b: Form, sign: int) -> Form:
        if b.coefficient == 0:
            return a
        if a.coefficient == 0:
            return Form(sign * b.coefficient, b.rest, dict(b.factors))
        # The common factors: those both share (the least power), and every denominator
        # factor (the greatest power): the lcm of the denominators.
        common: dict[FactorKey, int] = {}
        for key in a.factors.keys() | b.factors.keys():
            k = min(a.factors.get(key, 0), b.factors.get(key, 0))
            if k:
                common[key] = k
        total = self.numerator(a, common)
        total = poly.plus(total, self.numerator(b, common), self.work, sign)
        return self.normalize(Form(1, total, common))

    def numerator(self, a: Form, common: dict[FactorKey, int]) -> Poly:
        """a's polynomial once the common factors are taken out: expanded."""
        result = poly.scale(a.rest, a.coefficient)
        for key in sorted(a.factors.keys() | common.keys(), key=self.canonical):
            k = a.factors.get(key, 0) - common.get(key, 0)
            if k:
                result = poly.times(result, poly.power(self.polys[key], k, self.work), self.work)
        return result

    def normalize(self, form: Form) -> Form:
        """Content into the coefficient; denominator factors cancelled against the rest."""
        rest = self.without_whole_roots(form.rest)
        if not rest or form.coefficient == 0:
            return self.constant(0)
        coefficient = form.coefficient
        factors = dict(form.factors)
        for key, k in list(factors.items()):
            if k < 0 and len(key) == 1 and key[0][0][0][0] in self.number_roots:
                # 1/sqrt(2)^d = sqrt(2)^(w*2 - d)/2^w: a root of a number n leaves the
                # denominator, as the power w of n that clears it
                ((atom, _),) = key[0][0]
                q = self.number_roots[atom]
                whole = (-k + q - 1) // q
                base = as_number(self.atoms[atom].args[0])
                assert base is not None
                del factors[key]
                left = whole * q + k
                rest = poly.times(rest, {((atom, left),) if left else (): 1}, self.work)
                coefficient = _divide(coefficient, base**whole)
        c, m, p = self.primitive(rest)
        coefficient = exact(coefficient * c)
        exponents = dict(m)
        for key in sorted(factors, key=self.canonical):
            k = factors[key]
            if k >= 0:
                continue
            if len(key) == 1:  # an atom: cancel with the monomial
                ((atom, _),) = key[0][0]
                taken = min(-k, exponents.get(atom, 0))
                if taken:
                    exponents[atom] -= taken
                    k += taken
            else:
                k, p = self.cancel(key, k, p, factors)
            factors[key] = k
        monomial = tuple(sorted((atom, e) for atom, e in exponents.items() if e))
        rest = poly.times(poly.monomial_poly(monomial), p, self.work)
        c2, _, _ = self.primitive(rest)
        if c2 != 1:  # a cancellation by a monic gcd leaves a content to take out
            rest = poly.scale(rest, _divide(1, c2))
            coefficient = exact(coefficient * c2)
        return Form(coefficient, rest, {key: k for key, k in factors.items() if k})

    def cancel(
        self, key: FactorKey, k: int, p: Poly, factors: dict[FactorKey, int]
    ) -> tuple[int, Poly]:
        """Divide p by the denominator factor f (f^-k) as often as it goes; then by the gcd
        of p and f when both are polynomials in one atom."""
        f = self.polys[key]
        while k < 0 and len(p) >= len(f):
            quotient = poly.divide_exactly(p, f, self.leading, self.work)
            if quotient is None:
                break
            p, k = quotient, k + 1
        atom = poly.univariate_atom(f)
        if k < 0 and atom is not None and poly.univariate_atom(p) == atom and poly.is_exact(p):
            if max(poly.degree(m) for m in p) > self.work.degree:
                return k, p
            _, _, g = self.primitive(poly.univariate_gcd(p, f, atom, self.work))
            quotient = poly.divide_exactly(p, g, self.leading, self.work) if len(g) > 1 else None
            h = poly.divide_exactly(f, g, self.leading, self.work) if quotient else None
            if quotient is not None and h is not None:
                # f = g*h, so p/f^d = (p/g) / (g^(d-1) * h^d) with d = -k
                g_key = self.factor_key(g)
                factors[g_key] = factors.get(g_key, 0) + k + 1
                if len(h) > 1:
                    h_key = self.factor_key(h)
                    factors[h_key] = factors.get(h_key, 0) + k
                return 0, quotient
        return k, p

    # --- back to expressions -----------------------------------------------------------------

    def monomial_expr(self, m: Monomial) -> Expr | None:
        factors = sorted(m, key=lambda item: self.keys[item[0]])
        return product([self.power_expr(self.atoms[a], e) for a, e in factors]) if m else None

    @staticmethod
    def power_expr(atom: Expr, e: int) -> Expr:
        if e == 1:
            # x^(1/2) alone is written sqrt(x); its powers as x^(3/2), which is shorter
            if atom.op is POW and as_number(atom.args[1]) == Fraction(1, 2):
                return build(SQRT, (atom.args[0],))
            return atom
        return build(POW, (atom, number(e)))

    def term_expr(self, m: Monomial, c: Number) -> Expr:
        rest = self.monomial_expr(m)
        if rest is None:
            return number(c)
        return rest if c == 1 else build(MUL, (number(c), rest))

    def poly_expr(self, p: Poly) -> Expr:
        """The terms, leading first, added by the rules (which also factor pairs); the
        first term with a positive coefficient goes first (1 - x^2, not -x^2 + 1)."""
        result: Expr | None = None
        ordered = sorted(p, key=self.monomial_key)
        first = next((m for m in ordered if p[m] > 0), ordered[0])
        for m in [first, *(m for m in ordered if m is not first)]:
            term = self.term_expr(m, p[m])
            result = term if result is None else build(ADD, (result, term))
        return result if result is not None else number(0)

    def factor_expr(self, key: FactorKey, k: int) -> Expr:
        if len(key) == 1:  # an atom
            ((atom, _),) = key[0][0]
            return self.power_expr(self.atoms[atom], k)
        base = self.poly_expr(self.polys[key])
        return base if k == 1 else build(POW, (base, number(k)))

    def root_of_number(self, node: Expr, q: int) -> Form:
        """The atom n^(1/q) of a number n, remembered so that its q-th power is n again."""
        if as_number(node) is not None:  # folded to a number (sqrt(1) is 1): no root
            return self.atom(node)
        form = self.atom(node)
        ((monomial, _),) = form.rest.items()
        self.number_roots[monomial[0][0]] = q
        return form

    def without_whole_roots(self, p: Poly) -> Poly:
        """p with (n^(1/q))^e for e >= q written n^(e//q)*(n^(1/q))^(e % q): sqrt(2)^2 = 2."""
        if not self.number_roots or not any(
            e >= self.number_roots.get(a, e + 1) for m in p for a, e in m
        ):
            return p
        result: Poly = {}
        for m, c in p.items():
            kept: list[tuple[int, int]] = []
            for a, e in m:
                q = self.number_roots.get(a)
                if q is not None and e >= q:
                    base = as_number(self.atoms[a].args[0])
                    assert base is not None
                    c = exact(c * base ** (e // q))
                    e %= q
                if e:
                    kept.append((a, e))
            key = tuple(kept)
            total = exact(result.get(key, 0) + c)
            if total == 0:
                result.pop(key, None)
            else:
                result[key] = total
        return result

    def note_divisor(self, form: Form) -> None:
        """Remember a sum of ``DIVISOR_TERMS`` terms at most as a factor to look for."""
        if form.factors or not 2 <= len(form.rest) <= DIVISOR_TERMS:
            return
        if len(self.divisors) < DIVISORS:
            _, m, p = self.primitive(form.rest)
            if not m and len(p) > 1:
                self.divisors.setdefault(self.factor_key(p), p)

    def candidates(self, form: Form) -> list[Expr]:
        """The form written out: factored, expanded, and term by term."""
        if form.coefficient == 0:
            return [number(0)]
        keys = sorted(form.factors, key=self.canonical)
        upper = [key for key in keys if form.factors[key] > 0]
        lower = [self.factor_expr(key, -form.factors[key]) for key in keys if form.factors[key] < 0]
        denominator = product(lower) if lower else None
        coefficient = number(form.coefficient)
        found: list[Expr] = []

        _, m, p = self.primitive(form.rest)
        pieces = [self.monomial_expr(m)]
        pieces += [self.poly_expr(p)] if len(p) > 1 else []
        pieces += [self.factor_expr(key, form.factors[key]) for key in upper]
        numerator = product([piece for piece in pieces if piece is not None] or [ONE])
        found.append(_times(coefficient, _over(numerator, denominator)))

        expanded = poly.scale(form.rest, form.coefficient)
        if upper:
            expanded = self.numerator(
                Form(form.coefficient, form.rest, form.factors),
                {key: k for key, k in form.factors.items() if k < 0},
            )
        found.append(_over(self.poly_expr(expanded), denominator))
        if len(expanded) > DIVISOR_TERMS:
            # A sum written in the expression that divides the numerator, taken out again:
            # (1 - t^2)*(a - 2*b*t) is shorter than its product multiplied out, and where t
            # is 1.0 it is 0 exactly, not a cancellation of large terms.
            for divisor in self.divisors.values():
                quotient = poly.divide_exactly(expanded, divisor, self.leading, self.work)
                if quotient:
                    factored = build(MUL, (self.poly_expr(divisor), self.poly_expr(quotient)))
                    found.append(_over(factored, denominator))
        if len(lower) > 1:  # the denominator multiplied out too: 1/(x^2 + x)
            below = poly.constant_poly(1)
            for key in keys:
                if form.factors[key] < 0:
                    power = poly.power(self.polys[key], -form.factors[key], self.work)
                    below = poly.times(below, power, self.work)
            found.append(build(DIV, (self.poly_expr(expanded), self.poly_expr(below))))

        if denominator is not None and not upper and len(expanded) > 1:
            terms: Expr | None = None
            for monomial in sorted(expanded, key=self.monomial_key):
                term = _over(self.term_expr(monomial, expanded[monomial]), denominator)
                terms = term if terms is None else build(ADD, (terms, term))
            assert terms is not None
            found.append(terms)
        return found


def _positive_number(node: Expr) -> bool:
    value = as_number(node)
    return value is not None and value > 0


def _divide(a: Number, b: Number) -> Number:
    if isinstance(a, float) or isinstance(b, float):
        return a / b
    return exact(Fraction(a) / Fraction(b))


def _times(c: Expr, e: Expr) -> Expr:
    return e if c is ONE else build(MUL, (c, e))


def _over(numerator: Expr, denominator: Expr | None) -> Expr:
    return numerator if denominator is None else build(DIV, (numerator, denominator))


# --- reading an expression ---------------------------------------------------------------------

_ARITHMETIC = frozenset((ADD, SUB, MUL, DIV, NEG))


def _form_of(normalizer: _Normalizer, node: Expr, forms: dict[Expr, Form | None]) -> Form | None:
    """The node's form from its arguments' forms (None: an argument had none)."""
    op = node.op
    if op is POW:
        base = forms[node.args[0]]
        n = as_number(node.args[1])
        if base is None or not isinstance(n, int):
            return None
        return normalizer.power(base, n)
    args = [forms[arg] for arg in node.args]
    if any(arg is None for arg in args):
        return None
    a = args[0]
    assert a is not None
    if op is NEG:
        return Form(-a.coefficient, a.rest, dict(a.factors))
    b = args[1]
    assert b is not None
    if op is ADD:
        return normalizer.plus(a, b, 1)
    if op is SUB:
        return normalizer.plus(a, b, -1)
    if op is MUL:
        return normalizer.times(a, b)
    return normalizer.times(a, normalizer.inverse(b))


def printed_length(expr: Expr, lengths: dict[Expr, int]) -> int:
    """Characters of ``str(expr)`` without spaces, from the lengths of its parts (``lengths``
    is filled in as a memo; a shared part is counted at every use, as it is printed)."""
    for node in topological_order([expr]) if expr not in lengths else ():
        if node in lengths:
            continue
        if is_constant(node):
            size = len(format_number(node.payload))  # type: ignore[arg-type]
        elif is_variable(node):
            size = len(str(node.payload))
        elif node.op.key in OPERATORS:
            size = len(OPERATORS[node.op.key].symbol) * max(1, len(node.args) - 1)
            for i, arg in enumerate(node.args):
                size += lengths[arg] + 2 * needs_parentheses(node, arg, i)
        elif node.args:  # name(a,b)
            size = len(node.op.name) + len(node.args) + 1 + sum(lengths[a] for a in node.args)
        else:
            size = len(node.op.name)
        lengths[node] = size
    return lengths[expr]


# How many times a shorter form is looked for again in the form found.
ROUNDS = 10

# Sums of at most this many terms, and at most this many of them per expression, are tried
# as factors of a numerator (_Normalizer.candidates): a division each, bounded by the budget.
DIVISOR_TERMS = 3
DIVISORS = 8


def shortest(expr: Expr, budget: Budget = DEFAULT_BUDGET) -> Expr:
    """The shortest printed form found for ``expr`` (a node the rules have built): itself,
    or its rational normal form written in one of a few ways, or its terms' common factors
    taken out; never a different value where ``expr`` is defined. Ties keep ``expr``.

    A form found is searched again (its factors may be read differently), until nothing
    shorter turns up: so ``shortest(shortest(e)) is shortest(e)``. Each round prints
    strictly shorter, and there are at most ``ROUNDS``."""
    for _ in range(ROUNDS):
        found = _shortest_once(expr, budget)
        if found is expr:
            break
        expr = found
    return expr


def _shortest_once(expr: Expr, budget: Budget) -> Expr:
    order = topological_order([expr])
    if len(order) > budget.nodes:
        return expr
    lengths: dict[Expr, int] = {}
    if printed_length(expr, lengths) > budget.length:
        return expr
    normalizer = _Normalizer(budget)
    forms: dict[Expr, Form | None] = {}
    # Each node as the rules build it from its arguments' new forms (atoms normalized).
    rebuilt: dict[Expr, Expr] = {}
    best: dict[Expr, Expr] = {}

    def best_of(node: Expr) -> Expr:
        """The shortest of the node rebuilt and its normal form written out."""
        found = best.get(node)
        if found is None:
            found = _pick(_written(normalizer, forms[node], rebuilt[node], lengths), lengths)
            best[node] = found
        return found

    for node in order:
        op = node.op
        try:
            if not node.args:
                rebuilt[node] = node
                value = as_number(node)
                leaf = normalizer.atom(node) if value is None else normalizer.constant(value)
                forms[node] = leaf
                continue
            if op in _ARITHMETIC or op is POW:
                rebuilt[node] = build(op, tuple(rebuilt[arg] for arg in node.args))
            if op in _ARITHMETIC or (op is POW and isinstance(as_number(node.args[1]), int)):
                form = _form_of(normalizer, node, forms)
                if form is None:
                    form = normalizer.atom(rebuilt[node])
                elif op is ADD or op is SUB:
                    normalizer.note_divisor(form)
                forms[node] = form
                continue
            if op is POW and isinstance(as_number(node.args[1]), Fraction):
                # x^(p/q) = (x^(1/q))^p: one atom for every power of a root of x
                n = as_number(node.args[1])
                assert isinstance(n, Fraction)
                base = best_of(node.args[0])
                root = build(POW, (base, number(Fraction(1, n.denominator))))
                if as_number(base) is not None and as_number(base) > 0:  # type: ignore[operator]
                    atom = normalizer.root_of_number(root, n.denominator)
                else:
                    atom = normalizer.atom(root)
                forms[node] = normalizer.power(atom, n.numerator)
                continue
            args = tuple(best_of(arg) for arg in node.args)
            rebuilt[node] = build(op, args)
            if op is POW and _positive_number(args[0]) and split(args[1])[0] < 0:
                # n^-u = 1/n^u for a number n > 0 (n^u is never 0): 2^-x*log(2) = log(2)/2^x
                c, rest = split(args[1])
                exponent = build(MUL, (number(-c), rest)) if rest is not None else number(-c)
                forms[node] = normalizer.inverse(normalizer.atom(build(POW, (args[0], exponent))))
            elif op is SQRT:
                # sqrt(x) = x^(1/2), so sqrt(x)^3 is x^(3/2) (both defined for x >= 0)
                root = build(POW, (args[0], number(Fraction(1, 2))))
                value = as_number(args[0])
                positive = value is not None and value > 0
                forms[node] = (
                    normalizer.root_of_number(root, 2) if positive else normalizer.atom(root)
                )
            elif op is LOG_BASE:
                # log(x, b) = log(x)/log(b): so log(x, y)*log(y, x) is 1
                top, bottom = (normalizer.atom(build(LOG, (arg,))) for arg in args)
                forms[node] = normalizer.times(top, normalizer.inverse(bottom))
            else:
                forms[node] = normalizer.atom(rebuilt[node])
        except (OverBudget, ArithmeticError):
            if node not in rebuilt:
                rebuilt[node] = build(op, tuple(rebuilt[arg] for arg in node.args))
            forms[node] = normalizer.atom(rebuilt[node])
    try:
        written = _written(normalizer, forms[expr], rebuilt[expr], lengths)
    except (OverBudget, ArithmeticError):
        return expr
    return _pick([expr, *written], lengths)


def _written(
    normalizer: _Normalizer, form: Form | None, rebuilt: Expr, lengths: dict[Expr, int]
) -> list[Expr]:
    found = [rebuilt]
    factored = common_factors(rebuilt)
    if factored is not None:
        found.append(factored)
    collected = collect_largest(rebuilt, lengths)
    if collected is not None:
        found.append(collected)
    if form is None:
        return found
    try:
        return [*found, *normalizer.candidates(form)]
    except (OverBudget, ArithmeticError):
        return found


# Sums of at most this many terms are searched for common factors.
FACTOR_TERMS = 16


def common_factors(expr: Expr) -> Expr | None:
    """A sum with the factors all its terms share taken out, as written (no expansion):
    ``a*b*(1 - t^2)*c + a*d*(1 - t^2)`` is ``a*(1 - t^2)*(b*c + d)``; None if they share
    none. Costs O(terms * factors): sums of at most ``FACTOR_TERMS`` terms, products of
    at most ``rules.SPINE`` factors."""
    terms: list[tuple[int, Expr]] = []
    node = expr
    while node.op in (ADD, SUB) and len(terms) < FACTOR_TERMS:
        terms.append((1 if node.op is ADD else -1, node.args[1]))
        node = node.args[0]
    if node.op in (ADD, SUB) or not terms:
        return None
    terms.append((1, node))
    terms.reverse()
    powers: list[dict[Expr, int]] = []
    for _, term in terms:
        counted: dict[Expr, int] = {}
        for factor in _factors_of(term):
            base, e = _integer_power(factor)
            counted[base] = counted.get(base, 0) + e
        powers.append(counted)
    shared = {base: e for base, e in powers[0].items() if e > 0}
    for counted in powers[1:]:
        shared = {b: min(e, counted[b]) for b, e in shared.items() if counted.get(b, 0) > 0}
    if not shared:
        return None
    total: Expr | None = None
    for (sign, _), counted in zip(terms, powers, strict=True):
        left = [_power(b, e - shared.get(b, 0)) for b, e in counted.items() if e != shared.get(b)]
        rest = product(left) if left else ONE
        if total is None:
            total = rest if sign > 0 else build(NEG, (rest,))
        else:
            total = build(ADD if sign > 0 else SUB, (total, rest))
    assert total is not None
    common = product([_power(b, e) for b, e in shared.items()])
    return build(MUL, (common, total))


# A term: its number and its factors with their powers.
Term = tuple[Number, dict[Expr, int]]

# Sums distributed over at most this many terms, each of at most this many terms.
COLLECT_TERMS = 32
DISTRIBUTED_SUM = 4


def collect_largest(expr: Expr, lengths: dict[Expr, int]) -> Expr | None:
    """A sum with its products multiplied out one level and then, greedily, the factor
    that saves the most characters taken out of the terms that have it:
    ``w1*(v1*T1 + v2*T2)*t1 + w2*(v1*T1 + v2*T2)*t2`` is ``v1*T1*(w1*t1 + w2*t2) +
    v2*T2*(w1*t1 + w2*t2)`` when the T are long. None for anything but a sum; bounded by
    ``COLLECT_TERMS`` terms."""
    terms = _distributed(expr)
    if terms is None:
        return None
    return _collected(terms, lengths)


def _signed_terms(expr: Expr, most: int) -> list[tuple[int, Expr]] | None:
    terms: list[tuple[int, Expr]] = []
    node = expr
    while node.op in (ADD, SUB) and len(terms) < most:
        terms.append((1 if node.op is ADD else -1, node.args[1]))
        node = node.args[0]
    if node.op in (ADD, SUB):
        return None
    terms.append((1, node))
    terms.reverse()
    return terms


def _term(sign: int, expr: Expr) -> Term:
    c, rest = split(expr)
    counted: dict[Expr, int] = {}
    if rest is not None:
        for factor in (spine(rest) if rest.op is MUL else None) or [rest]:
            base, e = _integer_power(factor)
            counted[base] = counted.get(base, 0) + e
    return exact(sign * c), counted


def _distributed(expr: Expr) -> list[Term] | None:
    top = _signed_terms(expr, FACTOR_TERMS)
    if top is None or len(top) < 2:
        return None
    terms: list[Term] = []
    for sign, node in top:
        partial = [_term(sign, node)]
        for factor, e in list(partial[0][1].items()):
            inner = _signed_terms(factor, DISTRIBUTED_SUM) if e == 1 else None
            if inner is None or len(inner) < 2:
                continue
            spread: list[Term] = []
            for c0, f0 in partial:
                rest = dict(f0)  # the factor once out (an inner term may hold it too)
                rest[factor] -= 1
                if not rest[factor]:
                    del rest[factor]
                for inner_sign, inner_node in inner:
                    ci, fi = _term(inner_sign, inner_node)
                    merged = dict(rest)
                    for f, k in fi.items():
                        merged[f] = merged.get(f, 0) + k
                    spread.append((exact(c0 * ci), merged))
            partial = spread
            if len(terms) + len(partial) > COLLECT_TERMS:
                return None
        terms.extend(partial)
    return terms if len(terms) <= COLLECT_TERMS else None


def _collected(terms: list[Term], lengths: dict[Expr, int]) -> Expr:
    """The terms added, the most rewarding common factor out first. Each call takes a
    factor out of at least one term, so the depth is at most the number of factors of all
    the terms (at most ``COLLECT_TERMS`` terms, each from products of at most
    ``rules.SPINE`` factors)."""
    counts: dict[Expr, int] = {}
    for _, factors in terms:
        for f in factors:
            counts[f] = counts.get(f, 0) + 1
    best: Expr | None = None
    saving = 0
    for f, n in counts.items():
        gain = (n - 1) * printed_length(f, lengths)
        if n > 1 and gain > saving:
            best, saving = f, gain
    if best is None:
        total: Expr | None = None
        for c, factors in terms:
            pieces = [_power(f, k) for f, k in factors.items()]
            term = build(MUL, (number(c), product(pieces))) if pieces else number(c)
            total = term if total is None else build(ADD, (total, term))
        assert total is not None
        return total
    # Out with the least power the terms have, so each call removes a factor from a term.
    power = min(factors[best] for _, factors in terms if best in factors)
    inside: list[Term] = []
    outside: list[Term] = []
    for c, factors in terms:
        if best in factors:
            reduced = dict(factors)
            reduced[best] -= power
            if not reduced[best]:
                del reduced[best]
            inside.append((c, reduced))
        else:
            outside.append((c, factors))
    result = build(MUL, (_power(best, power), _collected(inside, lengths)))
    return build(ADD, (result, _collected(outside, lengths))) if outside else result


def _factors_of(term: Expr) -> list[Expr]:
    """A term's factors: its product spine, a number split off (-2*x*y is -2, x, y)."""
    c, rest = split(term)
    if rest is None:
        return [number(c)]
    factors = (spine(rest) if rest.op is MUL else None) or [rest]
    return [number(c), *factors] if c != 1 else factors


def _integer_power(factor: Expr) -> tuple[Expr, int]:
    if factor.op is POW:
        e = as_number(factor.args[1])
        if isinstance(e, int) and e > 0:
            return factor.args[0], e
    return factor, 1


def _power(base: Expr, e: int) -> Expr:
    return base if e == 1 else build(POW, (base, number(e)))


def _pick(candidates: Iterable[Expr], lengths: dict[Expr, int]) -> Expr:
    """The shortest; the first of equal length."""
    chosen: Expr | None = None
    size = 0
    for candidate in candidates:
        length = printed_length(candidate, lengths)
        if chosen is None or length < size:
            chosen, size = candidate, length
    assert chosen is not None
    return chosen
