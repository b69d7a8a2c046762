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
   ``cos(sqrt(x))`` there.
2. **Arithmetic.** IEEE doubles as Python computes them, through the op table's
   ``numeric`` functions. ``+``, ``-`` and ``*`` overflow to ``inf`` silently; division by
   zero raises ``ZeroDivisionError``; a math function raises ``OverflowError`` when its
   result overflows and ``ValueError`` outside its domain. A step that raises fails: it is
   reported as a ``DomainError`` naming that node.
3. **Non-finite values in between** are carried on, as IEEE says (``atan(x*x)`` at
   ``x = 1e200`` is ``pi/2``). Only the results are checked, once, at the end: if the value
   or any partial is ``inf`` or ``nan`` (:func:`all_finite` is false), that is a
   ``DomainError`` naming the first node that went non-finite.
4. **Rewriting.** Generated code computes constant subexpressions once, when it is
   generated, with these same functions (a constant step that raises is left in the code,
   to fail on every call); a constant ``inf`` or ``nan`` stays that value. The only other
   changes it makes are exact for every float, ``inf`` and ``nan`` included: ``1*x`` and
   ``x*1`` are ``x``, ``-1*x`` is ``-x``, ``x^1`` is ``x``, and ``x^n`` for an integer
   ``n`` is Python's ``x ** n``, the same ``pow`` as ``math.pow``.

Generated code may give up where the interpreter would not (its finiteness check is a
cheaper, stricter test); it then hands the point to the interpreter, whose answer stands.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from ..ir.ops import OPS, Op

T = TypeVar("T")


def is_structural_zero(partial: object) -> bool:
    """Policy 1: only a rule's literal integer 0 is zero whatever the point."""
    return type(partial) is int and partial == 0


def all_finite(results: Iterable[float]) -> bool:
    """Policy 3: the one check on results (value and partials) at the end of a sweep."""
    return all(math.isfinite(r) for r in results)


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
        # m.sin(x), m.pi(), ...: any other op of the table, by key.
        op = OPS.get(name)
        if op is None:
            raise AttributeError(name)
        return lambda *args: self.apply(op, *args)


class FloatAlgebra(Algebra[float]):
    """Floats, under the numeric policy above: ``x*x`` may be ``inf`` and ``atan`` of it
    ``pi/2``; a math function outside its domain raises ``ValueError`` or
    ``ArithmeticError``; whoever runs the sweep checks the results with :func:`all_finite`."""

    def constant(self, value: int | float) -> float:
        return float(value)

    def apply(self, op: Op, *args: float | int) -> float:
        return float(op.numeric(*args))

    def unless_zero(self, value: float | int, partial: Callable[[], float | int]) -> float | int:
        # The value at this point decides; 0 is a structural zero, so nothing is added.
        return 0 if value == 0 else partial()

    def add(self, a: float | int, b: float | int) -> float:
        return self.apply(OPS["add"], a, b)

    def mul(self, a: float | int, b: float | int) -> float:
        if a == 1:  # exact: 1*b is b for every float b
            return float(b)
        return self.apply(OPS["mul"], a, b)
