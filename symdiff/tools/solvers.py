"""Solvers from a formula string: Newton's method for roots, a Newton minimiser, SciPy.

Both use exact derivatives from the reverse sweep: the derivative or Jacobian for roots,
the gradient and Hessian for minima (see ``points.py``). A run that does not converge is
not an error: the :class:`Solution` says why, in words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..api import Expr, as_expr
from ..errors import DomainError, SymdiffError, ValuesError
from ..limits import current as current_limits
from ..numeric.evaluate import given_values
from ..numeric.values import real_number
from ..syntax.parser import as_exprs
from .linalg import cholesky, cholesky_solve, dot, matrix_vector, negative_curvature, solve
from .points import Derivatives, jacobian_at, variable_names
from .tables import table

SCIPY_HINT = "SciPy is not installed; pip install scipy (or use method='newton')"
# Iterates this many times farther from 0 than the start count as running off to infinity.
_RUNAWAY = 1e100
# SciPy's methods that take a Hessian, and those that take only the gradient.
_SCIPY_HESSIAN = {"newton-cg", "dogleg", "trust-ncg", "trust-krylov", "trust-exact", "trust-constr"}
_SCIPY_GRADIENT = {"cg", "bfgs", "l-bfgs-b", "tnc", "slsqp"}


@dataclass(frozen=True)
class Solution:
    """Where a solver stopped and why.

    ``point`` maps every variable (parameters held fixed included) to its value;
    ``value`` is the function there (for roots, the largest ``|f_i|``); ``residual`` how
    far from done it is (for roots the same, for minima the largest ``|df/dx_i|``).
    """

    method: str
    point: dict[str, float]
    value: float
    residual: float
    iterations: int
    evaluations: int
    converged: bool
    reason: str
    unknowns: tuple[str, ...] = field(default=())

    def table(self) -> str:
        state = "converged" if self.converged else "did not converge"
        lines = [
            f"{self.method}: {state} after {_count(self.iterations, 'iteration')}"
            f" ({_count(self.evaluations, 'evaluation')}): {self.reason}"
        ]
        rows = [[name, repr(self.point[name])] for name in self.unknowns or self.point]
        rows += [["value", repr(self.value)], ["residual", repr(self.residual)]]
        lines += table(["", ""], rows)[1:]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "point": dict(self.point),
            "value": self.value,
            "residual": self.residual,
            "iterations": self.iterations,
            "evaluations": self.evaluations,
            "converged": self.converged,
            "reason": self.reason,
        }


def scipy_optimize() -> Any:
    """``scipy.optimize``, or None if SciPy is not installed.

    Imported on first use, not with the module: SciPy is optional, and loading it (and
    NumPy with it) would make ``import symdiff`` slow for everyone. No import cycle is
    involved; SciPy is outside the package.
    """
    try:
        import scipy.optimize  # type: ignore[import-untyped]
    except ImportError:
        return None
    return scipy.optimize


class _Problem:
    """The unknowns, the parameters held fixed, and the point as a vector of unknowns."""

    def __init__(
        self,
        exprs: Sequence[Expr],
        variables: Iterable[str | Expr] | None,
        values: Mapping[str, object] | None,
        keywords: Mapping[str, object],
    ) -> None:
        given = dict(given_values(values, keywords))
        self.unknowns = tuple(variable_names(exprs, variables))
        if not self.unknowns:
            raise SymdiffError("there is nothing to solve for: the formula has no variables")
        missing = [name for name in self.unknowns if name not in given]
        if missing:
            raise ValuesError(f"no starting value given for {', '.join(missing)}")
        self.fixed = {name: v for name, v in given.items() if name not in self.unknowns}
        start = {name: given[name] for name in self.unknowns}
        # Checked here, so bad starting values are errors and not a failed run.
        self.start = [real_number(v, f"the starting value of {n}") for n, v in start.items()]

    def point(self, x: Sequence[float]) -> dict[str, Any]:
        return {**self.fixed, **dict(zip(self.unknowns, x, strict=True))}

    def floats(self, x: Sequence[float]) -> dict[str, float]:
        return {name: float(v) for name, v in self.point(x).items()}

    def runaway(self, x: Sequence[float]) -> bool:
        size = max(abs(v) for v in x)
        return not math.isfinite(size) or size > _RUNAWAY * (1 + max(abs(v) for v in self.start))

    def describe(self, x: Sequence[float]) -> str:
        return ", ".join(f"{n} = {v:.6g}" for n, v in zip(self.unknowns, x, strict=True))


# --- roots -----------------------------------------------------------------------------


def newton(
    equations: Expr | str | Sequence[Expr | str],
    values: Mapping[str, object] | None = None,
    /,
    *,
    variables: Iterable[str | Expr] | None = None,
    tolerance: float = 1e-12,
    max_iterations: int = 100,
    **keywords: object,
) -> Solution:
    """A root of ``equations`` (one formula, or a list: a system, each formula = 0) by
    Newton's method with the exact derivative (for a system, the Jacobian), from the
    starting values given. ``variables`` are the unknowns (by default every variable);
    other values are parameters held fixed.

    It stops when a step is below ``tolerance`` relative to the point, or the residual is
    exactly 0; otherwise ``reason`` says what went wrong: a zero derivative (a singular
    Jacobian), divergence, leaving the domain, or the iteration limit.

    >>> newton("x^3 - 2*x - 5", x=2).point["x"]
    2.0945514815423265
    """
    if isinstance(equations, str | Expr):
        exprs, single = [as_expr(equations)], True
    else:
        exprs, single = as_exprs(equations, "newton"), False
    if not exprs:
        raise SymdiffError("newton needs at least one equation")
    _check_limits(tolerance, max_iterations)
    problem = _Problem(exprs, variables, values, keywords)
    if len(exprs) != len(problem.unknowns):
        raise NotSquare(
            len(exprs),
            problem.unknowns,
            "Newton's method needs as many equations as unknowns (give the others values and"
            " name the unknowns with variables=...)",
        )
    x = list(problem.start)
    evaluations = 0

    def finish(iterations: int, converged: bool, reason: str, residual: float) -> Solution:
        return Solution(
            "newton",
            problem.floats(x),
            residual,
            residual,
            iterations,
            evaluations,
            converged,
            reason,
            problem.unknowns,
        )

    residual = math.inf
    for iteration in range(max_iterations + 1):
        try:
            f = [e.evaluate(problem.point(x)) for e in exprs]
            jac = jacobian_at(exprs, problem.unknowns, problem.point(x))
        except DomainError as exc:
            if iteration == 0:
                raise
            return finish(iteration, False, f"left the domain of the equations: {exc}", math.nan)
        evaluations += 1
        residual = max(abs(v) for v in f)
        if residual == 0.0:
            return finish(iteration, True, "the residual is 0", residual)
        if iteration == max_iterations:
            break
        step = solve(jac, [-v for v in f])
        if step is None:
            what = "the derivative is 0" if single else "the Jacobian is singular"
            return finish(iteration, False, f"{what} at {problem.describe(x)}", residual)
        x = [a + s for a, s in zip(x, step, strict=True)]
        if problem.runaway(x):
            return finish(
                iteration + 1,
                False,
                f"diverged: the iterates run off ({problem.describe(x)})",
                math.nan,
            )
        if max(abs(s) for s in step) <= tolerance * (1 + max(abs(v) for v in x)):
            try:
                f = [e.evaluate(problem.point(x)) for e in exprs]
            except DomainError as exc:
                return finish(iteration + 1, False, f"left the domain: {exc}", math.nan)
            evaluations += 1
            return finish(
                iteration + 1, True, "the step is below the tolerance", max(abs(v) for v in f)
            )
    return finish(
        max_iterations, False, f"no convergence within {max_iterations} iterations", residual
    )


# --- minima ----------------------------------------------------------------------------


def minimize(
    expr: Expr | str,
    values: Mapping[str, object] | None = None,
    /,
    *,
    variables: Iterable[str | Expr] | None = None,
    method: str = "newton",
    tolerance: float = 1e-10,
    max_iterations: int = 200,
    **keywords: object,
) -> Solution:
    """A local minimum of ``expr`` from the starting values given.

    ``method="newton"``: Newton's method on the exact gradient and Hessian with a
    backtracking (Armijo) line search. Where the Hessian is not positive definite a
    multiple of the identity is added until it is, which turns the step towards the
    negative gradient; so far from a minimum it takes gradient steps, near one Newton
    steps, which converge quadratically. It stops when every ``|df/dx_i|`` is at most
    ``tolerance`` and the Hessian has no negative eigenvalue; at a maximum or a saddle
    point, where the gradient vanishes too, it steps along the direction in which f curves
    down (``minimize("x^4 - 2*x^2", x=0)`` finds x = 1, not the maximum at 0). Any other
    method is SciPy's (``scipy.optimize.minimize``), handed the exact gradient and, for the
    methods that take one, the exact Hessian.

    >>> s = minimize("(1-x)^2 + 100*(y-x^2)^2", x=-1.2, y=1)
    >>> s.converged, round(s.point["x"], 9), round(s.point["y"], 9)
    (True, 1.0, 1.0)
    """
    node = as_expr(expr)
    _check_limits(tolerance, max_iterations)
    problem = _Problem([node], variables, values, keywords)
    derivatives = Derivatives(node, problem.unknowns)
    if method.lower() != "newton":
        return _scipy_minimize(derivatives, problem, method, tolerance, max_iterations)
    return _newton_minimize(derivatives, problem, tolerance, max_iterations)


def _newton_minimize(
    derivatives: Derivatives, problem: _Problem, tolerance: float, max_iterations: int
) -> Solution:
    x = list(problem.start)
    evaluations = 0
    f, g = derivatives.value_and_gradient(problem.point(x))  # a domain error here is raised
    evaluations += 1

    def finish(iterations: int, converged: bool, reason: str) -> Solution:
        residual = max((abs(v) for v in g), default=0.0)
        return Solution(
            "newton (line search)",
            problem.floats(x),
            f,
            residual,
            iterations,
            evaluations,
            converged,
            reason,
            problem.unknowns,
        )

    settled = "the gradient is below the tolerance, and f curves up or not at all"
    for iteration in range(max_iterations + 1):
        stationary = max(abs(v) for v in g) <= tolerance
        if not stationary and iteration == max_iterations:
            break
        try:
            h = derivatives.hessian(problem.point(x))
        except DomainError as exc:
            if stationary:  # no curvature to judge by: a stationary point it is
                return finish(iteration, True, "the gradient is below the tolerance")
            return finish(iteration, False, f"the Hessian is undefined: {exc}")
        curvature = 0.0
        if stationary:
            # A minimum, or a maximum or saddle point, where the gradient vanishes too. At
            # the last two the Hessian has a direction of negative curvature, along which f
            # decreases both ways: step along it (Nocedal and Wright, section 4.3).
            downhill = negative_curvature(h)
            if downhill is None:
                return finish(iteration, True, settled)
            if iteration == max_iterations:
                break
            reach = max(1.0, max(abs(v) for v in x))
            sign = -1.0 if dot(g, downhill) > 0 else 1.0
            direction = [sign * reach * v for v in downhill]
            curvature = dot(direction, matrix_vector(h, direction))
        else:
            direction = _descent_direction(h, g)
        slope = dot(g, direction)
        if not (math.isfinite(slope) and math.isfinite(curvature)):
            return finish(iteration, False, "the Newton step is beyond the float range")
        # Backtracking until f(x + a d) <= f(x) + 1e-4 (a g.d + a^2 d.H.d / 2) holds (the
        # Armijo condition, with the curvature term on a negative-curvature step); a trial
        # outside the domain counts as too long a step. Near a minimum the decrease a step
        # promises falls below the rounding of f itself, and f can no longer tell a better
        # point from a worse one: there a trial within a few units in the last place of f
        # is judged by its gradient instead, and taken if that is smaller (the
        # approximate Wolfe conditions of Hager and Zhang, 2005).
        alpha = 1.0
        gradient_size = max(abs(v) for v in g)
        while True:
            trial = [a + alpha * d for a, d in zip(x, direction, strict=True)]
            try:
                trial_f, trial_g = derivatives.value_and_gradient(problem.point(trial))
                evaluations += 1
                if trial_f <= f + 1e-4 * alpha * (slope + alpha * curvature / 2):
                    if trial != x:
                        break
                elif abs(trial_f - f) <= 4 * math.ulp(abs(f)) and (
                    max(abs(v) for v in trial_g) < gradient_size
                ):
                    break
            except DomainError:
                evaluations += 1
            alpha /= 2
            if alpha < 1e-20:
                return finish(
                    iteration, False, "the line search found no lower value along the step"
                )
        x, f, g = trial, trial_f, trial_g
        if problem.runaway(x):
            return finish(
                iteration + 1, False, f"diverged: f decreases without bound ({problem.describe(x)})"
            )
    return finish(max_iterations, False, f"no convergence within {max_iterations} iterations")


def _descent_direction(h: list[list[float]], g: list[float]) -> list[float]:
    """``-(H + t I)^-1 g`` with the smallest ``t`` of 0, t0, 2 t0, 4 t0... that makes the
    matrix positive definite (Nocedal and Wright, Algorithm 3.3); for large ``t`` this is a
    short step along the negative gradient."""
    n = len(g)
    smallest_diagonal = min(h[i][i] for i in range(n))
    # The shift is measured against the Hessian's own size: with a flat or concave Hessian
    # the step is long, and a function unbounded below is seen to run off at once.
    scale = max(max(abs(a) for row in h for a in row), 1e-300)
    shift = 0.0 if smallest_diagonal > 0 else 1e-3 * scale - smallest_diagonal
    while True:
        shifted = [
            [a + (shift if i == j else 0.0) for j, a in enumerate(row)] for i, row in enumerate(h)
        ]
        lower = cholesky(shifted)
        if lower is not None:
            return [-v for v in cholesky_solve(lower, g)]
        shift = max(2 * shift, 1e-3 * scale)


def _scipy_minimize(
    derivatives: Derivatives, problem: _Problem, method: str, tolerance: float, max_iterations: int
) -> Solution:
    optimize = scipy_optimize()
    if optimize is None:
        raise SymdiffError(SCIPY_HINT)
    key = method.lower()
    if key not in _SCIPY_HESSIAN | _SCIPY_GRADIENT:
        known = ", ".join(sorted(_SCIPY_HESSIAN | _SCIPY_GRADIENT))
        raise SymdiffError(f"unknown method {method!r}: newton, or one of SciPy's: {known}")
    last = list(problem.start)
    evaluations = 0

    def value_and_gradient(x: Any) -> tuple[float, list[float]]:
        nonlocal evaluations
        last[:] = [float(v) for v in x]
        evaluations += 1
        return derivatives.value_and_gradient(problem.point(last))

    hessian: Callable[[Any], list[list[float]]] | None = None
    if key in _SCIPY_HESSIAN:

        def hessian(x: Any) -> list[list[float]]:
            return derivatives.hessian(problem.point([float(v) for v in x]))

    try:
        result = optimize.minimize(
            value_and_gradient,
            problem.start,
            jac=True,
            hess=hessian,
            method=method,
            tol=tolerance,
            options={"maxiter": max_iterations},
        )
    except DomainError as exc:
        f = math.nan
        return Solution(
            f"scipy {method}",
            problem.floats(last),
            f,
            math.nan,
            0,
            evaluations,
            False,
            f"left the domain: {exc}",
            problem.unknowns,
        )
    x = [float(v) for v in result.x]
    f, g = derivatives.value_and_gradient(problem.point(x))
    return Solution(
        f"scipy {method}",
        problem.floats(x),
        f,
        max(abs(v) for v in g),
        int(getattr(result, "nit", 0)),
        int(result.nfev),
        bool(result.success),
        str(result.message),
        problem.unknowns,
    )


class NotSquare(SymdiffError):
    """Newton's method given as many equations as unknowns it was not: how many of each,
    and what to do, which each front end says in its own terms (:meth:`told`)."""

    def __init__(self, equations: int, unknowns: Sequence[str], advice: str) -> None:
        super().__init__(
            f"{equations} equation(s) in {len(unknowns)} unknowns ({', '.join(unknowns)}): {advice}"
        )
        self.equations = equations
        self.unknowns = tuple(unknowns)

    def told(self, advice: str) -> NotSquare:
        """The same counts with other advice."""
        return NotSquare(self.equations, self.unknowns, advice)


def _check_limits(tolerance: float, max_iterations: int) -> None:
    if real_number(tolerance, "the tolerance") < 0:
        raise SymdiffError(f"the tolerance is a number >= 0, not {tolerance!r}")
    if (
        isinstance(max_iterations, bool)
        or not isinstance(max_iterations, int)
        or max_iterations < 0
    ):
        raise SymdiffError(f"max_iterations is a whole number >= 0, not {max_iterations!r}")
    most = current_limits().solver_iterations
    if max_iterations > most:
        raise SymdiffError(
            f"max_iterations={max_iterations} is more than the limit of {most} "
            "(symdiff.limits(solver_iterations=...) raises it)"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
