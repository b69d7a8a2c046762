"""The limits that keep every call bounded in time and memory, with their defaults.

A formula can come from anywhere (a config file, a web form, generated code), so each cost
that grows with the input has a ceiling, and going past it is a :class:`SymdiffError` that
names the limit, never a hang or a machine out of memory. The limits are per thread and per
task (a context variable); change them for a block with :func:`limits`::

    with symdiff.limits(text_length=10_000_000):
        symdiff.parse(huge_text)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from .errors import SymdiffError


@dataclass(frozen=True)
class Limits:
    """Every limit, with its default."""

    #: characters in one formula
    text_length: int = 2_000_000
    #: parentheses open at once in one formula
    nesting_depth: int = 200_000
    #: bits of an exact integer (or of a fraction's numerator or denominator) that folding
    #: may produce; a larger result is left unevaluated
    integer_bits: int = 4096
    #: the order of one derivative
    derivative_order: int = 1000
    #: nodes a derivative of order 2 or more may grow to (or four times the formula's own,
    #: if more): each order can multiply the size, so order 30 of exp(-x^2) fills memory
    derivative_nodes: int = 50_000
    #: nodes a result may print as, shared nodes counted at every use
    printed_nodes: int = 1_000_000
    #: iterations one solver run (newton, minimize) may be asked for
    solver_iterations: int = 100_000


# Limits is frozen, so one shared default is safe.
_current: ContextVar[Limits] = ContextVar(
    "symdiff_limits",
    default=Limits(),  # noqa: B039
)


def current() -> Limits:
    """The limits in force here."""
    return _current.get()


@contextmanager
def limits(**changes: int) -> Iterator[Limits]:
    """Change some limits for the ``with`` block: ``with limits(text_length=10**7): ...``."""
    names = {field.name for field in dataclasses.fields(Limits)}
    for name, value in changes.items():
        if name not in names:
            raise SymdiffError(f"no limit is called {name!r}; the limits are {', '.join(names)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SymdiffError(f"a limit is a whole number >= 0, not {value!r}")
    token = _current.set(dataclasses.replace(_current.get(), **changes))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
