"""Propagation of uncertainty to first order, as in the GUM, with an optional second order.

For ``y = f(x_1, ..., x_n)`` with estimates ``x_i``, standard uncertainties ``u_i`` and
covariance matrix ``V`` (``V_ij = r_ij u_i u_j``), the combined standard uncertainty is
``u(y)^2 = c^T V c`` with the sensitivity coefficients ``c_i = df/dx_i`` (GUM 5.1.2, 5.2.2),
all from one reverse sweep. The second-order term for normally distributed inputs (GUM
5.1.2, note; here for any covariance) adds ``1/2 tr((H V)^2) + (V c)^T b`` with the Hessian
``H`` and ``b_i = sum_jk V_jk d^3 f / dx_i dx_j dx_k``; the mean moves by ``1/2 tr(H V)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..api import Expr, as_expr, differentiate, parse
from ..api import hessian as symbolic_hessian
from ..errors import ParseError, SymdiffError, ValuesError
from ..numeric.values import real_number
from .linalg import Matrix, dot, is_positive_semidefinite, matrix_vector, total
from .tables import number, table

# "2±0.1" and "2+-0.1": a value and its standard uncertainty.
_PLUS_MINUS = re.compile(r"±|\+-")

Correlations = Mapping[tuple[str, str], float] | Sequence[Sequence[float]]


@dataclass(frozen=True)
class Contribution:
    """What one input adds to the uncertainty of the result."""

    name: str
    value: float
    uncertainty: float  # u(x_i), the input's standard uncertainty
    sensitivity: float  # c_i = df/dx_i at the estimates
    # The input's part of the first-order variance, c_i (V c)_i / u(y)^2; the shares sum
    # to 1, and with correlated inputs a share may be negative.
    share: float

    @property
    def contribution(self) -> float:
        """``|c_i| u(x_i)``: the uncertainty of the result from this input alone."""
        return abs(self.sensitivity) * self.uncertainty

    def to_dict(self) -> dict[str, float]:
        return {
            "value": self.value,
            "uncertainty": self.uncertainty,
            "sensitivity": self.sensitivity,
            "contribution": self.contribution,
            "share": self.share,
        }


@dataclass(frozen=True)
class Propagation:
    """The value of a formula at the estimates, its combined standard uncertainty, and the
    uncertainty budget: one :class:`Contribution` an input, in the order given."""

    expression: str
    value: float
    uncertainty: float
    contributions: Mapping[str, Contribution]
    first_order_uncertainty: float
    correlated: bool = False
    # Set only when the second order is asked for: the variance it adds (included in
    # ``uncertainty``) and how far it moves the mean, 1/2 tr(H V) (not added to ``value``).
    second_order_variance: float | None = None
    mean_shift: float | None = None
    _unicode: bool = field(default=True, repr=False, compare=False)

    @property
    def relative_uncertainty(self) -> float:
        return self.uncertainty / abs(self.value) if self.value else math.inf

    def table(self, unicode: bool = True) -> str:
        """The uncertainty budget as text (``+-`` for ``±`` when ``unicode`` is false)."""
        pm = "±" if unicode else "+-"
        order = "first order" if self.second_order_variance is None else "second order"
        relative = (
            f"; relative {self.relative_uncertainty:.3g}"
            if math.isfinite(self.relative_uncertainty)
            else ""
        )
        lines = [
            f"{self.expression} = {number(self.value)} {pm} {number(self.uncertainty)}"
            f"  (combined standard uncertainty, {order}{relative})"
        ]
        rows = [
            [
                c.name,
                number(c.value),
                number(c.uncertainty),
                number(c.sensitivity),
                number(c.contribution),
                f"{100 * c.share:.1f}%",
            ]
            for c in self.contributions.values()
        ]
        header = ["input", "value", "uncertainty", "sensitivity", "contribution", "share"]
        lines += table(header, rows)
        if self.correlated:
            lines.append("inputs are correlated: shares include the covariance terms")
        if self.second_order_variance is not None and self.mean_shift is not None:
            lines.append(
                f"second order: variance {self.second_order_variance:+.6g} (included above);"
                f" the mean moves by {number(self.mean_shift)}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "expression": self.expression,
            "value": self.value,
            "uncertainty": self.uncertainty,
            "first_order_uncertainty": self.first_order_uncertainty,
            "contributions": {name: c.to_dict() for name, c in self.contributions.items()},
            "correlated": self.correlated,
        }
        if self.second_order_variance is not None:
            document["second_order_variance"] = self.second_order_variance
            document["mean_shift"] = self.mean_shift
        return document


def propagate(
    expr: Expr | str,
    inputs: Mapping[str, object] | None = None,
    /,
    *,
    covariance: Correlations | None = None,
    correlation: Correlations | None = None,
    second_order: bool = False,
    **keywords: object,
) -> Propagation:
    """The value of ``expr`` and its combined standard uncertainty, with the budget.

    Each input is ``(value, standard uncertainty)``, a text such as ``"2±0.1"`` or
    ``"2+-0.1"``, or a plain number (known exactly). Correlated inputs take either
    ``correlation`` or ``covariance``: a mapping from pairs of names, ``{("m", "h"): 0.5}``,
    or a full matrix with rows in the order the inputs are given.

    >>> r = propagate("m*g*h", m=(2.0, 0.1), g=(9.81, 0.01), h=(10.0, 0.5))
    >>> round(r.value, 6), round(r.uncertainty, 4), r.contributions["h"].sensitivity
    (196.2, 13.8749, 19.62)
    """
    node = as_expr(expr)
    given = _inputs(inputs, keywords)
    names = list(given)
    if covariance is not None and correlation is not None:
        raise SymdiffError("give either covariance or correlation, not both")
    uncertainties = [given[name][1] for name in names]
    if covariance is not None:
        matrix = _matrix(covariance, names, "covariance")
        uncertainties = _covariance_uncertainties(matrix, names, uncertainties)
    else:
        correlations = None if correlation is None else _matrix(correlation, names, "correlation")
        if correlations is not None:
            _check_correlations(correlations, names)
        matrix = [
            [
                (1.0 if i == j else 0.0 if correlations is None else correlations[i][j]) * ui * uj
                for j, uj in enumerate(uncertainties)
            ]
            for i, ui in enumerate(uncertainties)
        ]
    if not is_positive_semidefinite(matrix):
        raise SymdiffError(
            "the covariance of the inputs is not positive semidefinite, so it is no covariance"
            " (check the correlations)"
        )
    point = {name: given[name][0] for name in names}
    result = differentiate(node, point)
    c = [result.get(name, 0.0) for name in names]
    vc = matrix_vector(matrix, c)
    variance = _finite(dot(c, vc), "the variance")
    contributions = {
        name: Contribution(
            name,
            point[name],
            uncertainties[i],
            c[i],
            c[i] * vc[i] / variance if variance > 0 else 0.0,
        )
        for i, name in enumerate(names)
    }
    correlated = any(matrix[i][j] for i in range(len(names)) for j in range(len(names)) if i != j)
    first_order = math.sqrt(variance)
    if not second_order:
        return Propagation(
            str(node), result.value, first_order, contributions, first_order, correlated
        )
    added, shift = _second_order(node, names, point, matrix, vc)
    total = _finite(variance + added, "the second-order variance")
    if total < 0:
        raise SymdiffError(
            f"the second-order variance is negative ({total:.6g}): the uncertainties are too"
            " large for a Taylor expansion around the estimates"
        )
    return Propagation(
        str(node),
        result.value,
        math.sqrt(total),
        contributions,
        first_order,
        correlated,
        second_order_variance=added,
        mean_shift=shift,
    )


def _second_order(
    node: Expr, names: list[str], point: dict[str, float], matrix: Matrix, vc: list[float]
) -> tuple[float, float]:
    """``(1/2 tr((H V)^2) + (V c)^T b, 1/2 tr(H V))``, over the inputs that are uncertain."""
    active = [i for i in range(len(names)) if matrix[i][i] > 0]
    if not active:
        return 0.0, 0.0
    active_names = [names[i] for i in active]
    entries = symbolic_hessian(node, active_names)
    n = len(active)
    v = [[matrix[i][j] for j in active] for i in active]
    h = [[0.0] * n for _ in range(n)]
    b = [0.0] * n
    for j in range(n):
        for k in range(j, n):
            # One sweep of d^2 f / dx_j dx_k gives its value and its third derivatives.
            third = differentiate(entries[j][k], point)
            h[j][k] = h[k][j] = third.value
            weight = v[j][k] * (1 if j == k else 2)
            if weight:
                for i, name in enumerate(active_names):
                    b[i] += weight * third.get(name, 0.0)
    hv = [[dot(h[i], [v[k][j] for k in range(n)]) for j in range(n)] for i in range(n)]
    trace_hv_squared = total(hv[i][j] * hv[j][i] for i in range(n) for j in range(n))
    added = 0.5 * trace_hv_squared + dot([vc[i] for i in active], b)
    shift = 0.5 * total(hv[i][i] for i in range(n))
    return _finite(added, "the second-order variance"), _finite(shift, "the mean shift")


def _finite(number: float, what: str) -> float:
    """``number``, or a SymdiffError where it is inf or nan: a step overflowed."""
    if not math.isfinite(number):
        raise SymdiffError(
            f"{what} is beyond the float range ({number!r}): the uncertainties are too large"
            " for the estimates' derivatives"
        )
    return number


# --- reading the inputs ----------------------------------------------------------------


def split_measurement(text: str) -> tuple[str, str | None]:
    """``"2+-0.1"`` -> ``("2", "0.1")``; ``"2"`` -> ``("2", None)``."""
    parts = _PLUS_MINUS.split(text)
    if len(parts) == 1:
        return text, None
    if len(parts) > 2:
        raise ValuesError(f"{text!r} has more than one ± (or +-)")
    return parts[0], parts[1]


def read_measurement(text: str) -> tuple[float, float]:
    """``"9.81±0.01"`` or ``"9.81+-0.01"`` -> ``(9.81, 0.01)``; the parts may be constant
    formulas (``pi/4+-0.01``); without ``±`` the uncertainty is 0."""
    value_text, uncertainty_text = split_measurement(text)
    value = _constant(value_text, text)
    uncertainty = 0.0 if uncertainty_text is None else _constant(uncertainty_text, text)
    return value, uncertainty


def _constant(part: str, text: str) -> float:
    if not part.strip():
        raise ValuesError(f"{text!r} is not VALUE±UNCERTAINTY: a part is missing")
    try:
        expr = parse(part)
    except ParseError as exc:
        raise ValuesError(f"in {text!r}: {exc}") from None
    if expr.variables:
        raise ValuesError(f"{part.strip()!r} in {text!r} is not a number or a constant formula")
    return expr.evaluate()


def _inputs(
    inputs: Mapping[str, object] | None, keywords: Mapping[str, object]
) -> dict[str, tuple[float, float]]:
    if inputs is not None and not isinstance(inputs, Mapping):
        raise ValuesError(f"inputs are a mapping from names to values, not {type(inputs).__name__}")
    given = dict(inputs or {})
    twice = sorted(set(given) & set(keywords))
    if twice:
        raise ValuesError(f"an input is given twice: {', '.join(twice)}")
    given.update(keywords)
    result: dict[str, tuple[float, float]] = {}
    for name, item in given.items():
        if not isinstance(name, str):
            raise ValuesError(f"inputs are named by strings, not {type(name).__name__}")
        if isinstance(item, str):
            value, uncertainty = read_measurement(item)
        elif isinstance(item, tuple | list):
            if len(item) != 2:
                raise ValuesError(
                    f"the input {name} is (value, standard uncertainty), not {len(item)} numbers"
                )
            value = real_number(item[0], f"the value of {name}")
            uncertainty = real_number(item[1], f"the uncertainty of {name}")
        else:
            value, uncertainty = real_number(item, f"the value of {name}"), 0.0
        if uncertainty < 0:
            raise ValuesError(f"the uncertainty of {name} is negative ({uncertainty!r})")
        result[name] = (value, uncertainty)
    return result


def _matrix(given: Correlations, names: list[str], what: str) -> Matrix:
    """A full symmetric matrix over the inputs, from pairs of names or from rows."""
    n = len(names)
    if isinstance(given, Mapping):
        matrix = [[math.nan if i == j else 0.0 for j in range(n)] for i in range(n)]
        index = {name: i for i, name in enumerate(names)}
        seen: set[tuple[int, int]] = set()
        for pair, entry in given.items():
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise ValuesError(f"{what} is keyed by pairs of input names, not {pair!r}")
            unknown = [name for name in pair if name not in index]
            if unknown:
                raise ValuesError(f"{what} names {', '.join(map(str, unknown))}, not an input")
            i, j = index[pair[0]], index[pair[1]]
            value = real_number(entry, f"the {what} of {pair[0]} and {pair[1]}")
            if (min(i, j), max(i, j)) in seen and matrix[i][j] != value:
                raise ValuesError(f"{what} gives {pair[0]}, {pair[1]} two values")
            seen.add((min(i, j), max(i, j)))
            matrix[i][j] = matrix[j][i] = value
        return matrix
    rows = [list(row) for row in given]
    if len(rows) != n or any(len(row) != n for row in rows):
        raise ValuesError(
            f"the {what} matrix must be {n}x{n}, one row and column an input ({', '.join(names)})"
        )
    matrix = [
        [real_number(entry, f"an entry of the {what} matrix") for entry in row] for row in rows
    ]
    for i in range(n):
        for j in range(i):
            if not math.isclose(matrix[i][j], matrix[j][i], rel_tol=1e-9, abs_tol=1e-300):
                raise ValuesError(
                    f"the {what} matrix is not symmetric (row {i + 1}, column {j + 1})"
                )
    return matrix


def _check_correlations(matrix: Matrix, names: list[str]) -> None:
    for i, row in enumerate(matrix):
        if math.isnan(row[i]):
            row[i] = 1.0
        elif row[i] != 1.0:
            raise ValuesError(f"the correlation of {names[i]} with itself must be 1, not {row[i]}")
        for j, r in enumerate(row):
            if abs(r) > 1:
                raise ValuesError(
                    f"the correlation of {names[i]} and {names[j]} must be in [-1, 1], not {r}"
                )


def _covariance_uncertainties(
    matrix: Matrix, names: list[str], uncertainties: list[float]
) -> list[float]:
    """The standard uncertainties the covariance's diagonal gives; they must agree with
    any given with the inputs."""
    result = []
    for i, name in enumerate(names):
        given = uncertainties[i]
        variance = matrix[i][i]
        if math.isnan(variance):  # pairs without the diagonal: the inputs' own
            variance = matrix[i][i] = given * given
        if variance < 0:
            raise ValuesError(f"the variance of {name} is negative ({variance!r})")
        if given and not math.isclose(variance, given * given, rel_tol=1e-9):
            raise ValuesError(
                f"the covariance gives {name} the variance {variance!r}, but its uncertainty "
                f"{given!r} squares to {given * given!r}"
            )
        result.append(math.sqrt(variance))
    return result
