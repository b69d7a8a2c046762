"""Algebras: the interpretations the op table's rules run under, and the numeric policy.

A rule such as ``lambda m, out, x: m.cos(x)`` only calls methods of ``m``. Give it a
:class:`FloatAlgebra` and it returns a number; the symbolic algebra returns an expression
node; the code generator's algebra returns a name or a literal of generated source. The
reverse sweep is written once, against this interface.

The numeric policy
------------------
The checked interpreter (the sweep under :class:`FloatAlgebra`) and generated code (the
sweep under ``codegen.python.CodeAlgebra``) follow one policy, so that an expression gives
the same value, or the same error, on its first call (interpreted) and on later calls
(compiled):

1. **Zero partials.** A partial is skipped only when it is *structurally* zero: its rule
   returns the integer literal ``0`` (zero for every argument, like sign's derivative); see
   :func:`is_structural_zero`. A partial that evaluates to zero at the point, or is a zero
   constant of the formula, still multiplies, so an undefined partial below it is still
   reported: ``sqrt(x)*0`` at ``x = 0`` has no derivative on any call, like
   ``cos(sqrt(x))`` there. A rule's value at a point where its general formula has none
   (:meth:`Algebra.unless_zero`: sinc's slope at 0, pow's at a zero base or exponent) is
   such a number too, so ``sinc(sqrt(x))`` at 0 has none either, in reverse and forward
   mode alike.
2. **Arithmetic.** IEEE doubles as Python computes them, through the op table's
   ``numeric`` functions. ``+``, ``-`` and ``*`` overflow to ``inf`` silently; division by
   zero raises ``ZeroDivisionError``; a math function raises ``OverflowError`` when its
   result overflows and ``ValueError`` outside its domain. A step that raises fails: it is
   reported as a ``DomainError`` naming that node.
3. **Overflow in between is never silent.** A float step that overflows (a math function's
   ``OverflowError``, or ``+ - * /`` giving ``inf``: :class:`CheckedFloatAlgebra`) makes the
   interpreter compute the whole point again in wide arithmetic (``numeric/wide.py``:
   decimals whose exponent reaches a million), where ``x*x`` at ``x = 1e200`` is ``1e400``
   and ``atan`` of it ``pi/2``. An overflow that cancels then gives the finite answer
   (``x*y/(x*x)*x`` at ``x = 1e200`` is 1; ``log(1 + exp(x))`` at ``x = 800`` is 800); only
   results (value and partials) beyond the float range are a ``DomainError``, naming the
   first node that went beyond it. Underflow is IEEE's: gradual, then 0 (``exp(-x)`` at
   ``x = 800`` is 0.0). Generated code checks its results, and the arguments of the ops
   that may turn ``inf`` or ``nan`` into a finite number (a divisor, ``atan``, ``exp``,
   ``min``...: ``codegen.python.PROPAGATING``), for ``inf`` and ``nan``; any other
   non-finite step would reach a result. Finding one, it hands the point to the
   interpreter.
4. **Rewriting.** Generated code computes constant subexpressions once, when it is
   generated, with these same functions (a constant step that raises is left in the code,
   to fail on every call); a constant step that overflows is left in the code too, where the
   finiteness check hands the point to the interpreter. The only other
   changes it makes are exact for every float: ``1*x`` and
   ``x*1`` are ``x``, ``-1*x`` is ``-x``, ``x^1`` is ``x``, and ``x^n`` for an integer
   ``n`` is Python's ``x ** n``, the same ``pow`` as ``math.pow``.
5. **Exact constants.** Integer constants stay exact integers, and ``+ - * /``, negation
   and integer powers of exact numbers are computed exactly (fractions for ``/``) as long
   as no integer or fraction part grows past ``symdiff.limits.current().integer_bits``;
   a number becomes a float only where a float or a function meets it. So
   ``(2^100 + 1) - 2^100`` is 1.0 and ``10^400/10^399`` is 10.0, as ``simplify`` says;
   past the bound, the float (or wide) arithmetic above takes over. Generated code folds
   constants the same way, when it is generated.
6. **One zero.** ``-0.0`` is a value like any float, but no answer depends on its sign:
   ``atan2``, the one function that reads it, reads it as ``0.0`` (``ir/special.py``), in
   the interpreter and in every backend. So ``0*y`` and ``log(1, b)``, which are ``-0.0``
   or ``0.0`` by the signs of ``y`` and ``log(b)`` at the point, are 0 wherever
   ``simplify`` writes them so: ``atan2(0, 0*y)`` is 0, and ``atan2(0*y, -1)`` is pi,
   for every ``y``.

Generated code may give up where the interpreter would not (its finiteness check is a
cheaper, stricter test); it then hands the point to the interpreter, whose answer stands.
So whenever generated code answers, no step overflowed, and the interpreter's float pass
computes the same numbers.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any, Generic, TypeVar

from .. import limits
from ..ir.ops import OPS, Op

T = TypeVar("T")


def is_structural_zero(partial: object) -> bool:
    """Policy 1: only a rule's literal integer 0 is zero whatever the point."""
    return type(partial) is int and partial == 0


def all_finite(results: Iterable[float]) -> bool:
    """Policy 3: the one check on results (value and partials) at the end of a sweep."""
    return all(math.isfinite(r) for r in results)


def nearest_float(number: object) -> float:
    """A value of a sweep (a float, an exact Fraction the checked algebra kept, a wide
    Decimal) as the float nearest it: beyond the float range, the infinity of its sign, as
    a Decimal converts (``float`` of a Fraction that large raises OverflowError)."""
    try:
        return float(number)  # type: ignore[arg-type]
    except OverflowError:
        return math.inf if number > 0 else -math.inf  # type: ignore[operator]


