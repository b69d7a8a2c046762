"""Plain-text tables for the tools' results: what ``print(result)`` shows."""

from __future__ import annotations

import math
from collections.abc import Sequence


def number(value: float) -> str:
    """A number as a table shows it: six significant digits."""
    if math.isnan(value):
        return "undefined"
    return f"{value:.6g}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell, two spaces apart; text left, numbers right."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str], numeric: Sequence[bool]) -> str:
        padded = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric, strict=True)
        ]
        return "  ".join(padded).rstrip()

    numeric = [i > 0 and all(_is_number(row[i]) for row in rows) for i in range(len(header))]
    return [line(header, numeric), *(line(row, numeric) for row in rows)]


def _is_number(cell: str) -> bool:
    try:
        float(cell.rstrip("%"))
    except ValueError:
        return cell == "undefined"
    return True
