"""symdiff: derivatives of mathematical expressions given as text.

>>> import symdiff
>>> g = symdiff.differentiate("sin(log(x))", x=2)
>>> round(g.value, 6), round(float(g), 6)
(0.638961, 0.384619)
"""

from .api import (
    CheckReport,
    Compiled,
    Explanation,
    Expr,
    ForwardExplanation,
    Gradient,
    check,
    compile,
    count_nodes,
    derivative,
    differentiate,
    explain,
    from_json,
    gradient,
    jvp,
    parse,
    simplify,
)
from .errors import DomainError, ParseError, SymdiffError, SymdiffWarning, ValuesError
from .limits import Limits, limits
from .tools import (
    Contribution,
    Propagation,
    Sensitivity,
    Solution,
    hessian,
    jacobian,
    minimize,
    newton,
    propagate,
    sensitivity,
)
from .tools.plot import plot
from .version import __version__

__all__ = [
    "CheckReport",
    "Compiled",
    "Contribution",
    "DomainError",
    "Explanation",
    "Expr",
    "ForwardExplanation",
    "Gradient",
    "Limits",
    "ParseError",
    "Propagation",
    "Sensitivity",
    "Solution",
    "SymdiffError",
    "SymdiffWarning",
    "ValuesError",
    "__version__",
    "check",
    "compile",
    "count_nodes",
    "derivative",
    "differentiate",
    "explain",
    "from_json",
    "gradient",
    "hessian",
    "jacobian",
    "jvp",
    "limits",
    "minimize",
    "newton",
    "parse",
    "plot",
    "propagate",
    "sensitivity",
    "simplify",
]