class Algebra(Generic[T]):
    """What a rule may use: ``apply`` of any op in the table, and a few shorthands."""

    def constant(self, value: int | float) -> T:
        raise NotImplementedError

    def apply(self, op: Op, *args: T | int) -> T:
        raise NotImplementedError

    def is_zero(self, value: T | int) -> bool:
        """True only when ``value`` is certainly zero, so a contribution can be skipped."""
        return is_structural_zero(value)

    def unless_zero(self, value: T | int, partial: Callable[[], T | int]) -> T | int:
        """``0`` where ``value`` is zero, else ``partial()``: a rule's convention at a point
        where its general formula has no value (``pow``'s at a zero base or exponent)."""
        return 0 if self.is_zero(value) else partial()

    def add(self, a: T | int, b: T | int) -> T:
        return self.apply(OPS["add"], a, b)

    def sub(self, a: T | int, b: T | int) -> T:
        return self.apply(OPS["sub"], a, b)

    def mul(self, a: T | int, b: T | int) -> T:
        return self.apply(OPS["mul"], a, b)

    def div(self, a: T | int, b: T | int) -> T:
        return self.apply(OPS["div"], a, b)

    def neg(self, a: T | int) -> T:
        return self.apply(OPS["neg"], a)

    def pow(self, a: T | int, b: T | int) -> T:
        return self.apply(OPS["pow"], a, b)

    def __getattr__(self, name: str) -> Callable[..., T]:
        # m.sin(x), m.pi(), ...: any other op of the table, by key. Each is a method of
        # the class (_shorthand, below); this is how the type checker learns of them.
        op = OPS.get(name)
        if op is None:
            raise AttributeError(name)
        return lambda *args: self.apply(op, *args)


def _shorthand(op: Op) -> Callable[..., Any]:
    def method(self: Algebra[Any], *args: Any) -> Any:
        return self.apply(op, *args)

    method.__name__ = method.__qualname__ = op.key
    method.__doc__ = f"``apply`` of {op.name}."
    return method


# A method for each op of the table the class does not write itself: a rule's m.cos(x) is
# one call, not a lookup that fails into ``__getattr__`` and a new function each time.
for _key, _op in OPS.items():
    if not hasattr(Algebra, _key):
        setattr(Algebra, _key, _shorthand(_op))
del _key, _op


class FloatAlgebra(Algebra[float]):
    """Floats, under the numeric policy above: ``x*x`` may be ``inf`` and ``atan`` of it
    ``pi/2``; a math function outside its domain raises ``ValueError`` or
    ``ArithmeticError``; whoever runs the sweep checks the results with :func:`all_finite`."""

    def constant(self, value: int | float) -> float:
        return float(value)

    def apply(self, op: Op, *args: float | int) -> float:
        return float(op.numeric(*args))

    def unless_zero(self, value: float | int, partial: Callable[[], float | int]) -> float | int:
        # The value at this point decides. Its zero is a number, not a structural zero
        # (policy 1): it still multiplies, so an undefined partial below it is reported,
        # as forward mode reports it (sinc(sqrt(x)) at 0 has no derivative on any path).
        return 0.0 if value == 0 else partial()

    def add(self, a: float | int, b: float | int) -> float:
        return self.apply(OPS["add"], a, b)

    def mul(self, a: float | int, b: float | int) -> float:
        if a == 1:  # exact: 1*b is b for every float b
            return float(b)
        return self.apply(OPS["mul"], a, b)


Exact = int | Fraction


def _bits(number: Exact) -> int:
    if type(number) is int:
        return number.bit_length()
    return max(number.numerator.bit_length(), number.denominator.bit_length())


def _exact_power(a: Exact, b: Exact) -> Exact | None:
    if Fraction(b).denominator != 1 or (a == 0 and b < 0):
        return None
    if max(1, _bits(a)) * abs(int(b)) > limits.current().integer_bits:
        return None  # too large to compute exactly: floats decide
    return Fraction(a) ** int(b)


def _exact_divide(a: Exact, b: Exact) -> Exact | None:
    return None if b == 0 else Fraction(a) / Fraction(b)


# Policy 5: the ops computed exactly on exact arguments; None means "not exactly".
EXACT: dict[str, Callable[..., Exact | None]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "neg": operator.neg,
    "div": _exact_divide,
    "pow": _exact_power,
}


def exact(op: Op, args: tuple[object, ...]) -> Exact | None:
    """``op`` of exact arguments computed exactly (policy 5), or None."""
    rule = EXACT.get(op.key)
    if rule is None or not args:
        return None
    for a in args:  # a loop, not all() over a generator: the interpreter's every step
        if type(a) is not int and type(a) is not Fraction:
            return None
    result = rule(*args)
    if result is None or _bits(result) > limits.current().integer_bits:
        return None
    # Always a Fraction: an int would read as a rule's structural zero (policy 1).
    return Fraction(result)


class CheckedFloatAlgebra(FloatAlgebra):
    """The interpreter's floats (policy 3): a step whose result is not finite raises
    ``OverflowError``, so that no overflow is carried on silently. Integer constants stay
    exact while exact arithmetic can carry them (policy 5)."""

    def constant(self, value: int | float) -> float:
        # A Fraction, never an int: an int 0 would read as a structural zero (policy 1).
        return Fraction(value) if type(value) is int else float(value)  # type: ignore[return-value]

    def apply(self, op: Op, *args: float | int) -> float:
        # A float among the arguments means no exact arithmetic: most steps are told so
        # by the first, without a call.
        if not args or type(args[0]) is not float:
            folded = exact(op, args)
            if folded is not None:
                return folded  # type: ignore[return-value]
        result = float(op.numeric(*args))
        if result - result != 0:
            raise OverflowError(f"{op.name} is not finite")
        return result
