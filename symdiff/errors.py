"""The errors symdiff raises on bad input.

Every one is a :class:`SymdiffError` (itself a ``ValueError``), so callers can catch one type.
Messages are written for the person who typed the formula: they quote what was written.
"""

from __future__ import annotations

from collections.abc import Mapping


class SymdiffError(ValueError):
    """Base of every error raised on bad input."""


class ParseError(SymdiffError):
    """The text is not a formula: ``line`` and ``column`` (1-based) say where."""

    def __init__(
        self, message: str, text: str, line: int, column: int, hint: str = "", first_line: int = 1
    ) -> None:
        self.summary = message
        self.hint = hint
        self.text = text
        self.line = line
        self.column = column
        # The line number of text's first line: a formula read as line N of a longer input.
        self.first_line = first_line
        super().__init__(_with_caret(message, text, line - first_line + 1, column, hint, line))

    def on_line(self, number: int) -> ParseError:
        """This error in a one-line formula, told as on line ``number`` of a longer input."""
        if self.line != self.first_line or "\n" in self.text:
            return self
        return ParseError(self.summary, self.text, number, self.column, self.hint, number)


class DomainError(SymdiffError):
    """A subexpression has no (finite) value, or no derivative, at the given point.

    ``subexpression`` is its text, cut to a bounded excerpt ending in ``...`` when long."""

    def __init__(self, message: str, subexpression: str, point: Mapping[str, float]) -> None:
        self.subexpression = subexpression
        self.point = dict(point)
        super().__init__(message)


class ValuesError(SymdiffError):
    """The values given for the variables are missing, misnamed or not real numbers."""


class SymdiffWarning(UserWarning):
    """Something undefined was computed as NaN rather than raised: over an array, the
    elements where a subexpression has no value (see ``symdiff.numeric.arrays``)."""


def _with_caret(message: str, text: str, line: int, column: int, hint: str, shown_line: int) -> str:
    # Lines as the parser counts them: only "\n" ends a line.
    lines = text.split("\n")
    source = lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else ""
    # Tabs keep their width under the caret so it lines up in a terminal.
    pad = "".join("\t" if ch == "\t" else " " for ch in source[: column - 1])
    where = f"line {shown_line}, column {column}"
    shown = f"{message} (at {where})\n  {source}\n  {pad}^"
    return f"{shown}\n{hint}" if hint else shown
