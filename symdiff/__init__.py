"""symdiff: derivatives of mathematical expressions given as text.

>>> import symdiff
>>> g = symdiff.differentiate("sin(log(x))", x=2)
>>> round(g.value, 6), round(float(g), 6)
(0.638961, 0.384619)
"""

from .api import (
    Expr,
    Gradient,
    count_nodes,
    derivative,
    differentiate,
    from_json,
    gradient,
    hessian,
    jacobian,
    parse,
    simplify,
)
from .errors import DomainError, ParseError, SymdiffError, ValuesError
from .version import __version__

__all__ = [
    "DomainError",
    "Expr",
    "Gradient",
    "ParseError",
    "SymdiffError",
    "ValuesError",
    "__version__",
    "count_nodes",
    "derivative",
    "differentiate",
    "from_json",
    "gradient",
    "hessian",
    "jacobian",
    "parse",
    "simplify",
]
