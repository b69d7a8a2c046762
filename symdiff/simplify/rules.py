"""The rewrite rules as a table, and the engine that applies them while nodes are built.

Each :class:`Rule` has a name, the ops it applies to, the identity it uses and a rewrite:
a function of the op and its argument nodes that returns a replacement node, or None when
the rule does not apply. :func:`build` makes ``op(*args)`` by trying the rules registered
for the op, in table order; the first replacement wins. Replacements are themselves made
with :func:`build`, so every node a rule produces has already been through the table: a
built node is a fixed point (``build(n.op, n.args) is n``), which makes ``simplify``
idempotent and built derivatives already simplified. Only when no rule applies is the node
made as written, and then it remembers so (``Expr._built``): building it again is a lookup.

Rules look at the arguments and, at most, a bounded window of their structure (a few levels,
a product spine or a sum chain of at most eight terms), so building costs O(1) per node and
shared nodes stay shared: that is what keeps derivatives from swelling. Every rule keeps the
value wherever the original expression is defined.

Canonical forms, so that printing and parsing agree: constants are non-negative; a numeric
coefficient comes first (``-2*x``, ``3*x/2``); a negated product or quotient carries the sign
on its first factor (``-x*y``, ``-1/x``) when that factor is an atom. Placing a coefficient
or a sign (:func:`with_coefficient`, :func:`negative`) is the one place nodes are assembled
directly: those forms are what the rules for ``mul``, ``div`` and ``neg`` return for them.

Rules can be switched off one at a time, by name, with :func:`disabled`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

from ..errors import SymdiffError
from ..ir.nodes import Expr, constant, existing, is_variable, make, set_built
from ..ir.ops import CONSTANT, OPS, Op
from ..limits import current as current_limits
from . import numbers
from .numbers import ONE, ZERO, NotFinite, Number, as_fraction, as_number, exact, fold, number

ADD, SUB, MUL, DIV, NEG, POW = (OPS[k] for k in ("add", "sub", "mul", "div", "neg", "pow"))
ABS = OPS["abs"]

# How many terms of a sum are searched for a like term.
SUM_WINDOW = 8
# How many factors of a product are searched for its numeric coefficient.
SPINE = 8

Rewrite = Callable[..., Expr | None]


@dataclass(frozen=True)
class Rule:
    """One rewrite: ``rewrite(op, *args)`` gives the replacement for ``op(*args)`` or None."""

    name: str
    ops: tuple[str, ...]
    identity: str
    rewrite: Rewrite


# --- shorthands: every node a rule makes goes through the table ---------------------------


def add(a: Expr, b: Expr) -> Expr:
    return build(ADD, (a, b))


def sub(a: Expr, b: Expr) -> Expr:
    return build(SUB, (a, b))


def mul(a: Expr, b: Expr) -> Expr:
    return build(MUL, (a, b))


def div(a: Expr, b: Expr) -> Expr:
    return build(DIV, (a, b))


def neg(a: Expr) -> Expr:
    return build(NEG, (a,))


def pow(a: Expr, b: Expr) -> Expr:
    return build(POW, (a, b))


def product(factors: list[Expr]) -> Expr:
    """``((a*b)*c)...``, each product built by the rules."""
    result = factors[0]
    for factor in factors[1:]:
        result = mul(result, factor)
    return result


# --- views: what a node looks like, a bounded number of levels down ----------------------


def split(node: Expr) -> tuple[Number, Expr | None]:
    """``node`` as coefficient * rest: 3*x is (3, x), -x/2 is (-1/2, x), 5 is (5, None).

    The inverse of :func:`with_coefficient`. It looks a few levels down at most, so it
    costs O(1) on any graph; most rules for sums and products ask for the same splits, so
    they are remembered until the outermost :func:`build` returns (or the block of
    :func:`splits_kept` ends).
    """
    if node.op not in _SPLITTABLE:
        return 1, node
    found = _SPLITS.get(node)
    if found is None:
        found = _split(node)
        if _OPEN and len(_SPLITS) < _MEMO_LIMIT:
            _SPLITS[node] = found
    return found


# Only these nodes can carry a coefficient (a constant is all coefficient).
_SPLITTABLE = frozenset((CONSTANT, NEG, MUL, DIV))


def _split(node: Expr, depth: int = 0) -> tuple[Number, Expr | None]:
    value = as_number(node)
    if value is not None:
        return value, None
    op = node.op
    if depth > 3 or op not in (NEG, MUL, DIV):
        return 1, node
    if op is NEG:
        c, rest = _split(node.args[0], depth + 1)
        return -c, rest
    if op is MUL:
        # c*p*q*... and -p*q*...: the coefficient sits at the bottom of the left spine.
        factors = spine(node)
        if factors is None:
            return 1, node
        bottom = as_number(factors[0])
        if bottom is not None:
            return bottom, _left_product(factors[1:])
        if factors[0].op is NEG:
            return -1, _left_product([factors[0].args[0], *factors[1:]])
        return 1, node
    a, b = node.args
    ca, ra = _split(a, depth + 1)
    cb, rb = _split(b, depth + 1)
    if (ca == 1 and cb == 1) or cb == 0 or (rb is None and ra is None):
        return 1, node
    rest = ra if rb is None else make(DIV, (ra or ONE, rb))
    return numbers.divide(ca, cb), rest


def spine(node: Expr) -> list[Expr] | None:
    """The factors of a left-nested product ``a*b*c``, first factor first; None when the
    product is longer than ``SPINE`` factors (it is then treated as one factor)."""
    factors: list[Expr] = []
    while node.op is MUL and len(factors) < SPINE:
        factors.append(node.args[1])
        node = node.args[0]
    if node.op is MUL:
        return None
    factors.append(node)
    factors.reverse()
    return factors


def _left_product(factors: list[Expr]) -> Expr:
    """``((a*b)*c)...`` as written: the product a coefficient or a sign is placed on."""
    result = factors[0]
    for factor in factors[1:]:
        result = make(MUL, (result, factor))
    return result


def _base(node: Expr) -> Expr:
    return node.args[0] if node.op is POW else node


def _exponent(node: Expr) -> tuple[Expr, Expr]:
    """x^e as (x, e); anything else as (node, 1)."""
    if node.op is POW:
        return node.args[0], node.args[1]
    return node, ONE


def _power_parts(node: Expr) -> tuple[Expr, Number]:
    """x^n with a number n as (x, n); anything else as (node, 1)."""
    if node.op is POW:
        exponent = as_number(node.args[1])
        if exponent is not None:
            return node.args[0], exponent
    return node, 1


# --- canonical placement of a coefficient and a sign -------------------------------------


def with_coefficient(c: Number, rest: Expr | None) -> Expr:
    """The canonical node for ``c*rest``: ``2*x*y``, ``-x*y``, ``3*x/2``, ``-1/(2*x)``."""
    if rest is not None:
        inner, rest = split(rest)  # rest may carry a coefficient of its own: 2*(3*x)
        c = exact(c * inner)
    if rest is None:
        return number(c)
    if c == 0:
        return ZERO
    if c == 1:
        return rest
    top, bottom = as_fraction(c)
    if rest.op is DIV:
        p, q = rest.args
        numerator = number(top) if p is ONE else with_coefficient(top, p)
        return make(DIV, (numerator, with_coefficient(bottom, q)))
    if top < 0 and rest.op is SUB:
        # -6*(-1 - x) -> 6*(x + 1)
        return with_coefficient(-c, sub(rest.args[1], rest.args[0]))
    if top == 1:
        scaled = rest
    elif top == -1:
        scaled = negative(rest)
    else:
        factors = spine(rest) if rest.op is MUL else None
        if top < 0 and factors is not None and factors[0].op is SUB:
            # -4*(1 - t)*u -> 4*(t - 1)*u, as -4*(1 - t) -> 4*(t - 1) above
            first = factors[0]
            flipped = product([sub(first.args[1], first.args[0]), *factors[1:]])
            return with_coefficient(-c, flipped)
        if factors is not None:
            scaled = _left_product([make(MUL, (number(top), factors[0])), *factors[1:]])
        else:
            scaled = make(MUL, (number(top), rest))
    return scaled if bottom == 1 else make(DIV, (scaled, constant(bottom)))


def negative(node: Expr) -> Expr:
    """``-node`` for a node without a coefficient: the sign goes on an atomic first factor."""
    if node.op is MUL:
        factors = spine(node)
        if factors is not None and factors[0].op not in (DIV, NEG, ADD, SUB):
            return _left_product([make(NEG, (factors[0],)), *factors[1:]])
    if node.op is DIV:
        first, second = node.args
        if first.op not in (MUL, DIV, NEG, ADD, SUB):
            return make(DIV, (make(NEG, (first,)), second))
    if node.op is SUB:
        return sub(node.args[1], node.args[0])
    return make(NEG, (node,))


# --- the order of commutative factors ----------------------------------------------------

# Numbers, named constants, variables (by name), powers, calls, then operators.
RANK: dict[str, int] = (
    dict.fromkeys(OPS, 4)
    | dict.fromkeys(("add", "sub", "mul", "div", "neg"), 5)
    | {"constant": 0, "pi": 1, "e": 1, "variable": 2, "pow": 3}
)


def order_key(node: Expr) -> tuple[int, str, str, int]:
    """Where a factor goes in a product: by rank, then op; sin(x1) before sin(x2) by the
    first argument's name; the digest settles everything else."""
    if is_variable(node):
        return (2, str(node.payload), "", 0)
    first = node.args[0] if node.args else node
    leaf = str(first.payload) if is_variable(first) else ""
    return (RANK[node.op.key], node.op.key, leaf, node.digest)


