"""symdiff: derivatives of mathematical expressions given as text.

>>> import symdiff
>>> g = symdiff.differentiate("sin(log(x))", x=2)
>>> round(g.value, 6), round(float(g), 6)
(0.638961, 0.384616)
"""

from .api import Gradient, differentiate
from .errors import DomainError, ParseError, SymdiffError, ValuesError
from .nodes import Expr
from .parser import parse
from .serialize import from_json
from .symbolic import count_nodes, derivative, gradient, hessian, jacobian, simplify

__all__ = [
    "DomainError",
    "Expr",
    "Gradient",
    "ParseError",
    "SymdiffError",
    "ValuesError",
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

__version__ = "0.1.0"
