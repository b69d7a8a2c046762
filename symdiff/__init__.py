"""symdiff: derivatives of mathematical expressions given as text.

>>> import symdiff
>>> g = symdiff.differentiate("sin(log(x))", x=2)
>>> round(g.value, 6), round(float(g), 6)
(0.638961, 0.384619)
"""

import importlib
from typing import TYPE_CHECKING, Any

from .api import (
    CheckReport,
    Expr,
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
from .version import __version__

if TYPE_CHECKING:
    from .diff.explain import Explanation, ForwardExplanation
    from .numeric.compiled import Compiled
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

# The tools (solvers, uncertainty, plots) and explanations are loaded at their first use:
# the command line's everyday answer needs none of them, and its start is paid every call.
_LAZY = {
    **dict.fromkeys(
        (
            "Contribution",
            "Propagation",
            "Sensitivity",
            "Solution",
            "hessian",
            "jacobian",
            "minimize",
            "newton",
            "propagate",
            "sensitivity",
        ),
        "symdiff.tools",
    ),
    "plot": "symdiff.tools.plot",
    "Compiled": "symdiff.numeric.compiled",
    "Explanation": "symdiff.diff.explain",
    "ForwardExplanation": "symdiff.diff.explain",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'symdiff' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
