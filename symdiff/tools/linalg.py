"""The little dense linear algebra the tools need, on lists of floats (NumPy is optional).

Matrices here are small (one row per variable), so plain Gaussian elimination and the
Cholesky factorisation are enough, and they say plainly when a matrix is singular or not
positive definite instead of returning garbage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

Matrix = list[list[float]]


def solve(matrix: Sequence[Sequence[float]], rhs: Sequence[float]) -> list[float] | None:
    """``x`` with ``matrix @ x = rhs``, or None when the matrix is singular.

    Gaussian elimination with partial pivoting; a pivot below ``n * eps`` times the largest
    entry counts as zero, since the answer would then be dominated by rounding.
    """
    n = len(rhs)
    rows = [[*map(float, row), float(b)] for row, b in zip(matrix, rhs, strict=True)]
    scale = max((abs(a) for row in rows for a in row[:n]), default=0.0)
    if scale == 0.0 or not math.isfinite(scale):
        return None
    for column in range(n):
        pivot = max(range(column, n), key=lambda r: abs(rows[r][column]))
        if abs(rows[pivot][column]) <= n * 2.2e-16 * scale:
            return None
        rows[column], rows[pivot] = rows[pivot], rows[column]
        top = rows[column]
        for r in range(column + 1, n):
            factor = rows[r][column] / top[column]
            if factor:
                row = rows[r]
                for c in range(column, n + 1):
                    row[c] -= factor * top[c]
    x = [0.0] * n
    for r in reversed(range(n)):
        row = rows[r]
        x[r] = (row[n] - sum(row[c] * x[c] for c in range(r + 1, n))) / row[r]
    return x


def cholesky(matrix: Sequence[Sequence[float]]) -> Matrix | None:
    """The lower-triangular ``L`` with ``L @ L.T = matrix``, or None if not positive definite."""
    n = len(matrix)
    lower: Matrix = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            total = matrix[i][j] - sum(lower[i][k] * lower[j][k] for k in range(j))
            if i == j:
                if not total > 0.0:  # also refuses nan
                    return None
                lower[i][i] = math.sqrt(total)
            else:
                lower[i][j] = total / lower[j][j]
    return lower


def cholesky_solve(lower: Matrix, rhs: Sequence[float]) -> list[float]:
    """``x`` with ``L @ L.T @ x = rhs``: forward, then back substitution."""
    n = len(rhs)
    y = [0.0] * n
    for i in range(n):
        y[i] = (rhs[i] - sum(lower[i][k] * y[k] for k in range(i))) / lower[i][i]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (y[i] - sum(lower[k][i] * x[k] for k in range(i + 1, n))) / lower[i][i]
    return x


def is_positive_semidefinite(matrix: Sequence[Sequence[float]]) -> bool:
    """Whether a symmetric matrix has no negative eigenvalue (up to rounding).

    A semidefinite matrix plus a tiny multiple of the identity is definite; one with a
    clearly negative eigenvalue stays indefinite.
    """
    n = len(matrix)
    scale = max((abs(matrix[i][i]) for i in range(n)), default=0.0) or 1.0
    jitter = 1e-12 * scale
    shifted = [
        [a + (jitter if i == j else 0.0) for j, a in enumerate(row)] for i, row in enumerate(matrix)
    ]
    return cholesky(shifted) is not None


def negative_curvature(matrix: Sequence[Sequence[float]]) -> list[float] | None:
    """A unit direction ``d`` along which the symmetric ``matrix`` curves down, ``d.M.d``
    negative (its eigenvector of the lowest eigenvalue), or None if it has no eigenvalue
    below ``-1e-12`` times its largest entry: semidefinite up to rounding (or not finite).

    The eigenvectors come from Jacobi's method (cyclic sweeps of plane rotations, each
    zeroing one off-diagonal entry; Golub and Van Loan, section 8.5), which needs no
    library and is accurate for the small matrices of a minimiser's Hessian.
    """
    n = len(matrix)
    a = [list(map(float, row)) for row in matrix]
    if not all(math.isfinite(v) for row in a for v in row):
        return None
    scale = max((abs(v) for row in a for v in row), default=0.0)
    if scale == 0.0:
        return None
    # Scaled by a power of two (exactly) so that the largest entry is about 1: a rotation
    # squares entries, and 1e200 squared overflows (float ** raises OverflowError). The
    # eigenvectors and the eigenvalues' signs are the same.
    # (Entry by entry: 2 ** -exponent itself overflows for a subnormal scale.)
    exponent = math.frexp(scale)[1]
    a = [[math.ldexp(v, -exponent) for v in row] for row in a]
    scale = math.ldexp(scale, -exponent)
    if is_positive_semidefinite(a):
        return None  # the common case, a minimum, settled by one Cholesky factorisation
    # Jacobi's sweeps cost about n^3 steps of Python each: fine for the Hessians of the
    # few unknowns a minimiser is given; the direction (the lowest eigenvector) is the
    # one along which f falls fastest, where cheaper directions (Cholesky's first failing
    # pivot) can be almost level.
    vectors = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for _ in range(100):
        off = math.sqrt(sum(a[i][j] ** 2 for i in range(n) for j in range(n) if i != j))
        if off <= 1e-15 * scale:
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                if a[p][q] == 0.0:
                    continue
                theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                t = math.copysign(1.0, theta) / (abs(theta) + math.hypot(theta, 1.0))
                c = 1 / math.hypot(t, 1.0)
                s = t * c
                for k in range(n):  # columns p and q of A J
                    akp, akq = a[k][p], a[k][q]
                    a[k][p], a[k][q] = c * akp - s * akq, s * akp + c * akq
                for k in range(n):  # rows p and q of J^T A J
                    apk, aqk = a[p][k], a[q][k]
                    a[p][k], a[q][k] = c * apk - s * aqk, s * apk + c * aqk
                for k in range(n):  # the rotations accumulated: V J
                    vkp, vkq = vectors[k][p], vectors[k][q]
                    vectors[k][p], vectors[k][q] = c * vkp - s * vkq, s * vkp + c * vkq
    lowest = min(range(n), key=lambda i: a[i][i])
    if not a[lowest][lowest] < -1e-12 * scale:
        return None
    return [vectors[k][lowest] for k in range(n)]


def total(numbers: Iterable[float]) -> float:
    """The sum, correctly rounded (``math.fsum``); IEEE's nan or inf where fsum cannot give
    one (inf - inf, or a sum past the float range), for the caller to refuse."""
    terms = list(numbers)
    try:
        return math.fsum(terms)
    except (OverflowError, ValueError):
        return sum(terms)


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    return total(x * y for x, y in zip(a, b, strict=True))


def matrix_vector(matrix: Sequence[Sequence[float]], vector: Sequence[float]) -> list[float]:
    return [dot(row, vector) for row in matrix]