# --- rules shared by several arithmetic ops ----------------------------------------------

_EXACT: dict[str, Callable[[Number, Number], Number]] = {
    "add": numbers.add,
    "sub": numbers.subtract,
    "mul": numbers.multiply,
    "div": numbers.divide,
}
# A sum adds its second term, a difference subtracts it.
_SIGN = {"add": 1, "sub": -1}


def _fold_numbers(op: Op, a: Expr, b: Expr) -> Expr | None:
    na, nb = as_number(a), as_number(b)
    if na is None or nb is None:
        return None
    # Undefined (1/0) or not finite: left as written, and no other rule looks at it.
    return fold(_EXACT[op.key], na, nb) or make(op, (a, b))


def _zero_term(op: Op, a: Expr, b: Expr) -> Expr | None:
    if as_number(b) == 0:
        return a
    if as_number(a) == 0:
        return b if op is ADD else neg(b)
    return None


def _self_difference(op: Op, a: Expr, b: Expr) -> Expr | None:
    return ZERO if a is b else None


def _like_terms(op: Op, a: Expr, b: Expr) -> Expr | None:
    ca, ra = split(a)
    cb, rb = split(b)
    if ra is rb and ra is not None:
        return with_coefficient(ca + _SIGN[op.key] * cb, ra)
    return None


