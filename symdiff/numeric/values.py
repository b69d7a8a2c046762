"""Reading a number a user gives: every entry point reads one this way."""

from __future__ import annotations

import numbers
from decimal import Decimal

from ..errors import ValuesError


def is_real(value: object) -> bool:
    """Whether ``value`` is a number :func:`real_number` reads: an int, a float, a Fraction,
    a NumPy scalar, a ``decimal.Decimal`` (which the numbers tower leaves out of ``Real``,
    though a JSON file read with ``parse_float=Decimal`` gives them), or any other
    ``numbers.Real``; not a bool."""
    return not isinstance(value, bool) and isinstance(value, numbers.Real | Decimal)


def real_number(value: object, subject: str) -> float:
    """``value`` as a finite float (ints, fractions and other real numbers read as floats),
    or a ValuesError that names ``subject`` ("the value of x"): every entry point reads a
    number the user gives this way."""
    if not is_real(value):
        raise ValuesError(
            f"{subject} must be a real number, not {type(value).__name__} ({_quoted(value)})"
        )
    try:
        number = float(value)  # type: ignore[arg-type]  # a Real or a Decimal
    except (OverflowError, ValueError) as exc:
        raise ValuesError(f"{subject} ({_quoted(value)}) is not a float: {exc}") from None
    if number - number != 0:
        if isinstance(value, Decimal) and value.is_finite():  # float() rounds it to inf
            raise ValuesError(f"{subject} ({_quoted(value)}) is not a float: out of range")
        raise ValuesError(f"{subject} must be finite, not {number!r}")
    return number


def _quoted(value: object, width: int = 60) -> str:
    """A value as a message quotes it, whatever its size (an int of 5,000 digits has no
    repr under Python's digit limit)."""
    if isinstance(value, int) and value.bit_length() > 4 * width:
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    try:
        text = repr(value)
    except Exception:  # a user's type whose repr fails still gets a message
        return f"a {type(value).__name__}"
    return text if len(text) <= width else text[: width - 3] + "..."
