"""Tools that put gradients to work, built on the public API: numbers for Jacobians and
Hessians at a point, uncertainty propagation, sensitivity analysis, solvers, and plots of a
function with its derivative."""

from .points import Derivatives, derivative_at, hessian, jacobian
from .sensitivities import Sensitivity, SensitivityRow, sensitivity
from .solvers import NotSquare, Solution, minimize, newton
from .uncertainty import Contribution, Propagation, propagate, read_measurement

__all__ = [
    "Contribution",
    "Derivatives",
    "NotSquare",
    "Propagation",
    "Sensitivity",
    "SensitivityRow",
    "Solution",
    "derivative_at",
    "hessian",
    "jacobian",
    "minimize",
    "newton",
    "propagate",
    "read_measurement",
    "sensitivity",
]
