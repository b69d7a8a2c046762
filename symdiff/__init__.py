"""symdiff: derivatives of mathematical expressions given as text.

>>> import symdiff
>>> g = symdiff.differentiate("sin(log(x))", x=2)
>>> round(g.value, 6), round(float(g), 6)
(0.638961, 0.384616)
"""

from .api import (
    CheckReport,
    Explanation,
    Expr,
    Gradient,
    check,
    count_nodes,
    derivative,
    differentiate,
    explain,
    from_json,
    gradient,
    hessian,
    jacobian,
    jvp,
    parse,
    simplify,
)
from .errors import DomainError, ParseError, SymdiffError, ValuesError
from .version import __version__

__all__ = [
    "CheckReport",
    "DomainError",
    "Explanation",
    "Expr",
    "Gradient",
    "ParseError",
    "SymdiffError",
    "ValuesError",
    "__version__",
    "check",
    "count_nodes",
    "derivative",
    "differentiate",
    "explain",
    "from_json",
    "gradient",
    "hessian",
    "jacobian",
    "jvp",
    "parse",
    "simplify",
]
