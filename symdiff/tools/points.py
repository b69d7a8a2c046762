"""Numbers from derivatives at a point: Jacobians and Hessians as matrices of floats.

Both are exact, not finite differences. A Jacobian is chosen by its shape: with fewer
variables than expressions, one forward-mode sweep per variable gives a column; otherwise
one reverse sweep per expression gives a row (``mode=`` overrides the choice). A Hessian row
is one reverse sweep of a partial derivative, whose expression is built once, from the
function's own shared graph (:class:`Derivatives` keeps them, so a solver that asks at many
points builds them once and runs compiled code from then on).

With values, :func:`jacobian` and :func:`hessian` give numbers; without, the symbolic
matrices of :mod:`symdiff.api`. NumPy arrays among the values give a NumPy array of
matrices, one per point of the broadcast arrays, all computed by one compiled NumPy program
under the arrays' domain policy (:func:`run_over_arrays`).
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..api import Expr, as_expr, derivative, differentiate, forward_jacobian, gradient
from ..api import compile as compile_program
from ..api import hessian as symbolic_hessian
from ..api import jacobian as symbolic_jacobian
from ..errors import SymdiffError, ValuesError
from ..ir.nodes import is_variable
from ..numeric.arrays import (
    argument,
    broadcast_shape,
    errors_option,
    has_arrays,
    is_dask,
    masked_message,
)
from ..numeric.arrays import is_array as is_any_array
from ..numeric.evaluate import partial_at, plan, read_point
from ..syntax.parser import as_exprs

__all__ = [
    "Derivatives",
    "derivative_at",
    "hessian",
    "jacobian",
    "jacobian_at",
    "loaded_numpy",
    "run_over_arrays",
]

Point = Mapping[str, object]


def variable_names(exprs: Sequence[Expr], variables: Iterable[str | Expr] | None) -> list[str]:
    """The variables asked for, checked; by default every variable, in order of appearance."""
    if variables is None:
        seen: dict[str, None] = {}
        for expr in exprs:
            seen.update(dict.fromkeys(expr.variables))
        return list(seen)
    # A variable called "variables" cannot take its value as a keyword: the number lands here.
    if isinstance(variables, str | Expr) or not isinstance(variables, Iterable):
        shown = "one string" if isinstance(variables, str) else type(variables).__name__
        raise SymdiffError(f"variables are a list of names, e.g. ['x', 'y'], not {shown}")
    names = []
    for name in variables:
        node = name if isinstance(name, Expr) else None
        if node is None:
            if not isinstance(name, str):
                raise SymdiffError(f"a variable is named by a string, not {type(name).__name__}")
            node = as_expr(name)
        if not is_variable(node):
            raise SymdiffError(f"{name!r} is not a variable name")
        names.append(str(node.payload))
    return names


class Derivatives:
    """One expression's value, gradient and Hessian at any point, for chosen variables.

    The gradient's expressions are built on the first Hessian asked for, then kept: each
    Hessian row after that is one (compiled) reverse sweep.
    """

    def __init__(self, expr: Expr | str, variables: Iterable[str | Expr] | None = None) -> None:
        self.expr = as_expr(expr)
        self.variables = tuple(variable_names([self.expr], variables))
        self._partials: list[Expr] | None = None

    def value(self, point: Point) -> float:
        return self.expr.evaluate(point)

    def value_and_gradient(self, point: Point) -> tuple[float, list[float]]:
        result = differentiate(self.expr, point)
        return result.value, [result.get(name, 0.0) for name in self.variables]

    def partials(self) -> list[Expr]:
        """d expr / d v for each variable v, as expressions."""
        if self._partials is None:
            by_name = gradient(self.expr, self.variables)
            self._partials = [by_name[name] for name in self.variables]
        return self._partials

    def hessian(self, point: Point) -> list[list[float]]:
        """The matrix of second derivatives at ``point``, exactly symmetric.

        Row i comes from differentiating d f / d v_i; only its entries j >= i are used and
        mirrored, so rounding cannot make the matrix unsymmetric. It exists only where the
        gradient does: elsewhere it is the gradient's ``DomainError``, though the
        partials' formulas may have values there (d/dx log(x) is 1/x, which is -1 at
        x = -1, where log(x) is undefined; sqrt(x^2) simplifies to abs(x), whose partial
        sign(x) is 0 at 0, where sqrt(x^2) has no derivative).
        """
        differentiate(self.expr, point)
        names = self.variables
        n = len(names)
        matrix = [[0.0] * n for _ in range(n)]
        for i, partial in enumerate(self.partials()):
            row = differentiate(partial, point)
            for j in range(i, n):
                matrix[i][j] = matrix[j][i] = row.get(names[j], 0.0)
        return matrix


def derivative_at(expr: Expr, name: str, order: int, point: Point) -> float:
    """``d^order expr / d name^order`` at ``point``, a number with a partial's meaning. Each
    order is a reverse sweep of the one below along the paths to ``name``: the first of
    the function's own graph, as ``grad --at`` gives it; the next of the first
    derivative's formula, as a Hessian's rows; and so on. So it exists only where the
    function and each lower derivative have values (elsewhere, the ``DomainError`` of the
    first that has none; the derivatives' formulas may have values where these do not:
    1/x for log(x) at x = -1), the numeric conventions hold where a formula has none
    (d/dy x^y at x = 0, y = 2 is 0, though x^y*log(x) is undefined there), and a partial
    in another variable does not matter (d/dx x*sqrt(y) at y = 0 is 0).
    """
    if order == 0:
        return expr.evaluate(point)
    derivative(expr, name, order - 1)  # the derivative limits, before any sweep
    below = expr
    for lower in range(order):
        p = plan(below)
        value = partial_at(p, read_point(p, point, {}), name)
        if lower + 1 < order:
            below = derivative(below, name)  # one order more, from the derivatives' memory
    return value


MODES = ("auto", "forward", "reverse")


def jacobian_mode(rows: int, columns: int, mode: str = "auto") -> str:
    """The sweep that costs least for a ``rows`` x ``columns`` Jacobian: forward mode (one
    sweep per column) when there are fewer columns than rows, else reverse (one per row)."""
    if mode not in MODES:
        raise SymdiffError(f"mode is 'auto', 'forward' or 'reverse', not {mode!r}")
    if mode != "auto":
        return mode
    return "forward" if columns < rows else "reverse"


def jacobian_at(
    exprs: Sequence[Expr], names: Sequence[str], point: Point, mode: str = "auto"
) -> list[list[float]]:
    """``J[i][j] = d exprs[i] / d names[j]`` at ``point``: a forward sweep per column or a
    reverse sweep per row, whichever is fewer (see :func:`jacobian_mode`)."""
    if jacobian_mode(len(exprs), len(names), mode) == "forward":
        return forward_jacobian(list(exprs), list(names), point)
    rows = []
    for expr in exprs:
        result = differentiate(expr, point)
        rows.append([result.get(name, 0.0) for name in names])
    return rows


def jacobian(
    exprs: Sequence[Expr | str], /, variables: Iterable[str | Expr] | None = None, **values: object
) -> Any:
    """Rows of partial derivatives, one row per expression: ``J[i][j] = d f_i / d v_j``.

    Without values, the rows hold expressions; with values, numbers at that point (lists
    of lists, or a NumPy array of shape ``(*points, rows, columns)`` when some values are
    NumPy arrays). The numbers come from forward mode when there are fewer variables than
    expressions and from reverse mode otherwise; ``mode="forward"`` or ``mode="reverse"``
    chooses (``mode`` is read as the mode only when it is text, as in ``differentiate``).
    Over arrays, one compiled program computes every point at once, by reverse sweeps
    whatever ``mode`` says (see :func:`over_arrays`), with ``errors=`` as for
    ``differentiate``.

    >>> jacobian(["x*y", "x + y^2"], x=2, y=3)
    [[3.0, 2.0], [1.0, 6.0]]
    """
    mode = values.pop("mode") if isinstance(values.get("mode"), str) else "auto"
    assert isinstance(mode, str)
    jacobian_mode(0, 0, mode)
    if not values:
        return symbolic_jacobian(exprs, variables)
    if isinstance(exprs, str | Expr):
        raise SymdiffError("jacobian takes a list of expressions; for one, use gradient")
    roots = as_exprs(exprs, "jacobian")
    names = variable_names(roots, variables)
    errors = errors_option(values)
    if has_arrays(values):
        return over_arrays(roots, names, values, errors, order=1)
    return jacobian_at(roots, names, values, mode)


def hessian(
    expr: Expr | str, /, variables: Iterable[str | Expr] | None = None, **values: object
) -> Any:
    """The matrix of second derivatives: expressions, or numbers at a point given by values.

    Over NumPy arrays, a NumPy array of matrices, one per point of the broadcast arrays,
    from one compiled program (see :func:`over_arrays`), with ``errors=`` as for
    ``differentiate``.

    >>> hessian("x^2*y", x=1, y=2)
    [[4.0, 2.0], [2.0, 0.0]]
    """
    if not values:
        return symbolic_hessian(expr, variables)
    derivatives = Derivatives(expr, variables)
    errors = errors_option(values)
    if has_arrays(values):
        return over_arrays([derivatives.expr], derivatives.variables, values, errors, order=2)
    return derivatives.hessian(values)


# --- arrays of points ------------------------------------------------------------------


def loaded_numpy() -> Any:
    """NumPy if it is loaded, else None.

    NumPy is optional, and ``import symdiff`` must not load it (it is slow to import).
    A value can only be a NumPy array once NumPy is loaded, so it is looked up, not imported.
    """
    return sys.modules.get("numpy")


def over_arrays(
    exprs: Sequence[Expr], names: Sequence[str], values: Point, errors: str, order: int
) -> Any:
    """Jacobians (``order=1``) or the Hessian of ``exprs[0]`` (``order=2``) at every point of
    the broadcast arrays at once: an array of shape ``(*points, rows, len(names))``, by
    :func:`run_over_arrays` (a lazy Dask array when a value is one). A Hessian, like the
    value, is NaN where the function is undefined."""
    numpy = loaded_numpy()
    columns = list(dict.fromkeys([*names, *(v for e in exprs for v in e.variables)]))
    program = list(exprs) if order == 1 else exprs[0]
    shape, result = run_over_arrays(program, columns, values, errors, order, stacklevel=6)
    rows = result[1] if order == 1 else result[2][: len(names)]
    if any(is_dask(entry) for row in rows for entry in row):
        dask = importlib.import_module("dask.array")  # optional: Dask is loaded already
        return dask.stack(
            [
                dask.stack([dask.broadcast_to(row[j], shape) for j in range(len(names))], -1)
                for row in rows
            ],
            -2,
        )
    matrix = numpy.zeros((*shape, len(exprs) if order == 1 else len(names), len(names)))
    for i, row in enumerate(rows):
        for j in range(len(names)):
            matrix[..., i, j] = row[j]
    return matrix


def run_over_arrays(
    exprs: Expr | list[Expr],
    columns: Sequence[str],
    values: Point,
    errors: str,
    order: int,
    stacklevel: int = 5,
) -> tuple[tuple[int, ...], Any]:
    """The broadcast shape of the arrays among ``values``, and what
    ``symdiff.compile(exprs, columns, order=order)`` gives at every point of them at once:
    one compiled NumPy program, so under the arrays' domain policy (``numeric/arrays.py``):
    where a value or a derivative is undefined, that element is NaN in every output and
    one ``SymdiffWarning`` says where (``stacklevel``: the caller's caller's line);
    ``errors="raise"`` raises the ``DomainError`` instead, ``"ignore"`` is silent.

    ``columns`` holds every variable of ``exprs``; one that no formula uses takes any
    value (its partials are 0), and values for other names are checked and left out.
    """
    numpy = loaded_numpy()
    arrays = {name: v for name, v in values.items() if is_any_array(v)}
    for name, array in arrays.items():
        if isinstance(array, numpy.ma.MaskedArray):
            raise ValuesError(masked_message(name))
    shape = broadcast_shape(numpy, list(arrays.values()), list(arrays))  # or a ValuesError
    if math.prod(shape) == 0:
        raise ValuesError("the arrays of values are empty")
    roots = exprs if isinstance(exprs, list) else [exprs]
    used = dict.fromkeys(v for e in roots for v in e.variables)
    missing = [name for name in used if name not in values]
    if missing:
        raise ValuesError(f"no value given for {', '.join(missing)}")
    for name, value in values.items():
        if name not in columns:
            argument(name, value)
    inputs = [values.get(name, 0.0) for name in columns]
    if columns and not any(is_any_array(v) for v in inputs):  # arrays among the others only
        inputs[0] = numpy.full(shape, argument(columns[0], inputs[0]))
    program = compile_program(exprs, columns, order=order)
    return shape, program.program.general(tuple(inputs), errors, stacklevel=stacklevel)
