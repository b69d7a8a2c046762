"""Sensitivity analysis: how much each input moves a formula, absolutely and relatively.

The absolute sensitivity is the partial derivative ``df/dx``; the normalised one is the
elasticity ``df/dx * x / f``, the percentage change of ``f`` for a one per cent change of
``x`` (dimensionless, so inputs in different units compare). Inputs are ranked by
``|x df/dx|``, which orders them as ``|elasticity|`` does and still ranks them where
``f = 0`` (where the elasticity is undefined: nan).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..api import Expr, as_expr, differentiate
from ..numeric.arrays import argument, errors_option, has_arrays
from ..numeric.evaluate import given_values
from .points import loaded_numpy, run_over_arrays
from .tables import number, table

# The least positive normal float: a product below it has lost digits to underflow.
_SMALLEST_NORMAL = sys.float_info.min


@dataclass(frozen=True)
class SensitivityRow:
    """One input: its value, ``df/dx`` and the elasticity ``df/dx * x / f``.

    Over arrays of points, each field is a NumPy array with one entry a point.
    """

    name: str
    value: Any
    derivative: Any
    elasticity: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": _plain(self.value),
            "derivative": _plain(self.derivative),
            "elasticity": _plain(self.elasticity),
        }


class Sensitivity(Mapping[str, SensitivityRow]):
    """The inputs of a formula ranked by influence: a mapping from name to row, most
    influential first; ``print`` shows it as a table."""

    def __init__(self, expression: str, value: Any, rows: list[SensitivityRow]) -> None:
        self.expression = expression
        self.value = value
        self.rows = tuple(rows)
        self._by_name = {row.name: row for row in rows}

    def __getitem__(self, name: str) -> SensitivityRow:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"Sensitivity({self.expression!r}, {', '.join(self._by_name)})"

    def table(self, unicode: bool = True) -> str:
        """The ranked table (``df/dx`` for ``∂f/∂x`` when ``unicode`` is false)."""
        partial = "∂f/∂x" if unicode else "df/dx"
        numpy = loaded_numpy()
        if numpy is not None and isinstance(self.value, numpy.ndarray):
            return self._array_table(partial)
        lines = [f"{self.expression} = {number(self.value)}"]
        rows = [
            [str(rank), row.name, number(row.value), number(row.derivative), number(row.elasticity)]
            for rank, row in enumerate(self.rows, start=1)
        ]
        lines += table(["rank", "input", "value", partial, "elasticity"], rows)
        return "\n".join(lines)

    def _array_table(self, partial: str) -> str:
        numpy = loaded_numpy()
        lines = [f"{self.expression} over {self.value.size} points"]
        rows = []
        for rank, row in enumerate(self.rows, start=1):
            elasticity = row.elasticity[numpy.isfinite(row.elasticity)]
            low, mean, high = (
                (elasticity.min(), elasticity.mean(), elasticity.max())
                if elasticity.size
                else (math.nan, math.nan, math.nan)
            )
            rows.append(
                [
                    str(rank),
                    row.name,
                    number(float(numpy.mean(row.derivative))),
                    number(float(mean)),
                    number(float(low)),
                    number(float(high)),
                ]
            )
        header = ["rank", "input", f"mean {partial}", "mean elasticity", "min", "max"]
        lines += table(header, rows)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def to_dict(self) -> dict[str, Any]:
        """``{"expression", "value", "inputs": {name: {...}}}``, inputs in rank order;
        nan (undefined) is None, so the result is valid JSON."""
        return {
            "expression": self.expression,
            "value": _plain(self.value),
            "inputs": {row.name: row.to_dict() for row in self.rows},
        }


def sensitivity(
    expr: Expr | str, values: Mapping[str, object] | None = None, /, **keywords: object
) -> Sensitivity:
    """Absolute and normalised sensitivities of ``expr`` to each of its inputs, ranked.

    Values may be NumPy arrays (broadcast together): each row then holds arrays, and the
    ranking is by the mean of ``|x df/dx|`` over the points. One compiled program computes
    them all, under the arrays' domain policy (NaN where the formula or a derivative is
    undefined, one warning; ``errors="raise"`` or ``"ignore"`` as for ``differentiate``).
    Dask arrays are computed: the ranking needs the numbers.

    >>> s = sensitivity("m*g*h", m=2, g=9.81, h=10)
    >>> [(name, round(row.elasticity, 6)) for name, row in s.items()]
    [('m', 1.0), ('g', 1.0), ('h', 1.0)]
    """
    node = as_expr(expr)
    given = dict(given_values(values, keywords))
    errors = errors_option(given)
    names = list(dict.fromkeys([*node.variables, *given]))
    if not has_arrays(given):
        result = differentiate(node, given)
        rows = [
            _row(name, float(given[name]), result.get(name, 0.0), result.value)  # type: ignore[arg-type]
            for name in names
        ]
        rows.sort(key=lambda row: -abs(row.value * row.derivative))
        return Sensitivity(str(node), result.value, rows)
    numpy = loaded_numpy()
    shape, (value, partials) = run_over_arrays(node, names, given, errors, order=1)
    # Ranking needs the numbers: Dask arrays are computed here (numpy.asarray).
    value = numpy.asarray(value)
    array_rows = []
    for name, partial in zip(names, partials, strict=True):
        x = numpy.array(numpy.broadcast_to(numpy.asarray(argument(name, given[name])), shape))
        d = numpy.array(numpy.broadcast_to(numpy.asarray(partial), shape))
        with numpy.errstate(all="ignore"):
            product = d * x
            elasticity = numpy.where(
                value != 0, product / numpy.where(value != 0, value, 1), numpy.nan
            )
            # Where a step left the float range, the exact ratio (see _in_range).
            underflowed = (numpy.abs(product) < _SMALLEST_NORMAL) & (d != 0) & (x != 0)
            finite = numpy.isfinite(product) & numpy.isfinite(elasticity)
            inexact = (value != 0) & ~(finite & ~underflowed)
            inexact &= numpy.isfinite(value) & numpy.isfinite(d)  # NaN: outside the domain
        for index in zip(*numpy.nonzero(inexact), strict=True):
            elasticity[index] = _elasticity(float(d[index]), float(x[index]), float(value[index]))
        array_rows.append(SensitivityRow(name, x, d, elasticity))
    with numpy.errstate(all="ignore"):  # |x df/dx| beyond the float range ranks as inf
        array_rows.sort(key=lambda row: -float(numpy.mean(numpy.abs(row.value * row.derivative))))
    return Sensitivity(str(node), value, array_rows)


def _row(name: str, x: float, derivative: float, f: float) -> SensitivityRow:
    return SensitivityRow(name, x, derivative, _elasticity(derivative, x, f))


def _elasticity(derivative: float, x: float, f: float) -> float:
    """``derivative * x / f`` (nan where f is 0), exact where the product leaves the float
    range though the ratio may not: 1e10 * 1e300 / 1e300 is 1e10, not inf, and
    1e-200 * 1e-200 / 1e-300 is 1e-100, not 0. Beyond the range, inf of its sign."""
    if f == 0:
        return math.nan
    product = derivative * x
    ratio = product / f
    if _in_range(product, derivative, x, ratio):
        return ratio
    exact = Fraction(derivative) * Fraction(x) / Fraction(f)
    try:
        return float(exact)
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


def _in_range(product: float, derivative: float, x: float, ratio: float) -> bool:
    """Whether ``product = derivative * x`` and ``ratio = product / f`` lost nothing to the
    float range: both finite, and the product a normal number, or 0 from a 0 factor."""
    underflowed = abs(product) < _SMALLEST_NORMAL and derivative != 0 and x != 0
    return math.isfinite(product) and math.isfinite(ratio) and not underflowed


def _plain(value: Any) -> Any:
    """Floats as JSON has them: nan is None; arrays become nested lists."""
    numpy = loaded_numpy()
    if numpy is not None and isinstance(value, numpy.ndarray):
        return [_plain(v) for v in value.tolist()] if value.ndim else _plain(value.item())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