def _negative_term(op: Op, a: Expr, b: Expr) -> Expr | None:
    ca, ra = split(a)
    cb, rb = split(b)
    if cb < 0:
        positive = with_coefficient(-cb, rb)
        return sub(a, positive) if op is ADD else add(a, positive)
    if ca < 0 and op is ADD:
        return sub(b, with_coefficient(-ca, ra))
    return None


def _common_coefficient(op: Op, a: Expr, b: Expr) -> Expr | None:
    ca, ra = split(a)
    cb, rb = split(b)
    if ra is None or rb is None or cb == 1:
        return None
    if op is ADD and ca == cb:
        return with_coefficient(ca, add(ra, rb))
    if op is SUB and abs(ca) == cb:
        return with_coefficient(ca, sub(ra, rb) if ca > 0 else add(ra, rb))
    return None


def _number_last(op: Op, a: Expr, b: Expr) -> Expr | None:
    # Two numbers are folded, or else left alone: swapping them would never end.
    return add(b, a) if as_number(a) is not None and as_number(b) is None else None


def _cancel_term(op: Op, a: Expr, b: Expr) -> Expr | None:
    if op is ADD:
        if a.op is SUB and a.args[1] is b:
            return a.args[0]
        if b.op is SUB and b.args[1] is a:
            return b.args[0]
        return None
    if a.op is ADD and b in a.args:
        return a.args[0] if a.args[1] is b else a.args[1]
    if a.op is SUB and a.args[0] is b:
        return neg(a.args[1])
    return None


def _collect(op: Op, a: Expr, b: Expr) -> Expr | None:
    """``a + sign*b`` with b merged into a like term of the sum ``a``, or None.

    Only the last few terms of the chain are looked at, so this stays O(1): enough to
    gather the terms of repeated derivatives, and never a walk over a long sum.
    """
    if a.op not in (ADD, SUB):
        return None
    sign = _SIGN[op.key]
    cb, rb = split(b)
    upper: list[tuple[int, Expr]] = []  # (sign, term), the most recently added first
    node = a
    while node.op in (ADD, SUB) and len(upper) < SUM_WINDOW:
        upper.append((_SIGN[node.op.key], node.args[1]))
        node = node.args[0]
    terms = [*upper, (1, node)]
    for index, (term_sign, term) in enumerate(terms):
        ct, rt = split(term)
        if rt is not rb or (index == len(terms) - 1 and node.op in (ADD, SUB)):
            continue
        merged = term_sign * ct + sign * cb
        rebuilt: Expr | None = None
        for k in reversed(range(len(terms))):
            if k == index and merged == 0:
                continue
            k_sign, k_term = (
                (1 if merged >= 0 else -1, with_coefficient(abs(merged), rt))
                if k == index
                else terms[k]
            )
            if rebuilt is None:
                rebuilt = k_term if k_sign > 0 else neg(k_term)
            else:
                rebuilt = add(rebuilt, k_term) if k_sign > 0 else sub(rebuilt, k_term)
        return rebuilt if rebuilt is not None else ZERO
    return None


def _factors(node: Expr) -> tuple[Expr, ...]:
    if node.op is MUL and node.args[0].op is not MUL:
        return node.args
    return (node,)


def _factor_out(op: Op, a: Expr, b: Expr) -> Expr | None:
    """``ca*ra + sign*cb*rb`` as ``f*(...)`` when ra and rb share a factor f."""
    ca, ra = split(a)
    cb, rb = split(b)
    if ra is None or rb is None:
        return None
    factors_b = _factors(rb)
    for f in _factors(ra):
        if f in factors_b:
            other_a = ONE if ra is f else next(g for g in _factors(ra) if g is not f)
            other_b = ONE if rb is f else next(g for g in factors_b if g is not f)
            if other_a is ONE and other_b is ONE:
                return None
            inner = with_coefficient(ca, other_a)
            rest = with_coefficient(cb, other_b)
            return mul(f, add(inner, rest) if op is ADD else sub(inner, rest))
    return None


