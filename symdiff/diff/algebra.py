"""Algebras: the interpretations the op table's rules run under.

A rule such as ``lambda m, out, x: m.cos(x)`` only calls methods of ``m``. Give it a
:class:`FloatAlgebra` and it returns a number; the symbolic algebra returns an expression
node; the code generator's algebra returns the name of a variable in generated source. The
reverse sweep is written once, against this interface.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from ..ir.ops import OPS, Op

T = TypeVar("T")


class Algebra(Generic[T]):
    """What a rule may use: ``apply`` of any op in the table, and a few shorthands."""

    def constant(self, value: int | float) -> T:
        raise NotImplementedError

    def apply(self, op: Op, *args: T | int) -> T:
        raise NotImplementedError

    def is_zero(self, value: T | int) -> bool:
        """True only when ``value`` is certainly zero, so a contribution can be skipped."""
        return False

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
    """Floats, with IEEE arithmetic: ``x*x`` may be ``inf`` and ``atan`` of it ``pi/2``, as in
    the compiled code. A math function outside its domain raises ``ValueError`` or
    ``ArithmeticError``; whoever runs the sweep checks that its results are finite."""

    def constant(self, value: int | float) -> float:
        return float(value)

    def apply(self, op: Op, *args: float | int) -> float:
        return float(op.numeric(*args))

    def is_zero(self, value: float | int) -> bool:
        # Only a rule's literal 0 (a partial that is zero everywhere, like sign's) is
        # skipped. A partial that happens to be 0.0 here still multiplies: in cos(sqrt(x))
        # at 0, the zero from -sin(0) must not hide that sqrt has no derivative there.
        return type(value) is int and value == 0

    def add(self, a: float | int, b: float | int) -> float:
        return self.apply(OPS["add"], a, b)

    def mul(self, a: float | int, b: float | int) -> float:
        if a == 1:
            return float(b)
        return self.apply(OPS["mul"], a, b)
