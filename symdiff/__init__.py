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

__all__ = [
    "DomainError",
    "Expr",
    "Gradient",
    "ParseError",
    "SymdiffError",
    "ValuesError",
    "differentiate",
    "parse",
]

__version__ = "0.1.0"