def _reassociate(op: Op, a: Expr, b: Expr) -> Expr | None:
    """a + (p + q) -> (a + p) + q for a two-term sum b (and the signed variants), and
    a + c*(p + q) -> a + c*p + c*q when a is a sum: so like terms can meet."""
    c, rest = split(b)
    if rest is None or rest.op not in (ADD, SUB) or rest.args[0].op in (ADD, SUB):
        return None
    p, q = rest.args
    if c != 1 and a.op not in (ADD, SUB) and split(a)[1] not in (split(p)[1], split(q)[1]):
        return None
    sign = _SIGN[op.key]
    first = with_coefficient(c, p)
    second = with_coefficient(c, q)
    head = add(a, first) if sign > 0 else sub(a, first)
    return add(head, second) if sign * _SIGN[rest.op.key] > 0 else sub(head, second)


def _flatten_sum(op: Op, a: Expr, b: Expr) -> Expr | None:
    """a + (p + q + r) -> a + p + q + r: a sum added or subtracted as a whole is written
    term by term (its terms are a left chain, so the parentheses go). Sums of at most
    ``SUM_WINDOW`` terms only, so the cost stays bounded."""
    if b.op not in (ADD, SUB) or b.args[0].op not in (ADD, SUB):
        return None
    length, node = 1, b
    while node.op in (ADD, SUB):
        length += 1
        if length > SUM_WINDOW:
            return None
        node = node.args[0]
    # a + (L ± r) = (a + L) ± r and a - (L ± r) = (a - L) ∓ r
    head, last = b.args
    inner = add(a, head) if op is ADD else sub(a, head)
    return add(inner, last) if _SIGN[op.key] * _SIGN[b.op.key] > 0 else sub(inner, last)


# --- products ----------------------------------------------------------------------------


def _zero_factor(op: Op, a: Expr, b: Expr) -> Expr | None:
    return ZERO if as_number(a) == 0 or as_number(b) == 0 else None


def _numeric_factor(op: Op, a: Expr, b: Expr) -> Expr | None:
    na, nb = as_number(a), as_number(b)
    if na is not None:
        coefficient, other = na, b
    elif nb is not None:
        coefficient, other = nb, a
    else:
        return None
    c, rest = split(other)
    return with_coefficient(coefficient * c, rest)


def _coefficients_first(op: Op, a: Expr, b: Expr) -> Expr | None:
    ca, ra = split(a)
    cb, rb = split(b)
    if (ca == 1 and cb == 1) or ra is None or rb is None:
        return None
    return with_coefficient(ca * cb, mul(ra, rb))


def _merge_powers(op: Op, a: Expr, b: Expr) -> Expr | None:
    base_a, exp_a = _exponent(a)
    base_b, exp_b = _exponent(b)
    return pow(base_a, add(exp_a, exp_b)) if base_a is base_b else None


def _times_quotient(op: Op, a: Expr, b: Expr) -> Expr | None:
    if b.op is DIV:
        return div(mul(a, b.args[0]), b.args[1])
    if a.op is DIV:
        return div(mul(a.args[0], b), a.args[1])
    return None


def _order_factors(op: Op, a: Expr, b: Expr) -> Expr | None:
    if a.op is not MUL and b.op is not MUL and order_key(b) < order_key(a):
        return mul(b, a)
    return None


def _regroup_product(op: Op, a: Expr, b: Expr) -> Expr | None:
    if a.op is MUL and a.args[0].op is not MUL and b.op is not MUL:
        # (p*q)*b for a product of two: merge powers of one base, variables first.
        # A merge that leaves a product (merge-powers switched off) would regroup forever.
        p, q = a.args
        if _base(b) is _base(p):
            merged = mul(p, b)
            return None if merged.op is MUL else mul(merged, q)
        if _base(b) is _base(q):
            merged = mul(q, b)
            return None if merged.op is MUL else mul(p, merged)
        if is_variable(b) and not is_variable(q):
            return mul(mul(p, b), q)
    if b.op is MUL and b.args[0].op is not MUL and a.op is not MUL:
        # a*(p*q) for a single factor a: merge powers of one base, else a*p*q left to right.
        p, q = b.args
        if _base(a) is _base(q):
            merged = mul(a, q)
            if merged.op is not MUL:
                return mul(p, merged)
        return mul(mul(a, p), q)
    return None


# --- quotients ---------------------------------------------------------------------------


def _divide_by_one(op: Op, a: Expr, b: Expr) -> Expr | None:
    return a if as_number(b) == 1 else None


def _zero_numerator(op: Op, a: Expr, b: Expr) -> Expr | None:
    return ZERO if as_number(a) == 0 and as_number(b) != 0 else None


def _divide_by_itself(op: Op, a: Expr, b: Expr) -> Expr | None:
    return ONE if a is b else None


def _quotient_coefficient(op: Op, a: Expr, b: Expr) -> Expr | None:
    ca, ra = split(a)
    cb, rb = split(b)
    if rb is None:
        # x/0 is left as written; x/c is a coefficient.
        return make(DIV, (a, b)) if cb == 0 else with_coefficient(numbers.divide(ca, cb), ra)
    if ca == 1 and cb == 1:
        return None
    if ra is None:
        # n/(c*x) -> (n/c)/x in lowest terms: 2/(4*x) is 1/(2*x), 2/(-x) is -2/x.
        return with_coefficient(numbers.divide(ca, cb), div(ONE, rb))
    return with_coefficient(numbers.divide(ca, cb), div(ra, rb))


