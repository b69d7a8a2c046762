"""A function and its derivative on one figure: the picture a student sketches beside the
formula. :func:`sample` evaluates both on a grid (points where either is undefined are gaps,
not errors); :func:`plot` draws them with matplotlib, an optional extra
(``pip install 'symdiff[plot]'``), imported only when a plot is drawn.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ..api import Expr, as_expr, derivative
from ..errors import DomainError, SymdiffError
from ..numeric.evaluate import given_values
from ..numeric.values import real_number

__all__ = ["FORMATS", "Samples", "parse_range", "plot", "sample"]

FORMATS = ("png", "svg", "pdf")
PLOT_HINT = "plotting needs matplotlib: pip install 'symdiff[plot]' (or pip install matplotlib)"
_LABEL_LENGTH = 60


@dataclass(frozen=True)
class Samples:
    """``f`` and ``df`` (d f / d ``wrt``) at each of ``xs``; ``nan`` where undefined."""

    expr: Expr
    derivative: Expr
    wrt: str
    xs: list[float]
    f: list[float]
    df: list[float]
    # The other variables' values.
    fixed: dict[str, float]


def parse_range(text: str) -> tuple[float, float]:
    """``"-3:3"`` as ``(-3.0, 3.0)``: two finite numbers, the first the smaller."""
    low, colon, high = text.partition(":")
    try:
        if not colon:
            raise ValueError
        interval = float(low), float(high)
    except ValueError:
        raise SymdiffError(
            f"a range is two numbers with a colon, like -3:3, not {text!r}"
        ) from None
    _check_interval(interval)
    return interval


def _check_interval(interval: object) -> tuple[float, float]:
    """The range as two floats, the first the smaller: a pair of numbers, or text like
    ``"-3:3"``."""
    if isinstance(interval, str):
        return parse_range(interval)
    try:
        start, end = cast("tuple[object, object]", interval)
    except (TypeError, ValueError):
        raise SymdiffError(
            f"a range is a pair of numbers, like (-3, 3), not {interval!r}"
        ) from None
    low = real_number(start, "the start of the range")
    high = real_number(end, "the end of the range")
    if not low < high:
        raise SymdiffError(f"a range goes from a number to a larger one, not {low!r} to {high!r}")
    return low, high


def _variable(expr: Expr, wrt: str | None, values: Mapping[str, float]) -> str:
    free = [name for name in expr.variables if name not in values]
    if wrt is not None:
        return wrt
    if len(free) == 1:
        return free[0]
    if not free:
        return expr.variables[0] if len(expr.variables) == 1 else "x"
    raise SymdiffError(
        f"which variable goes along the axis? {', '.join(free)}: give one (wrt) "
        f"and values for the others"
    )


def sample(
    expr: Expr | str,
    wrt: str | None = None,
    interval: tuple[float, float] = (-3.0, 3.0),
    values: Mapping[str, float] | None = None,
    samples: int = 401,
) -> Samples:
    """``expr`` and its derivative by ``wrt`` at ``samples`` evenly spaced points of
    ``interval``, the other variables at ``values``. ``wrt`` may be left out when one
    variable has no value."""
    node = as_expr(expr)
    point = cast("dict[str, float]", dict(given_values(values, {})))  # read when evaluated
    name = _variable(node, wrt, point)
    point.pop(name, None)
    missing = [n for n in node.variables if n != name and n not in point]
    if missing:
        raise SymdiffError(f"give values for {', '.join(missing)} (only {name} varies)")
    low, high = _check_interval(interval)
    if type(samples) is not int or not 2 <= samples <= 100_000:
        raise SymdiffError(f"samples is a whole number from 2 to 100000, not {samples!r}")
    slope = derivative(node, name)
    xs = [low + (high - low) * i / (samples - 1) for i in range(samples)]
    f = _values(node, name, xs, point)
    # The derivative exists only where the function does (d/dx log(x) = 1/x is not a
    # derivative at x < 0).
    df = [
        d if math.isfinite(v) else math.nan
        for v, d in zip(f, _values(slope, name, xs, point), strict=True)
    ]
    return Samples(node, slope, name, xs, f, df, {k: v for k, v in point.items() if k != name})


def _values(expr: Expr, name: str, xs: list[float], point: dict[str, float]) -> list[float]:
    results = []
    for x in xs:
        point[name] = x
        try:
            results.append(expr.evaluate(point))
        except DomainError:
            results.append(math.nan)  # a gap in the curve
    return results


def _label(head: str, expr: Expr) -> str:
    text = str(expr) if len(expr.variables) < 50 else "…"
    if len(text) > _LABEL_LENGTH:
        text = text[: _LABEL_LENGTH - 1] + "…"
    return f"{head} = {text}"


def _limits(curves: list[list[float]]) -> tuple[float, float] | None:
    """The y range that shows the curves' shape: all of it, unless a pole sends a few
    values far off, when the middle 90% of the values (with a margin) is shown."""
    finite = sorted(v for curve in curves for v in curve if math.isfinite(v))
    if len(finite) < 10:
        return None
    low, high = finite[len(finite) // 20], finite[-1 - len(finite) // 20]
    span = high - low
    if span <= 0 or finite[-1] - finite[0] <= 4 * span:
        return None
    return low - span / 2, high + span / 2


def _broken(
    xs: list[float], ys: list[float], limits: tuple[float, float] | None
) -> tuple[list[float], list[float]]:
    """The curve with a gap where it leaves the picture and comes back with the other sign
    between two samples, a jump larger than the picture (a pole, as tan has): no vertical
    line joins the two branches."""
    if limits is None:
        return xs, ys
    low, high = limits
    out_x, out_y = [xs[0]], [ys[0]]
    for i in range(1, len(xs)):
        a, b = ys[i - 1], ys[i]
        if (
            (a > high or b < low or a < low or b > high)
            and (a > 0) != (b > 0)
            and abs(b - a) > high - low
        ):
            out_x.append((xs[i - 1] + xs[i]) / 2)
            out_y.append(math.nan)
        out_x.append(xs[i])
        out_y.append(b)
    return out_x, out_y


def plot(
    expr: Expr | str,
    wrt: str | None = None,
    interval: tuple[float, float] = (-3.0, 3.0),
    values: Mapping[str, float] | None = None,
    *,
    path: str | Path | None = None,
    fmt: str | None = None,
    samples: int = 401,
) -> bytes:
    """The function and its derivative on one figure, as PNG (or ``fmt``: svg, pdf) bytes,
    also written to ``path`` if given (its suffix then names the format)."""
    if fmt is None:
        fmt = Path(path).suffix.lstrip(".").lower() if path is not None else "png"
    if fmt not in FORMATS:
        raise SymdiffError(f"a plot is drawn as {', '.join(FORMATS)}, not {fmt!r}")
    data = sample(expr, wrt, interval, values, samples)
    figure = _figure(data)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    image = buffer.getvalue()
    if path is not None:
        try:
            Path(path).write_bytes(image)
        except OSError as exc:
            raise SymdiffError(f"cannot write {path}: {exc.strerror or exc}") from None
    return image


def _figure(data: Samples) -> Any:
    try:
        # The object-oriented API with the Agg canvas draws to memory and leaves pyplot's
        # global backend (a notebook's, say) alone.
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise SymdiffError(PLOT_HINT) from None
    figure = Figure(figsize=(7, 4.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    x = data.wrt
    limits = _limits([data.f, data.df])
    axes.plot(
        *_broken(data.xs, data.f, limits), color="#1d4ed8", linewidth=2,
        label=_label(f"f({x})", data.expr),
    )  # fmt: skip
    axes.plot(
        *_broken(data.xs, data.df, limits), color="#dc2626", linewidth=1.6, linestyle="--",
        label=_label(f"f'({x})", data.derivative),
    )  # fmt: skip
    axes.axhline(0, color="#9ca3af", linewidth=0.8)
    if data.xs[0] < 0 < data.xs[-1]:
        axes.axvline(0, color="#9ca3af", linewidth=0.8)
    if limits is not None:
        axes.set_ylim(*limits)
    axes.set_xlim(data.xs[0], data.xs[-1])
    axes.set_xlabel(x)
    axes.grid(True, color="#e5e7eb")
    axes.legend(loc="best")
    fixed = ", ".join(f"{k} = {v:g}" for k, v in data.fixed.items())
    axes.set_title(f"f and its derivative by {x}" + (f" at {fixed}" if fixed else ""))
    return figure
