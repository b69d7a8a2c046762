"""Reading a number a user gives: every entry point reads one this way."""

from __future__ import annotations

import numbers

from ..errors import ValuesError


def real_number(value: object, subject: str) -> float:
    """``value`` as a finite float (ints, fractions and other real numbers read as floats),
    or a ValuesError that names ``subject`` ("the value of x"): every entry point reads a
    number the user gives this way."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValuesError(
            f"{subject} must be a real number, not {type(value).__name__} ({_quoted(value)})"
        )
    try:
        number = float(value)
    except (OverflowError, ValueError) as exc:
        raise ValuesError(f"{subject} ({_quoted(value)}) is not a float: {exc}") from None
    if number - number != 0:
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