def _divide_powers(op: Op, a: Expr, b: Expr) -> Expr | None:
    base_a, exp_a = _power_parts(a)
    base_b, exp_b = _power_parts(b)
    if base_a is base_b and as_number(a) is None:
        return pow(base_a, number(exact(exp_a - exp_b)))
    return None


def _cancel_in_numerator(op: Op, a: Expr, b: Expr) -> Expr | None:
    """(p*x^m*q)/x^n -> p*q*x^(m-n), looking along the numerator's product spine only."""
    factors = spine(a) if a.op is MUL else None
    if factors is None or b.op is MUL:
        return None
    base_b, exp_b = _power_parts(b)
    for i, factor in enumerate(factors):
        base, exponent = _power_parts(factor)
        if base is base_b:
            remaining = pow(base, number(exact(exponent - exp_b)))
            return mul(product(factors[:i] + factors[i + 1 :]), remaining)
    return None


def _cancel_across(op: Op, a: Expr, b: Expr) -> Expr | None:
    """p*c^2/(q*c^2) -> p/q: a factor of the denominator's product found in the numerator."""
    bottoms = spine(b) if b.op is MUL else None
    tops = spine(a) if a.op is MUL else None
    if tops is None:
        tops = [a] if a.op not in (ADD, SUB) else None
    if bottoms is None or tops is None:
        return None
    for j, bottom in enumerate(bottoms):
        base, exponent = _power_parts(bottom)
        for i, top in enumerate(tops):
            top_base, top_exponent = _power_parts(top)
            if top_base is base:
                numerator = tops[:i] + tops[i + 1 :]
                left = pow(base, number(exact(top_exponent - exponent)))
                upper = mul(product(numerator), left) if numerator else left
                return div(upper, product(bottoms[:j] + bottoms[j + 1 :]))
    return None


def _nested_quotient(op: Op, a: Expr, b: Expr) -> Expr | None:
    if b.op is DIV:
        return div(mul(a, b.args[1]), b.args[0])
    if a.op is DIV:
        return div(a.args[0], mul(a.args[1], b))
    return None


# --- powers ------------------------------------------------------------------------------


def _fold_power(op: Op, a: Expr, b: Expr) -> Expr | None:
    na, nb = as_number(a), as_number(b)
    if na is None or nb is None:
        return None
    return fold(numbers.power, na, nb)


def _trivial_power(op: Op, a: Expr, b: Expr) -> Expr | None:
    nb = as_number(b)
    if nb == 0 or as_number(a) == 1:
        return ONE
    return a if nb == 1 else None


def _power_of_power(op: Op, a: Expr, b: Expr) -> Expr | None:
    nb = as_number(b)
    base, exponent = _power_parts(a)
    if isinstance(nb, int) and base is not a:
        return pow(base, number(exact(exponent * nb)))
    return None


def _power_of_reciprocal(op: Op, a: Expr, b: Expr) -> Expr | None:
    if isinstance(as_number(b), int) and a.op is DIV and as_number(a.args[0]) is not None:
        return div(pow(a.args[0], b), pow(a.args[1], b))
    return None


def _even_power(op: Op, a: Expr, b: Expr) -> Expr | None:
    """(-x)^n = x^n for an even n and -(x^n) for an odd one."""
    nb = as_number(b)
    if not isinstance(nb, int) or as_number(a) is not None:
        return None
    c, rest = split(a)
    if c >= 0:
        return None
    positive = pow(with_coefficient(-c, rest), b)
    return positive if nb % 2 == 0 else neg(positive)


def _negative_exponent(op: Op, a: Expr, b: Expr) -> Expr | None:
    nb = as_number(b)
    return div(ONE, pow(a, number(-nb))) if nb is not None and nb < 0 else None


# --- negation ----------------------------------------------------------------------------


def _negate_number(op: Op, a: Expr) -> Expr | None:
    value = as_number(a)
    return None if value is None else number(-value)


def _double_negation(op: Op, a: Expr) -> Expr | None:
    return a.args[0] if a.op is NEG else None


def _negate_coefficient(op: Op, a: Expr) -> Expr | None:
    c, rest = split(a)
    return with_coefficient(-c, rest)


# --- facts about functions, one table each, keyed by op ---------------------------------

# Exact values of functions at the points where they are simple.
AT_ZERO: dict[str, int] = dict.fromkeys(
    ("sin", "tan", "asin", "atan", "sinh", "tanh", "asinh", "atanh", "sqrt", "cbrt", "abs",
     "sign", "erf", "log1p", "expm1", "lambertw"), 0) | dict.fromkeys(
    ("cos", "cosh", "exp", "sech", "exp2", "sinc", "erfc"), 1)  # fmt: skip
AT_ONE: dict[str, int] = (
    dict.fromkeys(("log", "acosh", "log10", "log2", "asec", "asech", "lgamma"), 0)
    | dict.fromkeys(("sqrt", "cbrt", "abs", "sign", "gamma"), 1)
    | {"exp2": 2}
)
# f(c) for a named constant c: log(e) = 1.
AT_CONSTANT: dict[tuple[str, str], int] = {("log", "e"): 1}
# f(g(x)) = x: log(exp(x)) = x everywhere, exp(log(x)) = x wherever log(x) is defined, and
# each function of its inverse (sin(asin(x)) = x on [-1, 1]); not the other way round:
# asin(sin(x)) is x only for |x| <= pi/2.
INVERSES: frozenset[tuple[str, str]] = frozenset(
    {("log", "exp"), ("exp", "log"), ("log1p", "expm1"), ("expm1", "log1p"),
     ("log2", "exp2"), ("exp2", "log2"), ("sin", "asin"), ("cos", "acos"), ("tan", "atan"),
     ("sinh", "asinh"), ("cosh", "acosh"), ("tanh", "atanh")})  # fmt: skip
# Of a number, these are numbers: abs(-3) = 3, sign(-2) = -1.
ON_NUMBERS: dict[str, Callable[[Number], Number]] = {
    "abs": lambda value: -value if value < 0 else value,
    "sign": lambda value: (value > 0) - (value < 0),
    "heaviside": lambda value: Fraction(1 + (value > 0) - (value < 0), 2),
}
# f(x^2) = g(x): sqrt(x^2) = abs(x).
OF_SQUARE: dict[str, Op] = {"sqrt": ABS}


def _at_zero(op: Op, x: Expr) -> Expr | None:
    return number(AT_ZERO[op.key]) if as_number(x) == 0 else None


def _at_one(op: Op, x: Expr) -> Expr | None:
    return number(AT_ONE[op.key]) if as_number(x) == 1 else None


def _at_constant(op: Op, x: Expr) -> Expr | None:
    value = AT_CONSTANT.get((op.key, x.op.key))
    return None if value is None else number(value)


def _inverse(op: Op, x: Expr) -> Expr | None:
    return x.args[0] if (op.key, x.op.key) in INVERSES else None


def _on_number(op: Op, x: Expr) -> Expr | None:
    value = as_number(x)
    return None if value is None else number(ON_NUMBERS[op.key](value))


def _of_square(op: Op, x: Expr) -> Expr | None:
    if x.op is POW and as_number(x.args[1]) == 2:
        return build(OF_SQUARE[op.key], (x.args[0],))
    return None


# Parity: f(-x) = f(x) for an even function, f(-x) = -f(x) for an odd one, on the whole
# domain (each of these domains is symmetric about 0).
EVEN: frozenset[str] = frozenset(("cos", "cosh", "sec", "sech", "sinc", "abs"))
# Not acot: acot(0) is pi/2 by convention, so acot(-x) is not -acot(x) at 0.
ODD: frozenset[str] = frozenset(
    ("sin", "tan", "csc", "cot", "asin", "atan", "sinh", "tanh", "csch", "coth", "asinh",
     "atanh", "acsc", "acsch", "acoth", "cbrt", "sign", "erf"))  # fmt: skip


def _negated(x: Expr) -> Expr | None:
    """``-x`` when x carries a negative coefficient (-y, -2*y, -y/3), else None."""
    c, rest = split(x)
    return with_coefficient(-c, rest) if c < 0 else None


def _even_function(op: Op, x: Expr) -> Expr | None:
    positive = _negated(x)
    return None if positive is None else build(op, (positive,))


def _odd_function(op: Op, x: Expr) -> Expr | None:
    positive = _negated(x)
    return None if positive is None else neg(build(op, (positive,)))


def _log_of_base(op: Op, x: Expr, base: Expr) -> Expr | None:
    # log(x, x) is 1 wherever it is defined (x > 0, x != 1); at x = 1 it is 0/0.
    return ONE if x is base else None


# --- the table ---------------------------------------------------------------------------


def _outer(pairs: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The outer functions of (outer, inner) pairs of op keys."""
    return tuple(sorted({outer for outer, _ in pairs}))


_SUMS = ("add", "sub")
_ARITHMETIC = ("add", "sub", "mul", "div")

# For each op, its rules are tried in this order; the first that applies wins.
RULES: tuple[Rule, ...] = (
    # Arithmetic on two numbers, exact for ints and fractions.
    Rule("fold", _ARITHMETIC, "2 + 3 -> 5, 1/2 - 1/3 -> 1/6, 2/4 -> 1/2", _fold_numbers),
    # Sums and differences.
    Rule("zero-term", _SUMS, "x + 0 -> x, 0 - x -> -x", _zero_term),
    Rule("self-difference", ("sub",), "x - x -> 0", _self_difference),
    Rule("like-terms", _SUMS, "c*x + d*x -> (c + d)*x", _like_terms),
    Rule("negative-term", _SUMS, "a + -b -> a - b, a - -b -> a + b", _negative_term),
    Rule("common-coefficient", _SUMS, "c*p + c*q -> c*(p + q)", _common_coefficient),
    Rule("number-last", ("add",), "1 + x -> x + 1", _number_last),
    Rule("cancel-term", _SUMS, "(p - q) + q -> p, (p + q) - q -> p", _cancel_term),
    Rule("collect", _SUMS, "x + y + 2*x -> 3*x + y, among the last 8 terms", _collect),
    Rule("factor-out", _SUMS, "f*p + f*q -> f*(p + q)", _factor_out),
    Rule("reassociate", _SUMS, "a + (p + q) -> a + p + q", _reassociate),
    Rule("flatten-sum", _SUMS, "a - (p + q + r) -> a - p - q - r", _flatten_sum),
    # Products.
    Rule("zero-factor", ("mul",), "0*x -> 0", _zero_factor),
    Rule("numeric-factor", ("mul",), "x*1 -> x, 2*(3*x) -> 6*x", _numeric_factor),
    Rule("coefficients-first", ("mul",), "(c*p)*(d*q) -> (c*d)*(p*q)", _coefficients_first),
    Rule("merge-powers", ("mul",), "x^m*x^n -> x^(m + n)", _merge_powers),
    Rule("times-quotient", ("mul",), "a*(c/d) -> a*c/d", _times_quotient),
    Rule("order-factors", ("mul",), "y*x -> x*y", _order_factors),
    Rule("regroup-product", ("mul",), "a*(p*q) -> a*p*q, (x*q)*x -> x^2*q", _regroup_product),
    # Quotients.
    Rule("divide-by-one", ("div",), "x/1 -> x", _divide_by_one),
    Rule("zero-numerator", ("div",), "0/x -> 0", _zero_numerator),
    Rule("divide-by-itself", ("div",), "x/x -> 1", _divide_by_itself),
    Rule("quotient-coefficient", ("div",), "(c*p)/(d*q) -> (c/d)*(p/q)", _quotient_coefficient),
    Rule("divide-powers", ("div",), "x^m/x^n -> x^(m - n)", _divide_powers),
    Rule("cancel-in-numerator", ("div",), "(p*x^m)/x^n -> p*x^(m - n)", _cancel_in_numerator),
    Rule("cancel-across", ("div",), "(p*x)/(q*x) -> p/q", _cancel_across),
    Rule("nested-quotient", ("div",), "a/(c/d) -> a*d/c, (c/d)/b -> c/(d*b)", _nested_quotient),
    # Powers.
    Rule("fold-power", ("pow",), "2^10 -> 1024, exactly", _fold_power),
    Rule("trivial-power", ("pow",), "x^0 -> 1, 1^x -> 1, x^1 -> x", _trivial_power),
    Rule("power-of-power", ("pow",), "(x^m)^n -> x^(m*n) for an integer n", _power_of_power),
    Rule("power-of-reciprocal", ("pow",), "(1/q)^n -> 1/q^n", _power_of_reciprocal),
    Rule("even-power", ("pow",), "(-x)^2 -> x^2, (-x)^3 -> -x^3", _even_power),
    Rule("negative-exponent", ("pow",), "x^-n -> 1/x^n", _negative_exponent),
    # Negation.
    Rule("negate-number", ("neg",), "-(2) -> -2, -(-2) -> 2", _negate_number),
    Rule("double-negation", ("neg",), "--x -> x", _double_negation),
    Rule("negate-coefficient", ("neg",), "-(2*x) -> -2*x, -(x - y) -> y - x", _negate_coefficient),
    # Functions.
    Rule("value-at-zero", tuple(AT_ZERO), "sin(0) -> 0, cos(0) -> 1", _at_zero),
    Rule("value-at-one", tuple(AT_ONE), "log(1) -> 0, sqrt(1) -> 1", _at_one),
    Rule("value-at-constant", _outer(AT_CONSTANT), "log(e) -> 1", _at_constant),
    Rule("inverse-function", _outer(INVERSES), "log(exp(x)) -> x, exp(log(x)) -> x", _inverse),
    Rule("of-a-number", tuple(ON_NUMBERS), "abs(-3) -> 3, sign(-2) -> -1", _on_number),
    Rule("of-a-square", tuple(OF_SQUARE), "sqrt(x^2) -> abs(x)", _of_square),
    Rule("even-function", tuple(sorted(EVEN)), "cos(-x) -> cos(x)", _even_function),
    Rule("odd-function", tuple(sorted(ODD)), "sin(-x) -> -sin(x)", _odd_function),
    Rule("log-of-base", ("log_base",), "log(x, x) -> 1", _log_of_base),
)  # fmt: skip


# --- the engine --------------------------------------------------------------------------

RULE_NAMES: frozenset[str] = frozenset(rule.name for rule in RULES)

# The rules that only ever apply when an argument is a number (``as_number``): the engine
# skips them for the many nodes that have none (tests/test_rules.py checks each never fires
# without a number).
NUMBER_RULES: frozenset[str] = frozenset(
    ("fold", "zero-term", "number-last", "zero-factor", "numeric-factor", "divide-by-one",
     "zero-numerator", "fold-power", "trivial-power", "negate-number", "value-at-zero",
     "value-at-one", "of-a-number")
)  # fmt: skip


def _by_op(off: frozenset[str], numbers: bool) -> dict[str, tuple[Rewrite, ...]]:
    """The rewrites of the rules switched on, by op key, in table order; without the
    rules that need a number argument unless ``numbers``."""
    table: dict[str, list[Rewrite]] = {}
    for rule in RULES:
        if rule.name not in off and (numbers or rule.name not in NUMBER_RULES):
            for key in rule.ops:
                table.setdefault(key, []).append(rule.rewrite)
    return {key: tuple(rewrites) for key, rewrites in table.items()}


class _Switches:
    """Which rules are off, and the rewrites of the rules that are on."""

    off: frozenset[str] = frozenset()
    # How many forgetting() blocks are open.
    forgetting = 0
    # Whether build remembers and looks up its results (Expr._built): no rule off, and no
    # forgetting() block open.
    remember = True
    # For nodes with a number among their arguments, and for nodes without one.
    with_numbers: dict[str, tuple[Rewrite, ...]] = _by_op(frozenset(), numbers=True)
    without_numbers: dict[str, tuple[Rewrite, ...]] = _by_op(frozenset(), numbers=False)


_SWITCHES = _Switches()


# Splits of nodes seen while one outermost build runs, or a whole block under
# splits_kept(); emptied when the last ends, so the memo never keeps a node alive after.
# _OPEN holds one entry per build or block running, in any thread: list.append and
# list.pop are each atomic under the GIL, so its length is that number however threads
# interleave (a counter's ``+= 1`` is a read and a write, atomic only as long as the
# interpreter happens not to switch threads between the two). Threads share the memo: a
# split depends only on the (immutable) node, so sharing never changes a result. The
# limit bounds what it holds: about 15 MB when full (222 bytes a split, measured with
# tracemalloc, the nodes only the memo kept alive included).
_SPLITS: dict[Expr, tuple[Number, Expr | None]] = {}
_OPEN: list[None] = []
_MEMO_LIMIT = 65_536


@contextmanager
def splits_kept() -> Iterator[None]:
    """Remember the splits of nodes for the whole block, not only for one build.

    A symbolic sweep or a rebuild calls :func:`build` once per node, and the rules for sums
    and products split the same nodes build after build: kept for the sweep, a derivative
    of order 16 of x^x takes a quarter less time. Emptied when the outermost block ends.
    """
    _OPEN.append(None)
    try:
        yield
    finally:
        _OPEN.pop()
        if not _OPEN:
            _SPLITS.clear()


def build(op: Op, args: tuple[Expr, ...]) -> Expr:
    """``op(*args)``, simplified by the first rule of the table that applies.

    Remembered where no rule applied: the node ``op(*args)`` then keeps, in its slot
    ``_built``, the limits in force (the rules read ``integer_bits``), and building it
    again under the same limits gives it at once. Rebuilding a graph whose nodes are
    already what the table makes (``simplify``, ``shortest``, a derivative's sweep) is then
    one lookup per node. Nothing is remembered or looked up while a rule is switched off, or
    under :func:`forgetting`.
    """
    rewrites = _SWITCHES.with_numbers.get(op.key)
    if rewrites is None:
        return make(op, args)
    token = current_limits() if _SWITCHES.remember else None
    if token is not None:
        node = existing(op, args)
        if node is not None and node._built is token:
            return node
    made = rewrite(op, args, rewrites)
    if made is None:
        made = make(op, args)
        if token is not None:
            set_built(made, token)
    return made


def rewrite(
    op: Op, args: tuple[Expr, ...], rewrites: tuple[Rewrite, ...] | None = None
) -> Expr | None:
    """What the first rule of the table that applies makes of ``op(*args)``, or None if no
    rule applies (``build``'s search, without its memory)."""
    if rewrites is None:
        rewrites = _SWITCHES.with_numbers.get(op.key, ())
    if as_number(args[0]) is None and (len(args) == 1 or as_number(args[1]) is None):
        rewrites = _SWITCHES.without_numbers.get(op.key, ())
    open_ = _OPEN
    open_.append(None)
    try:
        for apply in rewrites:
            try:
                replacement = apply(op, *args)
            except NotFinite:
                continue  # a coefficient overflowed (1e200*1e200): left as it is
            if replacement is not None:
                return replacement
        return None
    finally:
        open_.pop()
        if not open_:
            _SPLITS.clear()


@contextmanager
def disabled(*names: str) -> Iterator[None]:
    """Build with the named rules switched off (for tests and for studying one rule)."""
    unknown = sorted(set(names) - RULE_NAMES)
    if unknown:
        raise SymdiffError(f"no rewrite rule named {', '.join(map(repr, unknown))}")
    previous = _SWITCHES.off
    _switch(previous | frozenset(names))
    try:
        yield
    finally:
        _switch(previous)


@contextmanager
def forgetting() -> Iterator[None]:
    """Build without the memory of what the table made: each node goes through the rules
    (for tests of the table itself, which the memory would answer for it)."""
    _SWITCHES.forgetting += 1
    _SWITCHES.remember = False
    try:
        yield
    finally:
        _SWITCHES.forgetting -= 1
        _SWITCHES.remember = not _SWITCHES.off and not _SWITCHES.forgetting


def _switch(off: frozenset[str]) -> None:
    _SWITCHES.off = off
    _SWITCHES.remember = not off and not _SWITCHES.forgetting
    _SWITCHES.with_numbers = _by_op(off, numbers=True)
    _SWITCHES.without_numbers = _by_op(off, numbers=False)
